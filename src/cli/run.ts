/**
 * Runs one command after the top level (entry.ts): `exec` and `status` in their plain forms
 * directly, everything else through the full parser (program.ts), which loads only the invoked
 * command's module. Errors become their message and exit code here.
 */
import { UsageError } from "../errors.ts";
import type { ErrorReport } from "./report.ts";
import { Ui, uiOptions } from "../ui.ts";
import { commandIndex, type FastPath, type GlobalFlags } from "./argv.ts";
import { printRootHelp } from "./top_text.ts";
import { Context } from "./context.ts";
import { statusAction } from "./status_action.ts";
// Loaded with this module (one module graph instead of one per dynamic import, which costs
// exec time and memory); createDriver's import of them then finds them loaded.
import "../driver/lxd/mod.ts";
import "../driver/lxd/session.ts";

/** A UsageError for a word that is no command, suggesting the closest ones. */
export async function unknownCommand(word: string): Promise<UsageError> {
  const { suggestCommands } = await import("./commands.ts");
  const close = suggestCommands(word);
  return new UsageError(
    `Unknown command '${word}'.${close.length ? ` Did you mean ${close.join(" or ")}?` : ""}`,
    "Run `codchi --help` for the list of commands.",
  );
}

/** Runs the command of `args` (after `protectExecArgs`); returns the exit code. */
export async function runCommand(
  args: string[],
  flags: GlobalFlags,
  fast: FastPath | undefined,
  env: Record<string, string>,
): Promise<number> {
  const ttys = [Deno.stdout.isTerminal(), Deno.stderr.isTerminal()] as const;
  let ui: Ui;
  try {
    ui = new Ui(uiOptions(flags, env, ...ttys));
  } catch (e) {
    // A bad CODCHI_LOG: said with the default level, before anything else happens.
    const { reportError } = await import("./report.ts");
    return reportError(
      e,
      new Ui(uiOptions({ json: flags.json }, { NO_COLOR: env.NO_COLOR }, ...ttys)),
    );
  }
  try {
    if (Deno.build.os === "windows") {
      // Codchi on Windows keeps its tray running: every call starts it when none runs.
      const { startTrayIfWanted } = await import("./tray_start.ts");
      const i = commandIndex(args);
      await startTrayIfWanted(new Context(env, ui), i >= 0 ? args[i] : undefined);
    }
    if (fast?.kind === "exec" || fast?.kind === "status") {
      const ctx = new Context(env, ui);
      if (fast.after?.kind === "failed") throw fast.after.error; // from a fast path
      if (fast.kind === "exec") {
        // Loaded here: a plain exec mostly ends in its fast path (exec_fast.ts) before run.ts.
        const { execAction } = await import("./exec_action.ts");
        await execAction(ctx, fast.name, fast.cmd, fast.after?.kind === "exit1");
      } else await statusAction(ctx);
      ui.done();
      return ctx.exitCode;
    }
    const { findCommand } = await import("./commands.ts");
    const i = commandIndex(args);
    if (i >= 0 && args[i] === "help") {
      // `codchi help [command]`: the top level's own help, or the command's from the parser.
      const target = args.slice(i + 1).find((a) => !a.startsWith("-"));
      if (target === undefined) {
        await printRootHelp(ui);
        return 0;
      }
      if (!findCommand(target)) throw await unknownCommand(target);
    } else if (i >= 0 && !findCommand(args[i])) throw await unknownCommand(args[i]);
    const { runParsed } = await import("./program.ts");
    const code = await runParsed(args, ui, env);
    ui.done();
    return code;
  } catch (e) {
    ui.done();
    const { errorReport, reportError } = await import("./report.ts");
    const report = errorReport(e);
    if (report && Deno.build.os === "windows") await showErrorBoxIfWindowless(report, args);
    return reportError(e, ui);
  }
}

/** In `codchiw.exe` (no console, started by a shortcut) a failure is shown in a message box. */
async function showErrorBoxIfWindowless(report: ErrorReport, args: string[]): Promise<void> {
  const { errorBoxText, isWindowlessLauncher } = await import("../host/windows/error_box.ts");
  if (!isWindowlessLauncher(Deno.execPath())) return;
  const { showErrorBox } = await import("../host/windows/ffi/message_box.ts");
  try {
    await showErrorBox(errorBoxText(report, args));
  } catch {
    // No user32 (a server core): the error goes to stderr only.
  }
}
