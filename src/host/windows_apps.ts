/** Windows shortcuts for machines' apps: Start-menu .lnk files and Terminal fragments. */
import type { Paths } from "../config/paths.ts";
import type { Reporter } from "../reporter.ts";
import type { HostApps, HostAppsOptions } from "./types.ts";
import { windowsHostApps as build } from "./windows/mod.ts";

/** The Windows HostApps. */
export function windowsHostApps(
  paths: Paths,
  _reporter: Reporter,
  opts: HostAppsOptions = {},
): HostApps {
  return build(paths, opts);
}
