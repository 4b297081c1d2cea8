/** Classifying wsl.exe failures and retrying only the transient ones, within bounds (pure). */

/** How a failed wsl.exe call is classified. */
export type WslErrorKind =
  | "transient"
  | "not-found"
  | "no-distros"
  | "exists"
  | "sparse-disabled"
  | "other";

/** wsl.exe's own error exit: -1, as Windows (4294967295) or a Linux parent (255) sees it. */
export function isWslErrorExit(code: number): boolean {
  return code === -1 || code === 255 || code === 4294967295;
}

/**
 * The `Wsl/…` error code in wsl.exe's message, if any, found by its own shape anywhere in the
 * text: the label in front of it is translated ("Error code:", "Fehlercode:", "错误代码:"…).
 */
export function wslErrorCode(text: string): string | undefined {
  return /(?:^|[^A-Za-z0-9_])(Wsl\/[A-Za-z0-9_./-]*[A-Za-z0-9_])/.exec(text)?.[1];
}

const TRANSIENT_CODES = [
  "E_UNEXPECTED",
  "RPC_S_CALL_FAILED",
  "RPC_S_SERVER_UNAVAILABLE",
  "HCS_E_CONNECTION_TIMEOUT",
  "0x800706be",
  "0x800706ba",
];

/**
 * Classifies a failed call from its exit code and decoded output by the error code only (the
 * messages are translated); real errors are never transient. "No distros" is not told apart
 * here: current WSL prints no code for it (see `states`, which asks `--list --quiet`).
 */
export function classifyWslError(code: number, text: string): WslErrorKind {
  if (code === 0) return "other";
  const err = wslErrorCode(text);
  if (!isWslErrorExit(code) || !err) return "other";
  const last = err.split("/").pop() ?? err;
  if (last === "WSL_E_DEFAULT_DISTRO_NOT_FOUND") return "no-distros";
  if (last === "WSL_E_DISTRO_NOT_FOUND") return "not-found";
  if (last === "ERROR_ALREADY_EXISTS" || last === "ERROR_FILE_EXISTS") return "exists";
  if (last === "E_INVALIDARG" && /sparse/i.test(text)) return "sparse-disabled";
  if (TRANSIENT_CODES.includes(last)) return "transient";
  return "other";
}

/** Bounds of the retry loop. */
export interface RetryPolicy {
  /** Most calls in all (first try included). */
  attempts: number;
  /** No new attempt starts after this many milliseconds since the first. */
  totalMs: number;
  /** Delay before the second attempt; doubles each time up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * The default bounds: 8 attempts within 75 s, 250 ms doubling to 4 s (at most ~16 s of pauses).
 * A real HCS timeout takes 30 s or more (wsl2.kernelBootTimeout, 30 s), so 75 s leaves room for
 * a second attempt after one. At a 30% transient failure rate a call then still fails only once
 * in ~15 000.
 */
export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 8,
  totalMs: 75_000,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
};

/** The delay before attempt `n` (n ≥ 2), or undefined when the bounds say stop. */
export function nextDelay(policy: RetryPolicy, n: number, elapsedMs: number): number | undefined {
  if (n > policy.attempts) return undefined;
  const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 2));
  return elapsedMs + delay > policy.totalMs ? undefined : delay;
}

/** One attempt's outcome as the retry loop sees it. */
export interface Attempt<T> {
  value: T;
  /** Set when the attempt failed transiently (a short description for the log). */
  transient?: string;
}

/** Runs `attempt` until it is not transient or the bounds are reached; returns the last value. */
export async function retryTransient<T>(
  attempt: (n: number) => Promise<Attempt<T>>,
  policy: RetryPolicy,
  log: (line: string) => void,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  now: () => number = () => performance.now(),
): Promise<{ value: T; attempts: number; transient?: string }> {
  const start = now();
  for (let n = 1;; n++) {
    const res = await attempt(n);
    if (!res.transient) return { value: res.value, attempts: n };
    const delay = nextDelay(policy, n + 1, now() - start);
    if (delay === undefined) {
      log(`wsl.exe: transient failure (${res.transient}); giving up after ${n} attempt(s)`);
      return { value: res.value, attempts: n, transient: res.transient };
    }
    log(
      `wsl.exe: transient failure (${res.transient}); attempt ${
        n + 1
      }/${policy.attempts} in ${delay} ms`,
    );
    await sleep(delay);
  }
}
