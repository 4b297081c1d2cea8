/**
 * Signals during an exec: SIGINT/SIGTERM sent to codchi alone are passed on to the command.
 * Shared by `exec`'s full path (core/exec.ts) and its fast path (cli/exec_fast.ts).
 */
import { InterruptedError } from "../errors.ts";

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
  if (Deno.build.os === "windows") return await run(() => {});
  let got: "SIGINT" | "SIGTERM" | undefined;
  let send: ((sig: Deno.Signal) => void) | undefined;
  const timers: ReturnType<typeof setTimeout>[] = [];
  const handlers = (["SIGINT", "SIGTERM"] as const).map((s) => {
    const h = () => {
      got ??= s;
      if (s === "SIGINT") timers.push(setTimeout(() => send?.("SIGINT"), SIGINT_DELAY_MS));
      else send?.(s);
      timers.push(setTimeout(() => send?.("SIGKILL"), GRACE_MS));
    };
    Deno.addSignalListener(s, h);
    return [s, h] as const;
  });
  try {
    const code = await run((signal) => {
      send = signal;
      if (got) signal(got);
    });
    if (got) {
      throw new InterruptedError(`Interrupted (${got}): the command in "${name}" was stopped.`);
    }
    return code;
  } finally {
    for (const t of timers) clearTimeout(t);
    for (const [s, h] of handlers) Deno.removeSignalListener(s, h);
  }
}
