/** The one door to wsl.exe: every call through the Runner, decoded, classified, retried if flaky. */
import { PrerequisiteError, tail, TimeoutError, ToolError } from "../../errors.ts";
import type { Output, Runner, RunOpts } from "../../process.ts";
import { execArgv, versionArgv } from "./argv.ts";
import { decodeWslOutput } from "./decode.ts";
import { compareVersions, MIN_WSL_VERSION, wslVersion } from "./parse.ts";
import {
  classifyWslError,
  type RetryPolicy,
  retryTransient,
  wslErrorCode,
  type WslErrorKind,
} from "./retry.ts";
import { wslCallEnv } from "./wslenv.ts";

/**
 * Options of one wsl.exe call: `vars` reach the Linux side through WSLENV (`pathVars`
 * translated). `startToken`: a host file the command creates first thing — the call is then
 * bounded until it appears (`startTimeoutMs`), not as a whole (a build may take an hour).
 */
export type CallOpts = RunOpts & {
  vars?: Record<string, string>;
  pathVars?: string[];
  startToken?: string;
};

/** Bounds of wsl.exe calls (ms). */
export interface CallBounds {
  /** `--list`, `--version`, `--terminate`, `--manage`, short commands inside a distro. */
  shortMs: number;
  /** `--import`, `--import-in-place`, `--export`, `--unregister`: disk-sized work. */
  diskMs: number;
  /** Until a command with a start token has started (a cold start with systemd included). */
  startMs: number;
}

/**
 * The default bounds. A cold start of a distro with systemd can take 20 s (WSL waits up to
 * boot.initTimeout, 10 s, for systemd, then as long again for the login session) and a failing
 * HCS call 30 s, so short calls get 120 s.
 */
export const DEFAULT_BOUNDS: CallBounds = { shortMs: 120_000, diskMs: 1_800_000, startMs: 120_000 };

const DISK_VERBS = new Set(["--import", "--import-in-place", "--export", "--unregister"]);

/** The outcome of one wsl.exe call: its output, the decoded text and, on failure, its kind. */
export interface WslResult {
  out: Output;
  text: string;
  kind?: WslErrorKind;
}

/** What the door needs. */
export interface WslExeOptions {
  runner: Runner;
  wslExe: string;
  retry: RetryPolicy;
  debug: (line: string) => void;
  sleep: (ms: number) => Promise<void>;
  /** WSLENV of codchi's own environment (kept in front of codchi's entries). */
  inheritedWslEnv?: string;
  /** Call bounds (default DEFAULT_BOUNDS). */
  bounds?: Partial<CallBounds>;
}

/** Runs wsl.exe. */
export class WslExe {
  constructor(readonly o: WslExeOptions) {}

  /** The bounds in force. */
  get bounds(): CallBounds {
    return { ...DEFAULT_BOUNDS, ...this.o.bounds };
  }

  /**
   * One wsl.exe call (never retried); WSL_UTF8=1 and WSLENV naming every variable passed.
   * Every call is bounded (see CallBounds): past the bound wsl.exe is killed and a
   * TimeoutError names the call and `wsl --shutdown`.
   */
  async call(args: string[], opts: CallOpts = {}): Promise<WslResult> {
    const { vars, pathVars, env, startToken, ...rest } = opts;
    const wslenv = wslCallEnv(vars ?? {}, new Set(pathVars), this.o.inheritedWslEnv);
    const b = this.bounds;
    const limit = startToken
      ? b.startMs
      : opts.timeoutMs ?? (DISK_VERBS.has(args[0]) ? b.diskMs : b.shortMs);
    const abort = new AbortController();
    let timedOut = false;
    const t0 = performance.now();
    const fire = () => {
      timedOut = true;
      abort.abort();
    };
    const watch = startToken
      ? setInterval(async () => {
        if (await exists(startToken)) clearInterval(watch);
        else if (performance.now() - t0 >= limit) {
          clearInterval(watch);
          fire();
        }
      }, 100)
      : setTimeout(fire, limit);
    let out: Output;
    try {
      out = await this.o.runner.run([this.o.wslExe, ...args], {
        ...rest,
        timeoutMs: undefined,
        signal: abort.signal,
        env: { ...env, ...wslenv },
        check: false,
      });
    } finally {
      clearInterval(watch);
      clearTimeout(watch);
    }
    if (timedOut) throw hung(args, limit);
    if (
      out.code === 127 &&
      decodeWslOutput(out.stderr).includes(`${this.o.wslExe}: command not found`)
    ) {
      throw new PrerequisiteError(
        `${this.o.wslExe} was not found.`,
        "Install WSL (`wsl --install` in an administrator PowerShell, then reboot), or set CODCHI_WSL_EXE.",
      );
    }
    const text = opts.inherit
      ? ""
      : `${decodeWslOutput(out.stdout)}\n${decodeWslOutput(out.stderr)}`;
    const kind = out.code === 0 ? undefined : classifyWslError(out.code, text);
    return { out, text, kind };
  }

