/** windows shortcuts for machines' apps (adapter to src/host/windows/). */
import type { Paths } from "../config/paths.ts";
import type { Reporter } from "../driver/types.ts";
import { NotImplementedError } from "../errors.ts";
import type { HostApps } from "./mod.ts";

/** The windows HostApps. */
export function windowsHostApps(_paths: Paths, _reporter: Reporter): HostApps {
  const no = () => Promise.reject(new NotImplementedError("Shortcuts are not wired in yet."));
  return { export: no, remove: no };
}
