/** `codchi exec`: run a command (or a login shell) in a machine, starting it when needed. */
import { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { machineArg } from "./options.ts";
import { execAction } from "./exec_action.ts";

/** Builds the `exec` command (alias `run`). Everything after the name is passed untouched. */
export function execCommand(ctx: Context) {
  return new Command("exec")
    .alias("run")
    .description("run a command in a machine as its user, in a login session (default: a shell)")
    .argument("<name>", "machine name", machineArg)
    .argument("[cmd...]", "command and arguments, passed exactly; use -- before options")
    .addHelpText(
      "after",
      "\nExamples:\n  codchi exec java\n  codchi exec java -- idea-community\n  codchi exec java -- ls -la",
    )
    .action((name, cmd) => execAction(ctx, name, cmd));
}
