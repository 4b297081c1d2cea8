/** Catching Ctrl-C (and SIGTERM) around work that must clean up after itself. */
import { InterruptedError } from "../../errors.ts";
import { whileSignalled } from "../../process.ts";

/**
 * Runs `work` with SIGINT/SIGTERM caught: `check()` throws an InterruptedError once a signal
 * came, so the caller's clean-up runs instead of the process dying half-way.
 */
export async function withInterrupts<T>(work: (check: () => void) => Promise<T>): Promise<T> {
  let signal: string | undefined;
  return await whileSignalled((s) => {
    signal = s;
  }, async () => {
    const result = await work(() => {
      if (signal) throw new InterruptedError(`Interrupted (${signal}); cleaned up.`);
    });
    if (signal) throw new InterruptedError(`Interrupted (${signal}).`);
    return result;
  });
}
