/** What `init` and `clone` do once the machine is built: its init script, in this terminal. */
import type { Context } from "./context.ts";
import { initScriptMessage, runInitScript } from "../core/init_script.ts";

/**
 * After a built `init` / `clone` (unless -n): runs the machine's init script in this terminal and
 * reports its exit code; returns what the JSON result carries.
 */
export async function afterInit(
  ctx: Context,
  name: string,
  status: string,
  runInit: boolean,
): Promise<{ init_script_exit?: number }> {
  if (!runInit || status !== "UpToDate") return {};
  const r = await runInitScript(ctx.core(), name, {
    tty: Deno.stdin.isTerminal() && Deno.stdout.isTerminal(),
    toStderr: ctx.ui.opts.json,
  });
  const msg = initScriptMessage(name, r);
  if (r.exitCode === 0) ctx.ui.step(msg);
  else ctx.ui.warn(msg);
  return { init_script_exit: r.exitCode };
}
