/** `codchi tar`: export a machine's files plus a standalone NixOS flake. */
import { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { machineArg } from "./options.ts";
import { tarMachine } from "../core/lifecycle.ts";

/** Builds the `tar` command. */
export function tarCommand(ctx: Context) {
  return new Command("tar")
    .description(
      "export the machine's files and a standalone flake (rebuildable as a plain NixOS VM)",
    )
    .argument("<name>", "machine name", machineArg)
    .argument("<file>", "tar file to write")
    .option("--with-secrets", "include the machine's secret values (left out by default)")
    .addHelpText("after", "\nExample:\n  codchi tar java java.tar")
    .action(async (name, file, opts) => {
      const res = await tarMachine(ctx.core(), name, file, { withSecrets: !!opts.withSecrets });
      ctx.ui.result(`Wrote ${res.file}.`, res);
    });
}
