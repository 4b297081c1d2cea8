/** `codchi clone`: init, then git clone the repo into the machine and use the local checkout. */
import { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { machineArg, parseCount, withInputOptions } from "./options.ts";
import { cloneMachine } from "../core/lifecycle.ts";

/** Builds the `clone` command. */
export function cloneCommand(ctx: Context) {
  return withInputOptions(
    new Command("clone")
      .description("create a machine, then git clone the repo into its home and use that checkout")
      .argument("<name>", "machine name", machineArg)
      .argument("<url>", "git repo URL of a flake")
      .argument("[module-paths...]", "modules to use, e.g. nixosModules.default")
      .option("--depth <n>", "git clone --depth", parseCount)
      .option("--single-branch", "git clone --single-branch")
      .option("--recurse-submodules", "git clone --recurse-submodules")
      .option("--shallow-submodules", "git clone --shallow-submodules")
      .option("-d, --dir <dir>", "folder in the machine's home (default: the repo name)")
      .option("-r, --keep-remote", "keep using the remote module instead of the checkout"),
  )
    .addHelpText(
      "after",
      "\nExample:\n  codchi clone app https://github.com/acme/app nixosModules.dev",
    )
    .action(async (name, url, modulePaths, opts) => {
      const res = await cloneMachine(ctx.core(opts.dontPrompt), {
        name,
        url,
        modulePaths,
        input: opts,
        git: {
          depth: opts.depth,
          singleBranch: !!opts.singleBranch,
          recurseSubmodules: !!opts.recurseSubmodules,
          shallowSubmodules: !!opts.shallowSubmodules,
        },
        dir: opts.dir,
        keepRemote: !!opts.keepRemote,
      });
      ctx.ui.result(`Machine "${name}" is ${res.status}; the checkout is ~/${res.dir}.`, res);
    });
}
