/** The stall watchdog of long nix commands: no progress for a while ends the command. Pure. */
import { TimeoutError } from "../errors.ts";

/** Time and timers, injectable (tests drive a fake clock). */
export interface Clock {
  now(): number;
  setTimeout(f: () => void, ms: number): number;
  clearTimeout(id: number): void;
}

/** The real clock. */
export const REAL_CLOCK: Clock = {
  now: () => performance.now(),
  setTimeout: (f, ms) => setTimeout(f, ms) as unknown as number,
  clearTimeout: (id) => clearTimeout(id),
};

/** A nix command made no progress for the configured time and was ended (exit 8). */
export class StalledError extends TimeoutError {}

/**
 * Calls `onStall` once when `touch()` was not called for `limitMs` after `start()`. A touch
 * costs no timer: the one timer re-arms for the time left when it fires.
 */
export class StallWatchdog {
  #last = 0;
  #timer?: number;
  #fired = false;

  constructor(
    readonly limitMs: number,
    private readonly onStall: () => void,
    private readonly clock: Clock = REAL_CLOCK,
  ) {}

  /** True once it fired. */
  get fired(): boolean {
    return this.#fired;
  }

  /** Starts watching (now counts as progress). */
  start(): void {
    this.#last = this.clock.now();
    this.#arm(this.limitMs);
  }

  /** Progress arrived. */
  touch(): void {
    this.#last = this.clock.now();
  }

  /** Stops watching. */
  stop(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(ms: number): void {
    this.#timer = this.clock.setTimeout(() => this.#check(), ms);
  }

  #check(): void {
    this.#timer = undefined;
    const idle = this.clock.now() - this.#last;
    if (idle >= this.limitMs) {
      this.#fired = true;
      this.onStall();
    } else this.#arm(this.limitMs - idle);
  }
}

/** The error of a stalled command: which one, for how long, what to do. */
export function stalledError(command: string, minutes: number): StalledError {
  return new StalledError(
    `${command} made no progress for ${minutes} minute${minutes === 1 ? "" : "s"} and was ended; ` +
      "the machine is as it was before.",
    "Check the store's network and caches (codchi store debug), then try again; " +
      'config.json "nix": {"stallMinutes": N} sets the limit.',
  );
}
