/** Typed errors. Only `main.ts` turns them into exit codes; every message says what to do next. */

/** Exit codes, documented in the README. */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  config: 5,
  tool: 6,
  notImplemented: 7,
  timeout: 8,
  prerequisite: 9,
  interrupted: 130,
} as const;

/** Base of every error codchi reports on purpose. */
export class CodchiError extends Error {
  /** Process exit code for this error. */
  readonly exitCode: number = ExitCode.internal;
  /** What the user can do about it (printed after the message). */
  readonly hint?: string;
  /** `cause`: the error this one explains (kept for -v and for tests, never shown as a bug). */
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** Bad command line or bad input value (exit 2). */
export class UsageError extends CodchiError {
  override readonly exitCode: number = ExitCode.usage;
}

/** A machine, module, secret or file that does not exist (exit 3). */
export class NotFoundError extends CodchiError {
  override readonly exitCode: number = ExitCode.notFound;
}

/** Something already exists, or is held by another codchi process (exit 4). */
export class ConflictError extends CodchiError {
  override readonly exitCode: number = ExitCode.conflict;
}

/** A config file that is broken, has unknown keys or wrong types (exit 5). */
export class ConfigError extends CodchiError {
  override readonly exitCode: number = ExitCode.config;
}

/**
 * A machine's or the store's container is not what codchi made (missing or foreign mounts,
 * half-made); it is never used. The hint names the `recover` that fixes it (exit 5).
 */
export class BrokenError extends CodchiError {
  override readonly exitCode: number = ExitCode.config;
}

/** The disk is full: names the path and the space needed (exit 6). */
export class DiskFullError extends CodchiError {
  override readonly exitCode: number = ExitCode.tool;
}

/** An external tool (lxc, wsl.exe, nix, …) failed; carries the tail of its stderr (exit 6). */
export class ToolError extends CodchiError {
  override readonly exitCode: number = ExitCode.tool;
  constructor(
    readonly tool: string,
    message: string,
    readonly stderrTail = "",
    readonly code = -1,
    hint?: string,
    options?: { cause?: unknown },
  ) {
    super(stderrTail ? `${message}\n${indent(stderrTail)}` : message, hint, options);
  }
}

/** A command whose backend does not exist on this host or in this build yet (exit 7). */
export class NotImplementedError extends CodchiError {
  override readonly exitCode: number = ExitCode.notImplemented;
}

/** A bounded wait ran out (exit 8). */
export class TimeoutError extends CodchiError {
  override readonly exitCode: number = ExitCode.timeout;
}

/** The host lacks something codchi needs; the hint names the fix (exit 9). */
export class PrerequisiteError extends CodchiError {
  override readonly exitCode: number = ExitCode.prerequisite;
}

/** The user pressed Ctrl-C or declined a confirmation (exit 130). */
export class InterruptedError extends CodchiError {
  override readonly exitCode: number = ExitCode.interrupted;
}

/** Last `n` non-empty lines of a tool's output, for error messages. */
export function tail(text: string, n = 12): string {
  const lines = text.split("\n").map((l) => l.trimEnd()).filter((l) => l !== "");
  return lines.slice(-n).join("\n");
}

function indent(text: string): string {
  return text.split("\n").map((l) => `  | ${l}`).join("\n");
}

/** A driver reports that the machine (or store) is not running; the core starts it and retries. */
export class NotRunningError extends CodchiError {
  override readonly exitCode: number = ExitCode.tool;
  constructor(readonly machine: string) {
    super(`${machine} is not running.`, `Start it with: codchi exec ${machine} true`);
  }
}

/** Whether a file-system error says access was denied (a file's mode, or a read-only disk). */
export function isAccessDenied(e: unknown): boolean {
  if (e instanceof Deno.errors.PermissionDenied) return true;
  const msg = e instanceof Error ? e.message : String(e);
  return /permission denied \(os error 13\)|read-only file system|os error 30\b/i.test(msg);
}

/** The path a Deno file-system error names (`…: open '/x'`), if any. */
function errorPath(msg: string): string | undefined {
  return /[,:] (?:open|write\w*|read\w*|copy\w*|mkdir|rename|remove|stat|lstat|chmod|chown)[^']*'([^']+)'/
    .exec(msg)?.[1];
}

/** Whether a file-system error says the disk (or quota) is full. */
export function isDiskFull(e: unknown): boolean {
  const msg = e instanceof Error ? e.message : String(e);
  return /no space left on device|disk quota exceeded|os error 28\b|ENOSPC/i.test(msg);
}

/**
 * The typed error for a raw one where codchi knows its meaning (a full disk, a file-system
 * error naming a path); anything else is returned unchanged (a bug: exit 1).
 */
export function typedError(e: unknown): unknown {
  if (e instanceof CodchiError) return e;
  if (isAccessDenied(e)) {
    const path = errorPath((e as Error).message);
    return new PrerequisiteError(
      `Permission denied${path ? ` (${path})` : ""}.`,
      `Check the owner and mode of ${path ?? "codchi's folders"}: codchi runs as your user.`,
      { cause: e },
    );
  }
  if (isDiskFull(e)) {
    const path = errorPath((e as Error).message);
    return new DiskFullError(
      `The disk is full${path ? ` (writing ${path})` : ""}.`,
      "Free some space (e.g. codchi gc), then run the command again.",
      { cause: e },
    );
  }
  return e;
}