  /** A call repeated while wsl.exe fails transiently, within the retry bounds. */
  async callRetry(args: string[], opts: CallOpts = {}, before?: (n: number) => Promise<void>) {
    const res = await retryTransient<WslResult>(
      async (n) => {
        if (before) await before(n);
        const r = await this.call(args, opts);
        return { value: r, transient: r.kind === "transient" ? describe(r.text) : undefined };
      },
      this.o.retry,
      this.o.debug,
      this.o.sleep,
    );
    return res.value;
  }

  /** A call that must succeed (after retries). */
  async must(args: string[], opts: CallOpts = {}): Promise<WslResult> {
    const r = await this.callRetry(args, opts);
    if (r.out.code !== 0) throw this.fail(args, r);
    return r;
  }

  /** Runs argv as root inside a distro with `--exec` (one spawn unless retried). */
  runIn(distro: string, argv: string[], opts: CallOpts = {}): Promise<WslResult> {
    return this.callRetry(execArgv(distro, "root", argv), opts);
  }

  /** A ToolError for a failed call, with wsl.exe's message (or the command's stderr tail). */
  fail(what: string[], r: WslResult, hint?: string): ToolError {
    const msg = `wsl.exe ${what.slice(0, 3).join(" ")} failed (exit ${r.out.code})`;
    const flaky = r.kind === "transient"
      ? "WSL kept failing with a transient error. Run `wsl --shutdown` and try again; if it persists, `wsl --update`."
      : undefined;
    return new ToolError("wsl.exe", msg, tail(r.text, 8), r.out.code, hint ?? flaky);
  }

  /** The WSL version; a PrerequisiteError naming `wsl --update` when it is too old. */
  async checkVersion(): Promise<string> {
    const r = await this.callRetry(versionArgv());
    const v = r.out.code === 0 ? wslVersion(r.text) : undefined;
    if (!v || compareVersions(v, MIN_WSL_VERSION) < 0) {
      const have = v ? v.join(".") : "(inbox, without --version)";
      throw new PrerequisiteError(
        `WSL ${have} is too old; codchi needs ${MIN_WSL_VERSION.join(".")} or later.`,
        "Run `wsl --update` in a terminal, then try again.",
      );
    }
    return v.join(".");
  }
}

/** The TimeoutError of a wsl.exe call that did not answer. */
export function hung(args: string[], limitMs: number): TimeoutError {
  const what = args[0] === "-d"
    ? `-d ${args[1]} (a command in ${args[1]})`
    : args.slice(0, 2).join(" ");
  return new TimeoutError(
    `wsl.exe ${what} did not answer within ${Math.round(limitMs / 1000)} s; WSL seems to hang.`,
    "Run `wsl --shutdown` (WSL often hangs after the host slept or hibernated), then try again.",
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** "Wsl/Service/E_UNEXPECTED: Catastrophic failure" from wsl.exe's message, for the log. */
export function describe(text: string): string {
  const code = wslErrorCode(text) ?? "";
  const first = text.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
  return code ? `${code}: ${first}` : first;
}
