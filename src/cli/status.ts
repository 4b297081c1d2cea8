/** `codchi status`: every machine, its config status, whether it runs, where its files are. */
import { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { statusAction } from "./status_action.ts";

/** Builds the `status` command. */
export function statusCommand(ctx: Context) {
  return new Command("status")
    .description("show every machine: config status, running, home folder (the default command)")
    .addHelpText("after", "\nExample:\n  codchi status --json")
    .action(() => statusAction(ctx));
}
