/** `codchi tray` (hidden): the tray icon process. */
import { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { runTray } from "../core/tray.ts";

/** Builds the hidden `tray` command. */
export function trayCommand(ctx: Context) {
  return new Command("tray")
    .description("run the tray icon (started by the desktop session)")
    .addHelpText("after", "\nExample:\n  codchi tray")
    .action(async () => {
      await runTray(ctx.core());
    });
}
