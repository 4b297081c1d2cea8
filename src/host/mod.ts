/** Host integration chosen in one place: Linux desktop entries or Windows shortcuts. */
import type { Paths } from "../config/paths.ts";
import type { Reporter } from "../driver/types.ts";

/** Exports and removes a machine's app shortcuts and terminal entry on the host. */
export interface HostApps {
  /** Writes shortcuts for the apps in `appsDir` (`applications/`, `icons/`); stale ones go. */
  export(machine: string, appsDir: string, selfArgv: string[]): Promise<void>;
  /** Removes every shortcut and entry of the machine. */
  remove(machine: string): Promise<void>;
}

/** Host options from config.json. */
export interface HostAppsOptions {
  /** Start the tray with the desktop session (`tray.autostart`). */
  trayAutostart?: boolean;
}

/** The host integration for `paths.os`. */
export async function hostApps(
  paths: Paths,
  reporter: Reporter,
  opts: HostAppsOptions = {},
): Promise<HostApps> {
  if (paths.os === "windows") {
    const m = await import("./windows_apps.ts");
    return m.windowsHostApps(paths, reporter, opts);
  }
  const m = await import("./linux_apps.ts");
  return m.linuxHostApps(paths, reporter, opts);
}

/**
 * The certificates of the Windows certificate store (ROOT and CA) as a PEM bundle; undefined when
 * the store holds none. Windows only.
 */
export async function windowsCaBundle(): Promise<string | undefined> {
  const { readStoreCertificates } = await import("./windows/ffi/cert_store.ts");
  const { pemBundle } = await import("./windows/cert_bundle.ts");
  const bundle = pemBundle(readStoreCertificates());
  return bundle || undefined;
}

/** The tray's autostart entry (Linux: XDG autostart file, Windows: Startup folder shortcut). */
export async function trayAutostartFile(paths: Paths): Promise<string> {
  if (paths.os === "windows") {
    const { trayAutostartPath } = await import("./windows/autostart.ts");
    const { knownFolder } = await import("./windows/ffi/known_folders.ts");
    return trayAutostartPath(knownFolder("Startup"));
  }
  const { planAutostart } = await import("./linux/autostart.ts");
  return planAutostart(paths.autostartDir, false, "").path;
}
