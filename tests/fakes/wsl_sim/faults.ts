/** Fault injection: which call fails, and how (pure; the call counter lives in the state). */
import { type FailureKind, FAILURES, TRANSIENT_KINDS } from "./text.ts";

/** The fault settings read from the environment. */
export interface FaultConfig {
  /** WSL_SIM_FAIL_RATE: share of eligible calls that fail transiently (0..1). */
  rate: number;
  /** WSL_SIM_SEED: makes the random failures reproducible. */
  seed: number;
  /**
   * WSL_SIM_FAIL_SEQ: one entry per eligible call ("ok" or a kind); past its end: no fault.
   * The kind "hang" makes the call never return (as wsl.exe after the host slept).
   */
  seq: string[];
  /** WSL_SIM_FAIL_PERSIST: every eligible call fails with this kind. */
  persist?: FailureKind;
  /** WSL_SIM_FAIL_OPS: only these operations are eligible (all when empty). */
  ops: string[];
}

/** Reads the fault settings; throws on a kind the simulator does not know. */
export function faultConfig(env: Record<string, string | undefined>): FaultConfig {
  const list = (v?: string) => (v ?? "").split(",").map((s) => s.trim()).filter((s) => s);
  const seq = list(env.WSL_SIM_FAIL_SEQ);
  for (const k of seq) if (k !== "ok") kindOf(k);
  return {
    rate: Number(env.WSL_SIM_FAIL_RATE ?? "0") || 0,
    seed: Number(env.WSL_SIM_SEED ?? "1") || 1,
    seq,
    persist: env.WSL_SIM_FAIL_PERSIST ? kindOf(env.WSL_SIM_FAIL_PERSIST) : undefined,
    ops: list(env.WSL_SIM_FAIL_OPS),
  };
}

function kindOf(name: string): FailureKind {
  if (name in FAILURES || name === "hang") return name as FailureKind;
  throw new Error(`wsl.exe simulator: unknown failure kind "${name}"`);
}

/** A number in [0, 1) from (seed, n): the same pair always gives the same number. */
export function unitRandom(seed: number, n: number): number {
  let x = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(n + 1, 0x85ebca6b)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return x / 4294967296;
}

/** Whether the `n`-th eligible call of operation `op` fails, and with which kind. */
export function decideFault(cfg: FaultConfig, op: string, n: number): FailureKind | undefined {
  if (cfg.ops.length && !cfg.ops.includes(op)) return undefined;
  if (cfg.persist) return cfg.persist;
  if (n < cfg.seq.length) return cfg.seq[n] === "ok" ? undefined : cfg.seq[n] as FailureKind;
  if (cfg.rate > 0 && unitRandom(cfg.seed, n) < cfg.rate) {
    return TRANSIENT_KINDS[
      Math.floor(unitRandom(cfg.seed ^ 0x5bd1e995, n) * TRANSIENT_KINDS.length)
    ];
  }
  return undefined;
}

/** Whether any fault setting is active (so the counter must be kept). */
export function faultsActive(cfg: FaultConfig): boolean {
  return cfg.rate > 0 || cfg.seq.length > 0 || cfg.persist !== undefined;
}
