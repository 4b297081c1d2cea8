/** `codchi duplicate`: copy a machine, config, lock, home and all. */
import { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { machineArg } from "./options.ts";
import { duplicateMachine } from "../core/lifecycle.ts";

/** Builds the `duplicate` command (alias `dup`). */
export function duplicateCommand(ctx: Context) {
  return new Command("duplicate")
    .alias("dup")
    .description("copy a machine with its config, flake.lock, home folder and secrets")
    .argument("<source>", "machine to copy", machineArg)
    .argument("<target>", "name of the copy", machineArg)
    .addHelpText("after", "\nExample:\n  codchi dup java java-experiment")
    .action(async (from, to) => {
      const res = await duplicateMachine(ctx.core(), from, to);
      ctx.ui.result(`Machine "${to}" is a copy of "${from}".`, res);
    });
}
