/** What `init` and `clone` do once the machine is built: its init script, in this terminal. */
import type { Context } from "./context.ts";
import { InterruptedError } from "../errors.ts";
import { INIT_COMMAND, initScriptMessage, runInitScript } from "../core/init_script.ts";

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
  let r;
  try {
    r = await runInitScript(ctx.core(), name, {
      tty: Deno.stdin.isTerminal() && Deno.stdout.isTerminal(),
      toStderr: ctx.ui.opts.json,
    });
  } catch (e) {
    if (e instanceof InterruptedError) throw e;
    // The machine is made; only its init script could not be started: say so, do not fail.
    ctx.ui.warn(
      `Could not run the init script of "${name}": ${(e as Error).message} ` +
        `Run it with: codchi exec ${name} ${INIT_COMMAND}`,
    );
    return {};
  }
  const msg = initScriptMessage(name, r);
  if (r.exitCode === 0) ctx.ui.step(msg);
  else ctx.ui.warn(msg);
  return { init_script_exit: r.exitCode };
}
