/** The top-level texts (`--version`, `--help`), shared by entry.ts, run.ts and program.ts. */
import { VERSION } from "../version.ts";
import type { Ui } from "../ui.ts";

/** The `--version` output (`{"version": …}` with --json). */
export function versionText(json: boolean): string {
  return json ? JSON.stringify({ version: VERSION }, null, 2) + "\n" : `${VERSION}\n`;
}

/** The top-level help (as data with --json), from the command table. */
export async function rootHelpText(json: boolean): Promise<string> {
  const { rootHelp, rootHelpJson } = await import("./commands.ts");
  return json ? JSON.stringify(rootHelpJson(), null, 2) + "\n" : rootHelp();
}

/** Prints the version through `ui` (`{"version": …}` with --json). */
export function printVersion(ui: Ui): void {
  ui.raw(versionText(ui.opts.json));
}

/** Prints the top-level help through `ui` (as data with --json). */
export async function printRootHelp(ui: Ui): Promise<void> {
  ui.raw(await rootHelpText(ui.opts.json));
}
