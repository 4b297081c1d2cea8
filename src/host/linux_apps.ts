/** Linux shortcuts for machines' apps: desktop entries, icons and menus (src/host/linux). */
import type { Paths } from "../config/paths.ts";
import type { Reporter } from "../reporter.ts";
import { findOnPath, isExecutableFile, ProcessRunner, type Runner } from "../process.ts";
import { LinuxHost } from "./linux/mod.ts";
import type { HostApps, HostAppsOptions } from "./types.ts";
import { applyAutostart, planAutostart } from "./linux/autostart.ts";

/**
 * The program desktop entries run: `CODCHI_SELF`, the compiled binary, or the `codchi` on PATH
 * (a `deno install` wrapper); a checkout run falls back to its first argv word.
 */
export function launcherPath(selfArgv: string[], env: Record<string, string | undefined>): string {
  if (env.CODCHI_SELF) return env.CODCHI_SELF;
  if (selfArgv.length === 1) return selfArgv[0];
  return findOnPath("codchi", env.PATH ?? "", isExecutableFile) ?? selfArgv[0];
}

/** The Linux HostApps. */
export function linuxHostApps(
  paths: Paths,
  reporter: Reporter,
  opts: HostAppsOptions = {},
  runner: Runner = new ProcessRunner(),
): HostApps {
  const env = Deno.env.toObject();
  const host = (selfArgv: string[]) =>
    new LinuxHost({
      paths,
      codchi: launcherPath(selfArgv, env),
      runner,
      env,
      warn: (m) => reporter.warn(m),
    });
  return {
    export: async (machine, appsDir, selfArgv) => {
      await host(selfArgv).exportApps(machine, appsDir);
      if (opts.trayAutostart !== undefined) {
        const launcher = launcherPath(selfArgv, env);
        await applyAutostart(planAutostart(paths.autostartDir, opts.trayAutostart, launcher));
      }
    },
    remove: (machine) => host([launcherPath([], env)]).removeApps(machine),
    trayAutostart: async (enabled, selfArgv) => {
      await applyAutostart(planAutostart(paths.autostartDir, enabled, launcherPath(selfArgv, env)));
    },
  };
}
