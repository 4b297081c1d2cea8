/**
 * codchi's top level: reads argv, answers `--version` / `--help` and runs `exec` and `status`
 * directly (their plain forms), and loads the full parser, with only the invoked command's
 * module, for everything else. Returns the exit code (only main.ts exits).
 */
import { VERSION } from "../version.ts";
import { UsageError } from "../errors.ts";
import { Ui, uiOptions } from "../ui.ts";
import { commandIndex, fastPath, protectExecArgs, scanGlobalFlags } from "./argv.ts";
import { findCommand, rootHelp, rootHelpJson, suggestCommands } from "./commands.ts";
import { reportError } from "./report.ts";

/** Prints the version (`{"version": …}` with --json). */
export function printVersion(ui: Ui): void {
  if (ui.opts.json) ui.json({ version: VERSION });
  else ui.print(VERSION);
}

/** Prints the top-level help (as data with --json). */
export function printRootHelp(ui: Ui): void {
  if (ui.opts.json) ui.json(rootHelpJson());
  else ui.print(rootHelp());
}

/** A UsageError for a word that is no command, suggesting the closest ones. */
export function unknownCommand(word: string): UsageError {
  const close = suggestCommands(word);
  return new UsageError(
    `Unknown command '${word}'.${close.length ? ` Did you mean ${close.join(" or ")}?` : ""}`,
    "Run `codchi --help` for the list of commands.",
  );
}

/** Runs codchi with `argv` (without the program name); returns the exit code. */
export async function run(argv: string[], env = Deno.env.toObject()): Promise<number> {
  const args = protectExecArgs(argv);
  const ui = new Ui(
    uiOptions(scanGlobalFlags(args), env, Deno.stdout.isTerminal(), Deno.stderr.isTerminal()),
  );
  try {
    const fast = fastPath(args);
    if (fast?.kind === "version") printVersion(ui);
    else if (fast?.kind === "help") printRootHelp(ui);
    else if (fast?.kind === "exec" || fast?.kind === "status") {
      const { Context } = await import("./context.ts");
      const ctx = new Context(env, ui);
      if (fast.kind === "exec") {
        const { execAction } = await import("./exec_action.ts");
        await execAction(ctx, fast.name, fast.cmd);
      } else {
        const { statusAction } = await import("./status_action.ts");
        await statusAction(ctx);
      }
      ui.done();
      return ctx.exitCode;
    } else {
      const i = commandIndex(args);
      if (i >= 0 && args[i] === "help") {
        // `codchi help [command]`: the top level's own help, or the command's from the parser.
        const target = args.slice(i + 1).find((a) => !a.startsWith("-"));
        if (target === undefined) {
          printRootHelp(ui);
          return 0;
        }
        if (!findCommand(target)) throw unknownCommand(target);
      } else if (i >= 0 && !findCommand(args[i])) throw unknownCommand(args[i]);
      const { runParsed } = await import("./program.ts");
      const code = await runParsed(args, ui, env);
      ui.done();
      return code;
    }
    return 0;
  } catch (e) {
    ui.done();
    return reportError(e, ui);
  }
}
