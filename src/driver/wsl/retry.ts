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

/** The `Error code: …` of wsl.exe's message, if any. */
export function wslErrorCode(text: string): string | undefined {
  return /Error code:\s*(\S+)/.exec(text)?.[1];
}

const TRANSIENT_CODES = [
  "E_UNEXPECTED",
  "RPC_S_CALL_FAILED",
  "RPC_S_SERVER_UNAVAILABLE",
  "HCS_E_CONNECTION_TIMEOUT",
  "0x800706be",
  "0x800706ba",
];
const TRANSIENT_TEXTS = [
  "Catastrophic failure",
  "The remote procedure call failed",
  "The RPC server is unavailable",
  "a response was not received from the virtual machine",
];

/** Classifies a failed call from its exit code and decoded output; real errors are never transient. */
export function classifyWslError(code: number, text: string): WslErrorKind {
  if (code === 0) return "other";
  const err = wslErrorCode(text);
  if (!isWslErrorExit(code) || !err) return "other";
  const last = err.split("/").pop() ?? err;
  if (last === "WSL_E_DEFAULT_DISTRO_NOT_FOUND") return "no-distros";
  if (last === "WSL_E_DISTRO_NOT_FOUND") return "not-found";
  if (last === "ERROR_ALREADY_EXISTS" || last === "ERROR_FILE_EXISTS") return "exists";
  if (last === "E_INVALIDARG" && /sparse/i.test(text)) return "sparse-disabled";
  if (TRANSIENT_CODES.includes(last) || TRANSIENT_TEXTS.some((t) => text.includes(t))) {
    return "transient";
  }
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
 * The default bounds: 8 attempts within 30 s, 250 ms doubling to 4 s (at most ~16 s of pauses).
 * At a 30% transient failure rate a call then still fails only once in ~15 000.
 */
export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 8,
  totalMs: 30_000,
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
