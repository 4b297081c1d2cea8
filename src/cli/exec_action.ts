/** What `codchi exec` does (no parser needed: the fast path and the command share it). */
import type { Context } from "./context.ts";
import { validateMachineName } from "../config/names.ts";
import { execInMachine } from "../core/exec.ts";

/** Runs `cmd` (or a login shell) in machine `name`; the child's exit code becomes codchi's. */
export async function execAction(ctx: Context, name: string, cmd: string[]): Promise<void> {
  ctx.exitCode = await execInMachine(ctx.core(), validateMachineName(name), cmd, {
    tty: Deno.stdin.isTerminal() && Deno.stdout.isTerminal(),
  });
}
