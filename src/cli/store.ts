/** `codchi store debug|recover`: the shared store container. */
import { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { machineArg } from "./options.ts";
import { recoverMachine, recoverStore, storeShell } from "../core/store.ts";

/** Builds the `store` command. */
export function storeCommand(ctx: Context) {
  const store = new Command("store").description("the shared Nix store container (codchistore)")
    .addHelpText("after", "\nExamples:\n  codchi store debug\n  codchi store recover");
  store.command("debug")
    .description(
      "a root shell (or the command after --) in the store container; works with a dead nix-daemon",
    )
    .argument("[cmd...]", "command to run instead of a shell (after --)")
    .addHelpText(
      "after",
      "\nExamples:\n  codchi store debug\n  codchi store debug -- journalctl -u codchi-nix-daemon",
    )
    .action(async (cmd) => {
      ctx.exitCode = await storeShell(ctx.core(), cmd);
    });
  store.command("recover")
    .description("re-create the store container from its image, keeping /nix")
    .addHelpText("after", "\nExample:\n  codchi store recover")
    .action(async () => {
      await recoverStore(ctx.core());
      ctx.ui.result("The store was re-created.", { recovered: "store" });
    });
  return store;
}

/** Builds the top-level `recover` command (a machine's root from its image). */
export function recoverCommand(ctx: Context) {
  return new Command("recover")
    .description("re-create a machine's container from the machine image, keeping its home")
    .argument("<name>", "machine name", machineArg)
    .addHelpText("after", "\nExample:\n  codchi recover java")
    .action(async (name) => {
      await recoverMachine(ctx.core(), name);
      ctx.ui.result(`Machine "${name}" was re-created.`, { recovered: name });
    });
}
