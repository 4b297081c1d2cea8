/**
 * What `codchiw.exe` (the console-less launcher of GUI shortcuts) shows when a command fails: a
 * message box with the error and its hint, since nobody sees its stderr. Pure: the text only.
 */
import { joinArgs } from "./cmdline.ts";

/** A failed command as codchi reports it (see src/cli/report.ts). */
export interface FailureReport {
  /** Error class name (`UsageError`, …; `InternalError` for a bug). */
  type: string;
  message: string;
  hint?: string;
  exitCode: number;
}

/** A message box's caption and text. */
export interface BoxText {
  caption: string;
  text: string;
}

/** Lines of the message kept in the box (a long tool output keeps its head and its tail). */
export const MAX_BOX_LINES = 24;
/** Characters per line kept in the box. */
export const MAX_BOX_LINE = 160;

/** True when `execPath` is the console-less launcher (`codchiw.exe`, any case, any folder). */
export function isWindowlessLauncher(execPath: string): boolean {
  const base = execPath.split(/[\\/]/).pop() ?? "";
  return base.toLowerCase() === "codchiw.exe";
}

/** Shortens `text` to `MAX_BOX_LINES` lines of at most `MAX_BOX_LINE` characters. */
export function clipLines(text: string): string {
  const lines = text.replace(/\r\n/g, "\n").trimEnd().split("\n").map((l) =>
    l.length > MAX_BOX_LINE ? `${l.slice(0, MAX_BOX_LINE - 1)}…` : l
  );
  if (lines.length <= MAX_BOX_LINES) return lines.join("\n");
  const head = Math.ceil((MAX_BOX_LINES - 1) / 2);
  const tail = MAX_BOX_LINES - 1 - head;
  const cut = lines.length - head - tail;
  return [...lines.slice(0, head), `… (${cut} more lines)`, ...lines.slice(-tail)].join("\n");
}

/** The message box of a failed `codchi <argv…>`: caption names the command, text the fix. */
export function errorBoxText(report: FailureReport, argv: readonly string[]): BoxText {
  const words = argv.filter((a) => !a.startsWith("-")).slice(0, 2);
  const caption = words.length ? `codchi ${words.join(" ")} failed` : "codchi failed";
  const parts = [clipLines(report.message)];
  if (report.hint) parts.push(clipLines(report.hint));
  if (report.type === "InternalError") {
    parts.push("This is a bug in codchi; please report it with this text.");
  }
  const cmd = clipLines(`codchi ${joinArgs(argv)}`.trimEnd());
  parts.push(`Command: ${cmd}\nExit code: ${report.exitCode} (${report.type})`);
  return { caption, text: parts.join("\n\n") };
}
