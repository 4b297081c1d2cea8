/** `codchi clone`: a machine whose module is a git checkout in its home, cloned by the store. */
import { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { machineArg, parseCount, withInputOptions } from "./options.ts";
import { cloneMachine } from "../core/clone.ts";
import { afterInit } from "./init_after.ts";

/** Builds the `clone` command. */
export function cloneCommand(ctx: Context) {
  return withInputOptions(
    new Command("clone")
      .description(
        "create a machine whose module is a git checkout in its home (cloned by the store's " +
          "git, owned by the machine user); -N clones without building",
      )
      .argument("<name>", "machine name", machineArg)
      .argument("<url>", "git repo URL of a flake")
      .argument("[module-paths...]", "modules to use, e.g. nixosModules.default")
      .option("--depth <n>", "git clone --depth", parseCount)
      .option("--single-branch", "git clone --single-branch")
      .option("--recurse-submodules", "git clone --recurse-submodules")
      .option("--shallow-submodules", "git clone --shallow-submodules")
      .option("-d, --dir <dir>", "folder in the machine's home (default: the repo name)")
      .option("-r, --keep-remote", "keep using the remote module instead of the checkout")
      .option(
        "-n, --dont-run-init",
        "do not run the machine's welcome and codchi.initScript (codchi-init) afterwards",
      ),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  codchi clone app https://github.com/acme/app nixosModules.dev\n" +
        "  codchi clone app https://git.example.com/team/app nixosModules.dev --tag v1 --auth -",
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
        runInit: !opts.dontRunInit,
      });
      const init = await afterInit(ctx, name, res.status, !opts.dontRunInit);
      ctx.ui.result(`Machine "${name}" is ${res.status}; the checkout is ~/${res.dir}.`, {
        ...res,
        ...init,
      });
    });
}
