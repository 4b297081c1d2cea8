/** `codchi init`: create a machine from modules (or an empty base machine). */
import { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { machineArg, withInputOptions } from "./options.ts";
import { initMachine } from "../core/lifecycle.ts";
import { afterInit } from "./init_after.ts";

/** Builds the `init` command. */
export function initCommand(ctx: Context) {
  return withInputOptions(
    new Command("init")
      .description("create a code machine from a NixOS module in a git repo (or an empty one)")
      .argument("<name>", "machine name", machineArg)
      .argument("[url]", "git repo URL of a flake, or a path relative to the machine's home")
      .argument("[module-paths...]", "modules to use, e.g. nixosModules.default")
      .option(
        "-n, --dont-run-init",
        "do not run the machine's welcome and codchi.initScript (codchi-init) afterwards",
      ),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  codchi init empty\n  codchi init java https://github.com/acme/app nixosModules.jvm",
    )
    .action(async (name, url, modulePaths, opts) => {
      const res = await initMachine(ctx.core(opts.dontPrompt), {
        name,
        url,
        modulePaths,
        input: opts,
        runInit: !opts.dontRunInit,
      });
      const init = await afterInit(ctx, name, res.status, !opts.dontRunInit);
      ctx.ui.result(`Machine "${name}" is ${res.status}.`, { ...res, ...init });
    });
}
