/** `codchi uninstall`: removes codchi's machines, store, images, host entries and folders. */
import { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { uninstall } from "../core/uninstall.ts";

/** Builds the `uninstall` command. */
export function uninstallCommand(ctx: Context) {
  return new Command("uninstall")
    .description(
      "remove every machine, the store, images, shortcuts, secrets and codchi's folders " +
        "(not the codchi program itself: see the README)",
    )
    .option("--i-am-really-sure", "do not ask for confirmation (needed without a terminal)")
    .addHelpText("after", "\nExample:\n  codchi uninstall --i-am-really-sure")
    .action(async (opts) => {
      const removed = await uninstall(ctx.core(), { sure: !!opts.iAmReallySure });
      ctx.ui.result(
        removed.length
          ? `Removed:\n${removed.map((r) => `  ${r}`).join("\n")}\n` +
            "codchi's data is gone; remove the program itself as the README's Uninstall section says."
          : "Nothing of codchi was found on this computer.",
        { removed },
      );
    });
}
