/** `codchi tar`: export a machine as a standalone NixOS (state, home, /etc/nixos flake). */
import { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { machineArg } from "./options.ts";
import { tarMachine } from "../core/lifecycle.ts";

/** Builds the `tar` command. */
export function tarCommand(ctx: Context) {
  return new Command("tar")
    .description(
      "export the machine as a standalone NixOS: state, home and /etc/nixos flake (.tar, .tar.gz, .tar.zst)",
    )
    .argument("<name>", "machine name", machineArg)
    .argument(
      "<file>",
      "archive to write; its ending picks the compression: .tar, .tar.gz, .tar.zst",
    )
    .option("--with-secrets", "include the machine's secret values (left out by default)")
    .addHelpText(
      "after",
      "\nExamples:\n  codchi tar java java.tar.zst\n  codchi tar java /backups/java.tar.gz --with-secrets",
    )
    .action(async (name, file, opts) => {
      const res = await tarMachine(ctx.core(), name, file, { withSecrets: !!opts.withSecrets });
      ctx.ui.result(`Wrote ${res.file}.`, res);
    });
}
