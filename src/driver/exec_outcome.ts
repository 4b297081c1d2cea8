/** Shared by the drivers: `exec` is `execIfRunning` with a stopped machine an error. */
import { NotRunningError } from "../errors.ts";
import type { Output } from "../process.ts";
import type { ExecOutcome } from "./types.ts";

/** The outcome of a command that ran. */
export function ran(out: Output): ExecOutcome {
  return { ran: true, out };
}

/** The outcome when the machine was not running: nothing ran. */
export const NOT_RUNNING: ExecOutcome = { ran: false, state: "not-running" };

/** The command's Output; a NotRunningError (exit 6, with how to start it) when it did not run. */
export function ranOrThrow(machine: string, o: ExecOutcome): Output {
  if (!o.ran) throw new NotRunningError(machine);
  return o.out;
}
