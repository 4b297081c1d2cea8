/** Output for people and scripts: tables, JSON, progress, warnings. Pure renderers + one sink. */
import type { Reporter } from "./reporter.ts";
import { UsageError } from "./errors.ts";
import { redact } from "./process.ts";
import { quarter, transferText } from "./release/progress.ts";

/** Log levels (`CODCHI_LOG`), from least to most output. */
export const LOG_LEVELS = ["error", "warn", "info", "debug", "trace"] as const;
/** One log level. */
export type LogLevel = typeof LOG_LEVELS[number];

/**
 * The log level: the flags when given (`-q` error, `-v` debug, `-vv` trace), else `CODCHI_LOG`
 * (a level name, any case; empty = unset), else info. A `CODCHI_LOG` that is no level is a
 * UsageError, flags or not.
 */
export function logLevel(
  flags: { verbose?: number; quiet?: boolean },
  env: string | undefined,
): LogLevel {
  const raw = (env ?? "").trim().toLowerCase();
  const named = raw === "" ? undefined : LOG_LEVELS.find((l) => l === raw);
  if (raw !== "" && !named) {
    throw new UsageError(
      `CODCHI_LOG=${JSON.stringify(env)} is not a log level.`,
      `Use one of ${LOG_LEVELS.join(", ")} (or -q / -v / -vv).`,
    );
  }
  if (flags.quiet) return "error";
  if ((flags.verbose ?? 0) >= 2) return "trace";
  if ((flags.verbose ?? 0) === 1) return "debug";
  return named ?? "info";
}

/** How output should look. */
export interface UiOptions {
  json: boolean;
  /** What is shown on stderr: errors always; warnings from warn; steps and progress from info. */
  level?: LogLevel;
  /** debug lines (and nix's build log) from 1 (debug), spawn trace from 2 (trace). */
  verbose: number;
  /** Level error: nothing on stderr but errors. */
  quiet: boolean;
  /** Colour allowed (TTY and no non-empty NO_COLOR). */
  color: boolean;
  /** Colour allowed on stderr (warnings, errors). */
  errColor: boolean;
  /** stderr is a terminal: progress may redraw one line. */
  live: boolean;
}

/** Computes UiOptions from flags and the environment (throws on a bad `CODCHI_LOG`). */
export function uiOptions(
  flags: { json?: boolean; verbose?: number; quiet?: boolean },
  env: { NO_COLOR?: string; CODCHI_LOG?: string },
  stdoutTty: boolean,
  stderrTty: boolean,
): UiOptions {
  const level = logLevel(flags, env.CODCHI_LOG);
  return {
    json: !!flags.json,
    level,
    verbose: Math.max(0, LOG_LEVELS.indexOf(level) - 2),
    quiet: level === "error",
    // https://no-color.org: NO_COLOR set to a non-empty value turns colour off.
    color: stdoutTty && !env.NO_COLOR,
    errColor: stderrTty && !env.NO_COLOR,
    live: stderrTty && !flags.json,
  };
}

/** Renders rows as an aligned text table (no colour codes unless `color`). */
export function renderTable(
  headers: string[],
  rows: string[][],
  color = false,
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => i === cells.length - 1 ? c : c.padEnd(widths[i])).join("  ").trimEnd();
  const head = line(headers);
  return [color ? `\x1b[1m${head}\x1b[0m` : head, ...rows.map(line)].join("\n");
}

/** Formats a progress line: `step [done/total unit]`. */
export function progressText(step: string, done: number, total: number, unit = ""): string {
  const u = unit ? ` ${unit}` : "";
  return total > 0 ? `${step} [${done}/${total}${u}]` : `${step} [${done}${u}]`;
}

/** The one output sink of the CLI. */
export class Ui implements Reporter {
  #step = "";
  #liveLine = false;
  /** A byte transfer of the current step: when it began, from which byte, last quarter shown. */
  #transfer?: { t0: number; base: number; quarter: number };
  constructor(
    readonly opts: UiOptions,
    private readonly writeOut: (s: string) => void = (s) => Deno.stdout.writeSync(enc(s)),
    private readonly writeErr: (s: string) => void = (s) => Deno.stderr.writeSync(enc(s)),
  ) {}

  /** Prints a result for people (skipped with --json). */
  print(text: string): void {
    if (this.opts.json) return;
    this.#clearLive();
    this.writeOut(text.endsWith("\n") ? text : text + "\n");
  }

  /** Writes `text` to stdout as it is, with or without --json (help and version). */
  raw(text: string): void {
    this.#clearLive();
    this.writeOut(text);
  }

  /** Prints a JSON result (only with --json). */
  json(value: unknown): void {
    if (!this.opts.json) return;
    this.writeOut(JSON.stringify(value, null, 2) + "\n");
  }

  /** Prints a human result or its JSON form, whichever was asked. */
  result(human: string, json: unknown): void {
    if (this.opts.json) this.json(json);
    else this.print(human);
  }

  step(message: string): void {
    this.#step = message;
    this.#transfer = undefined;
    if (!this.#shows("info")) return;
    this.#clearLive();
    this.writeErr(`${this.opts.errColor ? "\x1b[36m==>\x1b[0m" : "==>"} ${redact(message)}\n`);
  }

  progress(done: number, total: number, unit?: string): void {
    if (!this.#shows("info")) return;
    if (unit === "B") return this.#bytes(done, total);
    if (!this.opts.live) return;
    this.writeErr(`\r\x1b[2K${redact(progressText(this.#step, done, total, unit))}`);
    this.#liveLine = true;
  }

  /** A download: a bar with size, rate and ETA on a terminal, else a plain line per quarter. */
  #bytes(done: number, total: number): void {
    const now = performance.now();
    const t = this.#transfer ??= { t0: now, base: done, quarter: quarter(done, total) };
    const text = transferText(this.#step, done, total, now - t.t0, t.base);
    if (this.opts.live) {
      this.writeErr(`\r\x1b[2K${redact(text)}`);
      this.#liveLine = true;
      return;
    }
    const q = quarter(done, total);
    if (q > t.quarter) {
      t.quarter = q;
      this.writeErr(`${redact(text)}\n`);
    }
  }

  debug(message: string): void {
    if (!this.#shows("debug")) return;
    this.#clearLive();
    this.writeErr(`${redact(message)}\n`);
  }

  warn(message: string): void {
    if (!this.#shows("warn")) return;
    this.#clearLive();
    this.writeErr(
      `${this.opts.errColor ? "\x1b[33mwarning:\x1b[0m" : "warning:"} ${redact(message)}\n`,
    );
  }

  /** Whether messages of `level` are shown. */
  #shows(level: LogLevel): boolean {
    const mine = this.opts.level ??
      (this.opts.quiet
        ? "error"
        : this.opts.verbose >= 2
        ? "trace"
        : this.opts.verbose
        ? "debug"
        : "info");
    return LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(mine);
  }

  /** Ends a live progress line, if any. */
  done(): void {
    this.#clearLive();
  }

  #clearLive(): void {
    if (this.#liveLine) {
      this.writeErr("\r\x1b[2K");
      this.#liveLine = false;
    }
  }
}

function enc(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
