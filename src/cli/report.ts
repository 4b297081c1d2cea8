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

/** An error as codchi reports it: its type, message and hint (redacted), and exit code. */
export interface ErrorReport {
  type: string;
  message: string;
  hint?: string;
  exitCode: number;
  /** What a typed error explains (a tool's or the file system's own error), redacted. */
  cause?: string;
}

/** What `e` is reported as; undefined for the parser's "help shown" (exit 0, nothing to report). */
export function errorReport(e: unknown): ErrorReport | undefined {
  if (isParserError(e)) {
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return undefined;
    if (e.code === "commander.help") {
      if (e.exitCode === 0) return undefined;
      // A command group run without its subcommand: its help is on stderr already.
      return errorReport(
        new UsageError("A subcommand is missing.", "Run it with one of the commands above."),
      );
    }
    const msg = e.message.replace(/^error: /, "");
    return errorReport(
      new UsageError(msg, "Run `codchi --help` or `codchi <command> --help`."),
    );
  }
  e = typedError(e);
  const err = e instanceof CodchiError ? e : undefined;
  return {
    type: err?.name ?? "InternalError",
    message: redact(err ? err.message : (e instanceof Error ? e.stack ?? e.message : String(e))),
    hint: err?.hint ? redact(err.hint) : undefined,
    exitCode: err?.exitCode ?? ExitCode.internal,
    cause: err?.cause === undefined ? undefined : redact(
      err.cause instanceof Error ? `${err.cause.name}: ${err.cause.message}` : String(err.cause),
    ),
  };
}

/** Prints an error (text or JSON on stderr) and returns its exit code. */
export function reportError(e: unknown, ui: Ui): number {
  const r = errorReport(e);
  if (!r) return ExitCode.ok;
  let text: string;
  if (ui.opts.json) {
    const body = {
      error: { type: r.type, message: r.message, hint: r.hint, exitCode: r.exitCode },
    };
    text = JSON.stringify(body) + "\n";
  } else {
    const head = ui.opts.errColor ? "\x1b[31merror:\x1b[0m" : "error:";
    text = `${head} ${r.message}\n`;
    if (r.hint) text += `${r.hint}\n`;
    // -v: what the typed error explains (a tool's or the file system's own error).
    if (r.cause !== undefined && ui.opts.verbose > 0) text += `caused by: ${r.cause}\n`;
    if (r.type === "InternalError") {
      text += "This is a bug in codchi; please report it with the output above.\n";
    }
  }
  try {
    Deno.stderr.writeSync(new TextEncoder().encode(text));
  } catch {
    // No stderr (codchiw.exe has no console): the error box has shown it.
  }
  return r.exitCode;
}
