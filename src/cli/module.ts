/** `codchi module list|add|set|delete`: the NixOS modules a machine is made of. */
import { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { machineArg, withInputOptions } from "./options.ts";
import { addModule, deleteModule, listModules, setModule } from "../core/modules.ts";
import { renderTable } from "../ui.ts";

/** Builds the `module` command (alias `mod`). */
export function moduleCommand(ctx: Context) {
  const mod = new Command("module").alias("mod").description("manage a machine's modules")
    .addHelpText(
      "after",
      "\nExamples:\n  codchi module list java\n" +
        "  codchi module add java https://github.com/acme/tools nixosModules.cli",
    );
  mod.command("list").alias("ls")
    .description("list the machine's modules")
    .argument("<machine>", "machine name", machineArg)
    .addHelpText("after", "\nExample:\n  codchi module list java --json")
    .action(async (machine) => {
      const mods = await listModules(ctx.core(), machine);
      ctx.ui.result(
        mods.length
          ? renderTable(
            ["NAME", "URL", "MODULE"],
            mods.map((m) => [m.name, m.url, m.flake_module]),
            ctx.ui.opts.color,
          )
          : `Machine "${machine}" has no modules (an empty base machine).`,
        mods,
      );
    });
  mod.addCommand(
    withInputOptions(
      new Command("add")
        .description("add modules from a repo URL or a path relative to the machine's home")
        .argument("<machine>", "machine name", machineArg)
        .argument("<url>", "git repo URL of a flake, or a path relative to the machine's home")
        .argument("[module-paths...]", "modules to use, e.g. nixosModules.default"),
    )
      .addHelpText(
        "after",
        "\nExample:\n  codchi module add java https://github.com/acme/tools nixosModules.cli",
      )
      .action(async (machine, url, modulePaths, opts) => {
        const res = await addModule(ctx.core(opts.dontPrompt), machine, url, modulePaths, opts);
        ctx.ui.result(`Added ${res.added.join(", ")} to "${machine}".`, res);
      }),
  );
  mod.addCommand(
    withInputOptions(
      new Command("set")
        .description("change a module's URL, name or module path")
        .argument("<machine>", "machine name", machineArg)
        .argument("<module>", "module name (see codchi module list)")
        .option("-u, --url <url>", "new URL")
        .option("-n, --new-name <name>", "new module name")
        .option("-m, --module-path <path>", "new module path, e.g. nixosModules.default"),
    )
      .addHelpText("after", "\nExample:\n  codchi module set java app-jvm --branch develop")
      .action(async (machine, module, opts) => {
        const res = await setModule(ctx.core(opts.dontPrompt), machine, module, opts);
        ctx.ui.result(`Module "${res.name}" of "${machine}" updated.`, res);
      }),
  );
  mod.command("delete").aliases(["rm", "remove"])
    .description("remove a module from the machine")
    .argument("<machine>", "machine name", machineArg)
    .argument("<module>", "module name")
    .option("-N, --no-build", "do not rebuild afterwards")
    .addHelpText("after", "\nExample:\n  codchi module rm java app-jvm")
    .action(async (machine, module, opts) => {
      const res = await deleteModule(ctx.core(), machine, module, { build: opts.build });
      ctx.ui.result(`Module "${module}" removed from "${machine}".`, res);
    });
  return mod;
}
