/** Turns an error into its message (text or JSON on stderr) and exit code. */
import { CodchiError, ExitCode, typedError, UsageError } from "../errors.ts";
import { redact } from "../process.ts";
import type { Ui } from "../ui.ts";

/** A commander error (recognised by its code, so this module does not load commander). */
interface ParserError {
  code: string;
  exitCode: number;
  message: string;
}

function isParserError(e: unknown): e is ParserError {
  const code = e instanceof Error ? (e as unknown as { code?: unknown }).code : undefined;
  return typeof code === "string" && code.startsWith("commander.");
}

/** Prints an error (text or JSON on stderr) and returns its exit code. */
export function reportError(e: unknown, ui: Ui): number {
  if (isParserError(e)) {
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return ExitCode.ok;
    if (e.code === "commander.help") {
      if (e.exitCode === 0) return ExitCode.ok;
      // A command group run without its subcommand: its help is on stderr already.
      return reportError(
        new UsageError("A subcommand is missing.", "Run it with one of the commands above."),
        ui,
      );
    }
    const msg = e.message.replace(/^error: /, "");
    return reportError(
      new UsageError(msg, "Run `codchi --help` or `codchi <command> --help`."),
      ui,
    );
  }
  e = typedError(e);
  const err = e instanceof CodchiError ? e : undefined;
  const exitCode = err?.exitCode ?? ExitCode.internal;
  const message = redact(
    err ? err.message : (e instanceof Error ? e.stack ?? e.message : String(e)),
  );
  const hint = err?.hint ? redact(err.hint) : undefined;
  const enc = new TextEncoder();
  if (ui.opts.json) {
    const body = { error: { type: err?.name ?? "InternalError", message, hint, exitCode } };
    Deno.stderr.writeSync(enc.encode(JSON.stringify(body) + "\n"));
  } else {
    const head = ui.opts.errColor ? "\x1b[31merror:\x1b[0m" : "error:";
    let text = `${head} ${message}\n`;
    if (hint) text += `${hint}\n`;
    // -v: what the typed error explains (a tool's or the file system's own error).
    if (err?.cause !== undefined && ui.opts.verbose > 0) {
      const c = err.cause;
      text += redact(`caused by: ${c instanceof Error ? `${c.name}: ${c.message}` : String(c)}`) +
        "\n";
    }
    if (!err) text += "This is a bug in codchi; please report it with the output above.\n";
    Deno.stderr.writeSync(enc.encode(text));
  }
  return exitCode;
}
