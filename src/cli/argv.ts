/** codchi's argv before any command module is loaded: global flags, exec's operands, fast paths. */

/** Global flags, read before the command runs. */
export interface GlobalFlags {
  json?: boolean;
  verbose: number;
  quiet?: boolean;
}

/**
 * Scans argv for the global flags (they may stand anywhere before an exec'd command). Pass argv
 * through `protectExecArgs` first, so the flags of an exec'd command are not taken for codchi's.
 */
export function scanGlobalFlags(argv: string[]): GlobalFlags {
  const flags: GlobalFlags = { verbose: 0 };
  for (const a of argv) {
    if (a === "--") break;
    if (a === "--json") flags.json = true;
    else if (a === "-q" || a === "--quiet") flags.quiet = true;
    else if (a === "--verbose") flags.verbose++;
    else if (/^-[vq]+$/.test(a)) {
      flags.verbose += a.split("v").length - 1;
      if (a.includes("q")) flags.quiet = true;
    }
  }
  return flags;
}

/**
 * Makes everything after `exec <name>` an operand: inserts `--` after the machine name unless the
 * user wrote one, so `codchi exec m ls -la` and `codchi exec m -- ls -la` mean the same.
 */
export function protectExecArgs(argv: string[]): string[] {
  const i = argv.findIndex((a) => !a.startsWith("-"));
  if (i < 0 || (argv[i] !== "exec" && argv[i] !== "run")) return argv;
  let j = i + 1;
  while (j < argv.length && argv[j].startsWith("-") && argv[j] !== "--") j++;
  if (j >= argv.length || argv[j] === "--") return argv;
  if (argv[j + 1] === "--" || j + 1 >= argv.length) return argv;
  return [...argv.slice(0, j + 1), "--", ...argv.slice(j + 1)];
}

/** A global flag (they take no value, so the first other word is the command). */
export function isGlobalFlag(a: string): boolean {
  return a === "--json" || a === "--quiet" || a === "--verbose" || /^-[vq]+$/.test(a);
}

/** Index of the command word: the first argument that is not an option (before any `--`). */
export function commandIndex(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--") return -1;
    if (!argv[i].startsWith("-")) return i;
  }
  return -1;
}

/** Invocations run without the full parser (each behaves exactly as through it). */
export type FastPath =
  | { kind: "version" }
  | { kind: "help" }
  | {
    kind: "status";
    /** The fast path (status_fast.ts) failed after it listed: the error to report. */
    after?: { kind: "failed"; error: unknown };
  }
  | {
    kind: "exec";
    name: string;
    cmd: string[];
    /** The fast path (exec_fast.ts) ran it already: its exit 1, or its error, to finish. */
    after?: { kind: "exit1" } | { kind: "failed"; error: unknown };
  };

/**
 * The fast path for `argv` (after `protectExecArgs`), if it is one of the plain forms:
 * `[flags] --version|-V`, `[flags] --help|-h`, `[flags] [status] [flags]`,
 * `[flags] exec|run <name> [-- <cmd…>]`. Anything else goes to the full parser.
 */
export function fastPath(argv: string[]): FastPath | undefined {
  const i = commandIndex(argv);
  const before = i < 0 ? argv : argv.slice(0, i);
  const rest = before.filter((a) => !isGlobalFlag(a));
  if (i < 0) {
    if (rest.length === 0) return { kind: "status" };
    if (rest.every((a) => a === "--version" || a === "-V")) return { kind: "version" };
    if (rest.every((a) => a === "--help" || a === "-h")) return { kind: "help" };
    return undefined;
  }
  if (rest.length) return undefined;
  const word = argv[i];
  if (word === "status") {
    return argv.slice(i + 1).every(isGlobalFlag) ? { kind: "status" } : undefined;
  }
  if (word !== "exec" && word !== "run") return undefined;
  const name = argv[i + 1];
  if (name === undefined || name.startsWith("-")) return undefined;
  const tail = argv.slice(i + 2);
  if (tail.length && tail[0] !== "--") return undefined;
  return { kind: "exec", name, cmd: tail.slice(1) };
}
