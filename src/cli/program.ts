/**
 * The full command parser (commander), loaded only for invocations the top level (entry.ts) does
 * not answer itself. It loads only the module of the command that runs (all of them for the
 * completion commands, which describe the whole tree).
 */
import { Command, CommanderError } from "@commander-js/extra-typings";
import { VERSION } from "../version.ts";
import type { Ui } from "../ui.ts";
import { Context } from "./context.ts";
import { commandIndex } from "./argv.ts";
import { COMMANDS, DESCRIPTION, findCommand, GROUPS, rootHelp, rootHelpJson } from "./commands.ts";
import { printVersion } from "./top_text.ts";

export { VERSION };
export { protectExecArgs, scanGlobalFlags } from "./argv.ts";
export { reportError } from "./report.ts";

/** Names of the top-level commands `args` needs loaded (all: the completion commands). */
export function commandsFor(args: string[]): string[] | "all" {
  const i = commandIndex(args);
  if (i < 0) return ["status"];
  let word = args[i];
  if (word === "help") {
    const next = args.slice(i + 1).find((a) => !a.startsWith("-"));
    if (!next) return [];
    word = next;
  }
  const c = findCommand(word);
  if (!c) return [];
  if (c.name === "completion" || c.name === "complete") return "all";
  return [c.name];
}

/** Builds the command tree with the commands in `only` (default: every command). */
export async function buildProgram(ctx: Context, only: string[] | "all" = "all") {
  const program = new Command("codchi")
    .description(DESCRIPTION)
    .option("-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .option("--json", "machine-readable output on stdout")
    .option("-v, --verbose", "more output (repeat for more)", (_v, prev: number) => prev + 1, 0)
    .option("-q, --quiet", "only errors")
    .showSuggestionAfterError(true);
  program.on("option:version", () => {
    printVersion(ctx.ui);
    throw new CommanderError(0, "commander.version", VERSION);
  });
  const root = program as unknown as Command;
  root.helpInformation = () => rootHelp();
  const wanted = COMMANDS.filter((c) => c.load && (only === "all" || only.includes(c.name)));
  const built = await Promise.all(wanted.map(async (c) => [c, (await c.load!())(ctx)] as const));
  for (const [info, cmd] of built) {
    root.addCommand(cmd as unknown as Command, {
      isDefault: info.name === "status",
      hidden: info.hidden,
    });
  }
  if (only === "all") {
    const { addCompletion, machineNamesSync } = await import("./completion.ts");
    addCompletion(
      program as unknown as Command<[], Record<string, unknown>>,
      () => machineNamesSync(ctx.basePaths.machinesDir),
    );
    for (const c of root.commands) {
      const info = findCommand(c.name());
      if (info && !info.load) c.description(info.description);
    }
  }
  applyToTree(root, (c) => jsonHelp(c, ctx.ui));
  applyToTree(root, (c) => {
    c.exitOverride();
    c.configureOutput({
      writeOut: (s) => {
        if (ctx.ui.opts.json) Deno.stdout.writeSync(new TextEncoder().encode(s));
        else ctx.ui.print(s.replace(/\n$/, ""));
      },
      writeErr: (s) => {
        if (!ctx.ui.opts.json) Deno.stderr.writeSync(new TextEncoder().encode(s));
      },
      outputError: () => {},
    });
  });
  return program;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/** With --json, a command's help is data: usage, description, arguments, options, commands. */
function jsonHelp(cmd: Command, ui: Ui): void {
  const output = cmd.outputHelp.bind(cmd) as (context?: { error?: boolean }) => void;
  (cmd as { outputHelp: (context?: { error?: boolean }) => void }).outputHelp = (context) => {
    if (!ui.opts.json) return output(context);
    // On an error (a group without its subcommand) the JSON error says it all.
    if (context?.error) return;
    Deno.stdout.writeSync(new TextEncoder().encode(json(helpData(cmd))));
  };
}

function helpData(cmd: Command): unknown {
  if (!cmd.parent) return rootHelpJson();
  const help = cmd.createHelp();
  return {
    name: cmd.name(),
    aliases: cmd.aliases(),
    usage: help.commandUsage(cmd),
    description: cmd.description(),
    arguments: help.visibleArguments(cmd).map((a) => ({
      name: a.name(),
      description: a.description,
      required: a.required,
      variadic: a.variadic,
    })),
    options: help.visibleOptions(cmd).map((o) => ({ flags: o.flags, description: o.description })),
    commands: help.visibleCommands(cmd).map((c) => ({
      name: c.name(),
      aliases: c.aliases(),
      usage: help.subcommandTerm(c),
      description: c.description(),
    })),
    help: cmd.helpInformation(),
  };
}

function applyToTree(cmd: Command, fn: (c: Command) => void): void {
  fn(cmd);
  for (const c of cmd.commands) applyToTree(c as Command, fn);
}

/** Parses `args` and runs the command; returns the exit code (errors are thrown). */
export async function runParsed(
  args: string[],
  ui: Ui,
  env: Record<string, string>,
): Promise<number> {
  const ctx = new Context(env, ui);
  const only = commandsFor(args);
  const program = await buildProgram(ctx, only);
  const i = commandIndex(args);
  const group = i >= 0 ? findCommand(args[i]) : undefined;
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (e) {
    if (
      e instanceof CommanderError && e.code === "commander.help" && e.exitCode !== 0 &&
      group && GROUPS.has(group.name)
    ) {
      const { UsageError } = await import("../errors.ts");
      throw new UsageError(
        `\`codchi ${group.name}\` needs a subcommand.`,
        `Run \`codchi ${group.name} --help\` for them.`,
      );
    }
    throw e;
  }
  return ctx.exitCode;
}
