/** The XDG autostart entry that starts `codchi tray` at login (pure plan + tiny effect). */
import { posix } from "node:path";
import { escapeValue, literalArg, renderDesktopFile, renderExec } from "./desktop_entry.ts";
import { removeIfExists, writeAtomic } from "./host_fs.ts";

/** File name of the tray's autostart entry. */
export const AUTOSTART_FILE = "codchi-tray.desktop";

/** The autostart entry's content for a codchi binary at `codchi`. */
export function autostartEntry(codchi: string): string {
  return renderDesktopFile({
    groups: [{
      name: "Desktop Entry",
      keys: [
        { key: "Type", value: "Application" },
        { key: "Version", value: "1.4" },
        { key: "Name", value: "Codchi tray" },
        { key: "Comment", value: escapeValue("Tray icon to start, stop and open code machines") },
        { key: "Icon", value: "utilities-terminal" },
        { key: "Exec", value: renderExec([codchi, "tray"].map(literalArg)) },
        { key: "Terminal", value: "false" },
        { key: "NoDisplay", value: "true" },
        { key: "X-GNOME-Autostart-enabled", value: "true" },
      ],
    }],
  });
}

/** What autostart should look like: the file with its content, or its absence. */
export function planAutostart(
  autostartDir: string,
  enabled: boolean,
  codchi: string,
): { path: string; text?: string } {
  const path = posix.join(autostartDir, AUTOSTART_FILE);
  return enabled ? { path, text: autostartEntry(codchi) } : { path };
}

/** Writes or removes the autostart entry according to a plan. */
export async function applyAutostart(plan: { path: string; text?: string }): Promise<void> {
  if (plan.text !== undefined) await writeAtomic(plan.path, plan.text);
  else await removeIfExists(plan.path);
}
