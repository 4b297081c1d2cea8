/**
 * The tray's autostart entry on Windows: a shortcut in the user's Startup folder that runs the
 * console-less `codchiw.exe tray` at logon (pure plan; the caller writes or removes it).
 */
import { win32 } from "node:path";
import { joinArgs } from "./cmdline.ts";
import { envForm, type Launcher } from "./launcher.ts";
import type { ShellLink } from "./lnk.ts";

/** File name of the tray's shortcut in the Startup folder. */
export const TRAY_AUTOSTART_FILE = "Codchi tray.lnk";

/** Where the tray's shortcut lives in `startupDir`. */
export function trayAutostartPath(startupDir: string): string {
  return win32.join(startupDir, TRAY_AUTOSTART_FILE);
}

/** The shortcut that starts the tray without a console window. */
export function trayAutostartLink(
  launcher: Launcher,
  env: Record<string, string | undefined>,
  workingDir: string | undefined,
): ShellLink {
  const target = launcher.codchiw;
  return {
    target,
    targetEnv: envForm(target, env),
    arguments: joinArgs([...(launcher.prefixArgs ?? []), "tray"]),
    description: "Codchi tray: start, stop and open code machines",
    workingDir,
    iconLocation: target,
    showCommand: 7,
  };
}
