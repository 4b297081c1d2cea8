/** What `codchi exec` does (no parser needed: the fast path and the command share it). */
import type { Context } from "./context.ts";
import { validateMachineName } from "../config/names.ts";
import { execAfterExit1, execInMachine } from "../core/exec.ts";

/**
 * Runs `cmd` (or a login shell) in machine `name`; the child's exit code becomes codchi's.
 * `afterExit1`: the fast path ran it already and it ended with 1 (see `execAfterExit1`).
 */
export async function execAction(
  ctx: Context,
  name: string,
  cmd: string[],
  afterExit1 = false,
): Promise<void> {
  const opts = { tty: Deno.stdin.isTerminal() && Deno.stdout.isTerminal() };
  ctx.exitCode = afterExit1
    ? await execAfterExit1(ctx.core(), validateMachineName(name), cmd, opts)
    : await execInMachine(ctx.core(), validateMachineName(name), cmd, opts);
}
