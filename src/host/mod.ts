/**
 * The host port (types.ts) for `paths.os`: Linux desktop entries and StatusNotifierItem tray, or
 * Windows shortcuts and notification-area tray. Each part loads its platform code on first use.
 */
import type { Paths } from "../config/paths.ts";
import type { Runner } from "../process.ts";
import type { Reporter } from "../reporter.ts";
import type { Host, HostApps, HostAppsOptions, HostDiagnosis } from "./types.ts";

export type { Host, HostApps, HostAppsOptions, HostDiagnosis };

/** What the host integration is built from. */
export interface HostDeps {
  paths: Paths;
  env: Record<string, string>;
  reporter: Reporter;
  /** The process door (terminals and helpers are started through it). */
  runner: Runner;
}

/** The host integration for `deps.paths.os`. */
export function createHost(deps: HostDeps): Host {
  const { paths, reporter, runner } = deps;
  if (paths.os === "windows") {
    return {
      apps: async (opts) =>
        (await import("./windows_apps.ts")).windowsHostApps(paths, reporter, opts),
      runTray: async (actions, run) =>
        (await import("./windows_tray.ts")).runWindowsHostTray(runner, actions, run),
      diagnose: async ({ vcxsrv }) => {
        if (!vcxsrv) return {};
        // Where the installer, winget and scoop put it, as exec looks for it.
        const { findVcxsrv } = await import("./windows/vcxsrv_run.ts");
        return { vcxsrv: (await findVcxsrv(deps.env)) !== undefined };
      },
      uninstallFiles: async () => {
        const { trayAutostartPath } = await import("./windows/autostart.ts");
        const { knownFolder } = await import("./windows/ffi/known_folders.ts");
        return [trayAutostartPath(knownFolder("Startup"))];
      },
      caBundle: async () => {
        const { readStoreCertificates } = await import("./windows/ffi/cert_store.ts");
        const { pemBundle } = await import("./windows/cert_bundle.ts");
        return pemBundle(readStoreCertificates()) || undefined;
      },
      guiEnv: async ({ vcxsrv, warn }) => {
        if (!vcxsrv || !runner.spawnDetached) return undefined;
        const { vcxsrvEnv } = await import("./windows/vcxsrv_run.ts");
        const spawnDetached = runner.spawnDetached.bind(runner);
        return vcxsrvEnv({
          enabled: true,
          env: deps.env,
          runner: { spawnDetached },
          locksDir: paths.locksDir,
          warn,
        });
      },
    };
  }
  return {
    apps: async (opts) =>
      (await import("./linux_apps.ts")).linuxHostApps(paths, reporter, opts, runner),
    runTray: async (actions, run) =>
      (await import("./linux_tray.ts")).runLinuxHostTray(deps.env, runner, actions, run),
    diagnose: () => Promise.resolve(linuxSession(deps.env)),
    usbDevices: async () => (await import("./linux/usb_sysfs.ts")).listSysfsUsb(),
    session: async () => (await import("./linux/session_files.ts")).hostSessionHooks(deps.env),
    uninstallFiles: async () => {
      const { planAutostart } = await import("./linux/autostart.ts");
      return [planAutostart(paths.autostartDir, false, "").path];
    },
  };
}

/** The Linux session's display and sound, from its environment and runtime folder. */
export function linuxSession(env: Record<string, string | undefined>): HostDiagnosis {
  const runtime = env.XDG_RUNTIME_DIR;
  let pulse = false;
  if (runtime) {
    try {
      Deno.statSync(`${runtime}/pulse/native`);
      pulse = true;
    } catch { /* no sound server in this session */ }
  }
  return { display: env.DISPLAY, waylandDisplay: env.WAYLAND_DISPLAY, pulse };
}
