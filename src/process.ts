/**
 * The single door to child processes. Every spawn of codchi goes through a `Runner`:
 * `CODCHI_TRACE=1` prints one line per spawn, secrets are redacted, tests count spawns.
 * Plain argv spawns on `Deno.Command` (no shell, no npm package: `exec` starts fast).
 */
import { concatBytes } from "./bytes.ts";
import { InterruptedError, ToolError } from "./errors.ts";

/** How to run one child process. */
export interface RunOpts {
  /** Bytes or text fed to stdin; "inherit" hands over the terminal. Default: nothing. */
  stdin?: Uint8Array | string | "inherit";
  /** Pass stdout/stderr through to the user instead of capturing them. */
  inherit?: boolean;
  /** Extra environment variables for the child. */
  env?: Record<string, string>;
  /** Working directory. */
  cwd?: string;
  /** Kill the child after this many milliseconds (exit code 124). */
  timeoutMs?: number;
  /** Kill the child when this signal aborts. */
  signal?: AbortSignal;
  /**
   * Hands stdout to this function chunk by chunk, in order (awaited), instead of capturing or
   * inheriting it; stderr follows `inherit`.
   */
  onStdout?: (chunk: Uint8Array) => Promise<void> | void;
  /** Throw a ToolError when the exit code is not 0. Default true. */
  check?: boolean;
  /** Values that must never appear in traces or errors (in addition to registered secrets). */
  secrets?: string[];
  /** Called with each stderr line as it arrives (stderr is still captured). */
  onStderrLine?: (line: string) => void;
  /** Let the child finish even on Ctrl-C (e.g. `lxc init`: the daemon would go on anyway). */
  uninterruptible?: boolean;
  /** Called once the child runs, with a function that sends it a signal (until it ended). */
  onSpawn?: (signal: (sig: Deno.Signal) => void) => void;
}

let interruptSignal: AbortSignal | undefined;

/** While set, an abort of `signal` stops (SIGTERM) the running children at once. */
export function setInterruptSignal(signal: AbortSignal | undefined): void {
  interruptSignal = signal;
}

/** What a finished child left behind. */
export interface Output {
  code: number;
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** stdout decoded as UTF-8. */
  readonly text: string;
  /** stderr decoded as UTF-8. */
  readonly errText: string;
}

/** Runs child processes; injected into every driver. */
export interface Runner {
  run(argv: string[], opts?: RunOpts): Promise<Output>;
  /** Number of processes spawned so far by this runner. */
  readonly spawns: number;
  /**
   * Starts argv detached (no stdio, outliving codchi) and returns once it is started; optional:
   * runners without it cannot start long-lived helpers.
   */
  spawnDetached?(argv: string[], opts?: { env?: Record<string, string> }): Promise<void>;
}

const decoder = new TextDecoder();
const secretValues = new Set<string>();

/** Registers a value that must be redacted from every trace line and error message. */
export function registerSecret(value: string): void {
  if (value.length >= 3) secretValues.add(value);
}

/** Replaces every registered (and extra) secret value in `text` with `***`. */
export function redact(text: string, extra: string[] = []): string {
  let out = text;
  const all = [...secretValues, ...extra.filter((s) => s.length > 0)].sort((a, b) =>
    b.length - a.length
  );
  for (const s of all) out = out.split(s).join("***");
  return out;
}

