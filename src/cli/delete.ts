/** `codchi delete`: stop and remove a machine and everything codchi made for it. */
import { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { machineArg } from "./options.ts";
import { deleteMachine } from "../core/lifecycle.ts";

/** Builds the `delete` command. */
export function deleteCommand(ctx: Context) {
  return new Command("delete")
    .alias("rm")
    .description("delete a machine: container, config, home folder, shortcuts, secrets")
    .argument("<name>", "machine name", machineArg)
    .option("--i-am-really-sure", "do not ask for confirmation")
    .addHelpText("after", "\nExample:\n  codchi delete java --i-am-really-sure")
    .action(async (name, opts) => {
      await deleteMachine(ctx.core(), name, { sure: !!opts.iAmReallySure });
      ctx.ui.result(`Machine "${name}" deleted.`, { name, deleted: true });
    });
}
