/** `codchi rebuild`: update the lock (unless -n), build in the store, activate, refresh shortcuts. */
import { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { machineArg } from "./options.ts";
import { rebuildMachine } from "../core/lifecycle.ts";

/** Builds the `rebuild` command. */
export function rebuildCommand(ctx: Context) {
  return new Command("rebuild")
    .description("update the modules (unless --no-update), build and activate the machine")
    .argument("<name>", "machine name", machineArg)
    .option("-n, --no-update", "keep flake.lock as it is")
    .option("-y, --dont-prompt", "never ask (missing secrets become an error)")
    .addHelpText("after", "\nExample:\n  codchi rebuild java --no-update")
    .action(async (name, opts) => {
      const res = await rebuildMachine(ctx.core(opts.dontPrompt), name, { update: opts.update });
      ctx.ui.result(`Machine "${name}" is ${res.status}.`, res);
    });
}