/** Renders argv for humans: arguments that need it are single-quoted. */
export function formatArgv(argv: string[]): string {
  return argv.map((a) =>
    /^[A-Za-z0-9_\-+=.,:/@%^]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`
  )
    .join(" ");
}

/** Builds an Output from raw bytes. */
export function makeOutput(code: number, stdout: Uint8Array, stderr: Uint8Array): Output {
  return {
    code,
    stdout,
    stderr,
    get text() {
      return decoder.decode(stdout);
    },
    get errText() {
      return decoder.decode(stderr);
    },
  };
}

/** The one trace line for a spawn: `codchi-trace: spawn <ms> <exit> <argv…>`. */
export function traceLine(ms: number, code: number, argv: string[], extra: string[] = []): string {
  return redact(`codchi-trace: spawn ${Math.round(ms)} ${code} ${formatArgv(argv)}`, extra);
}

/** The real runner, on `Deno.Command`. */
export class ProcessRunner implements Runner {
  #spawns = 0;
  constructor(
    private readonly trace: boolean = Deno.env.get("CODCHI_TRACE") === "1",
    private readonly log: (line: string) => void = (l) => console.error(l),
  ) {}

  get spawns(): number {
    return this.#spawns;
  }

  async run(argv: string[], opts: RunOpts = {}): Promise<Output> {
    if (argv.length === 0) throw new Error("process: empty argv");
    this.#spawns++;
    const start = performance.now();
    const { code, stdout, stderr } = await spawnChild(argv, opts);
    const out = makeOutput(code, stdout, stderr);
    if (this.trace) this.log(traceLine(performance.now() - start, code, argv, opts.secrets));
    if (opts.check !== false && code !== 0) throw toolError(argv, out, opts.secrets);
    return out;
  }

  async spawnDetached(argv: string[], opts: { env?: Record<string, string> } = {}): Promise<void> {
    if (argv.length === 0) throw new Error("process: empty argv");
    this.#spawns++;
    // POSIX: `setsid -f` forks the program into its own session and returns at once.
    const full = Deno.build.os === "windows" ? argv : ["setsid", "-f", ...argv];
    const child = new Deno.Command(full[0], {
      args: full.slice(1),
      env: opts.env,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    if (Deno.build.os === "windows") child.unref();
    else await child.status;
    if (this.trace) this.log(traceLine(0, 0, ["(detached)", ...argv]));
  }
}

const EMPTY = new Uint8Array();

/**
 * Spawns one child with `opts`; a missing program is exit 127 ("<name>: command not found" on
 * stderr), a timeout is exit 124 (SIGTERM, then SIGKILL after a grace period).
 */
async function spawnChild(
  argv: string[],
  opts: RunOpts,
): Promise<{ code: number; stdout: Uint8Array; stderr: Uint8Array }> {
  const stdinMode = opts.stdin === "inherit" ? "inherit" : opts.stdin ? "piped" : "null";
  const mode = opts.inherit ? "inherit" : "piped";
  const outMode = opts.onStdout ? "piped" : mode;
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      env: opts.env,
      cwd: opts.cwd,
      stdin: stdinMode,
      stdout: outMode,
      stderr: mode,
    }).spawn();
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound) || opts.cwd && !dirExists(opts.cwd)) throw e;
    const msg = new TextEncoder().encode(`${argv[0]}: command not found\n`);
    if (opts.inherit) Deno.stderr.writeSync(msg);
    return { code: 127, stdout: EMPTY, stderr: opts.inherit ? EMPTY : msg };
  }
  let ended = false;
  opts.onSpawn?.((sig) => {
    if (!ended) kill(child, sig);
  });
  let timedOut = false;
  let timers: ReturnType<typeof setTimeout>[] = [];
  // `opts.signal`, and Ctrl-C during an operation (setInterruptSignal), stop the child at once.
  const signals = [opts.signal, opts.uninterruptible ? undefined : interruptSignal]
    .filter((s): s is AbortSignal => s !== undefined);
  const onAbort = () => kill(child, "SIGTERM");
  for (const signal of signals) {
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  }
  if (opts.timeoutMs) {
    timers.push(setTimeout(() => {
      timedOut = true;
      kill(child, "SIGTERM");
      timers.push(setTimeout(() => kill(child, "SIGKILL"), 3000));
    }, opts.timeoutMs));
  }
  try {
    const feeding = stdinMode === "piped" ? feed(child.stdin, opts.stdin!) : undefined;
    const lines = opts.onStderrLine && !opts.inherit ? lineCollector(opts.onStderrLine) : undefined;
    const sink = opts.onStdout;
    const [stdout, stderr, status] = await Promise.all([
      sink
        ? child.stdout.pipeTo(new WritableStream({ write: (c) => sink(c) })).then(() => EMPTY)
        : opts.inherit
        ? EMPTY
        : readAll(child.stdout),
      opts.inherit
        ? EMPTY
        : lines
        ? child.stderr.pipeTo(lines.stream).then(() => lines.bytes())
        : readAll(child.stderr),
      child.status,
      feeding,
    ]);
    return { code: timedOut ? 124 : status.code, stdout, stderr };
  } finally {
    ended = true;
    for (const t of timers) clearTimeout(t);
    timers = [];
    for (const signal of signals) signal.removeEventListener("abort", onAbort);
  }
}

/** Writes `data` to a child's stdin and closes it (a child that stops reading is no error). */
async function feed(stdin: WritableStream<Uint8Array>, data: Uint8Array | string): Promise<void> {
  const w = stdin.getWriter();
  try {
    await w.write(typeof data === "string" ? new TextEncoder().encode(data) : data);
    await w.close();
  } catch {
    await w.abort().catch(() => {});
  }
}

/** Every byte of a stream (read by hand: `Response` would load Deno's fetch code at start-up). */
async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of stream) chunks.push(c);
  return chunks.length === 1 ? chunks[0] : concatBytes(chunks);
}

function kill(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch { /* already gone */ }
}

function dirExists(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** A ToolError describing a failed child, its stderr tail redacted. */
export function toolError(argv: string[], out: Output, secrets: string[] = []): ToolError {
  const tool = argv[0].split(/[\\/]/).pop() ?? argv[0];
  const stderr = redact((out.errText || out.text).trim(), secrets);
  const lines = stderr.split("\n").filter((l) => l.trim() !== "").slice(-12).join("\n");
  return new ToolError(
    tool,
    redact(`${tool} failed (exit ${out.code}): ${formatArgv(argv).slice(0, 300)}`, secrets),
    lines,
    out.code,
  );
}

/** A WritableStream that calls `onLine` per line and keeps every byte. */
function lineCollector(onLine: (line: string) => void) {
  const chunks: Uint8Array[] = [];
  const dec = new TextDecoder();
  let pending = "";
  const stream = new WritableStream<Uint8Array>({
    write(chunk) {
      chunks.push(chunk.slice());
      pending += dec.decode(chunk, { stream: true });
      const parts = pending.split("\n");
      pending = parts.pop() ?? "";
      for (const p of parts) onLine(p);
    },
    close() {
      if (pending) onLine(pending);
    },
  });
  return {
    stream,
    bytes: (): Uint8Array => concatBytes(chunks),
  };
}

// Looking up programs on PATH (stat only, no process; every path loads this module already).

/**
 * The first `<dir>/<bin>` for which `isFile` holds, over the folders of `path` in order (empty
 * entries skipped; `sep` is ";" for a Windows PATH), or undefined.
 */
export function findOnPath(
  bin: string,
  path: string,
  isFile: (p: string) => boolean,
  sep = ":",
): string | undefined {
  for (const dir of path.split(sep)) {
    if (!dir) continue;
    const p = dir.endsWith("/") ? `${dir}${bin}` : `${dir}/${bin}`;
    if (isFile(p)) return p;
  }
  return undefined;
}

/** Whether `p` is a file with an execute bit (for `findOnPath`). */
export function isExecutableFile(p: string): boolean {
  try {
    const st = Deno.statSync(p);
    return st.isFile && ((st.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** Whether `p` is a file, whatever its mode (for `findOnPath`). */
export function isPlainFile(p: string): boolean {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
}

// Ctrl-C (SIGINT) and SIGTERM while an operation runs.

/** The signals `whileSignalled` listens to. */
export type StopSignal = "SIGINT" | "SIGTERM";

/**
 * Runs `work` with `on(signal)` called for each of `signals` (default SIGINT and SIGTERM) that
 * reaches codchi meanwhile; the listeners are removed once `work` settled. On Windows it listens
 * to nothing (Deno knows only SIGINT and SIGBREAK there, and codchi's Ctrl-C handling is POSIX's).
 */
export async function whileSignalled<T>(
  on: (signal: StopSignal) => void,
  work: () => Promise<T>,
  signals: readonly StopSignal[] = ["SIGINT", "SIGTERM"],
): Promise<T> {
  if (Deno.build.os === "windows") return await work();
  const handlers = signals.map((s) => [s, () => on(s)] as const);
  for (const [s, h] of handlers) Deno.addSignalListener(s, h);
  try {
    return await work();
  } finally {
    for (const [s, h] of handlers) Deno.removeSignalListener(s, h);
  }
}

// Signals during an exec: SIGINT/SIGTERM sent to codchi alone are passed on to the command
// (shared by `exec`'s full path, core/exec.ts, and its fast path, cli/exec_fast.ts).

/** How long a command may take to end after SIGINT/SIGTERM was passed on to it. */
const GRACE_MS = 10_000;
/** A Ctrl-C in the terminal reaches the command itself too: passed on only if it is still running. */
const SIGINT_DELAY_MS = 300;

/**
 * Runs the exec with SIGINT/SIGTERM sent to codchi alone passed on to the command (`lxc exec`
 * hands them to the process in the machine), which is killed when it has not ended after
 * GRACE_MS. A signalled exec ends with an InterruptedError (exit 130) once the command ended,
 * so no child outlives codchi.
 */
export async function forwardingSignals<T>(
  name: string,
  run: (onSpawn: (signal: (sig: Deno.Signal) => void) => void) => Promise<T>,
): Promise<T> {
  let got: StopSignal | undefined;
  let send: ((sig: Deno.Signal) => void) | undefined;
  const timers: ReturnType<typeof setTimeout>[] = [];
  const pass = (s: StopSignal) => {
    got ??= s;
    if (s === "SIGINT") timers.push(setTimeout(() => send?.("SIGINT"), SIGINT_DELAY_MS));
    else send?.(s);
    timers.push(setTimeout(() => send?.("SIGKILL"), GRACE_MS));
  };
  try {
    const code = await whileSignalled(pass, () =>
      run((signal) => {
        send = signal;
        if (got) signal(got);
      }));
    if (got) {
      throw new InterruptedError(`Interrupted (${got}): the command in "${name}" was stopped.`);
    }
    return code;
  } finally {
    for (const t of timers) clearTimeout(t);
  }
}
