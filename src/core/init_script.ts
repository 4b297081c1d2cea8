/** After `init` / `clone`: the machine's `codchi-init` (welcome + codchi.initScript), visibly. */
import { CONTRACT } from "../contract.ts";
import type { CoreContext } from "./context.ts";
import { execInMachine } from "./exec.ts";

/** The command inside a machine that shows the welcome and runs the init script (again). */
export const INIT_COMMAND = CONTRACT.commands.init;

/** What running the init script gave. */
export interface InitScriptResult {
  /** The init script's exit code (codchi-init's). */
  exitCode: number;
}

/**
 * Runs `codchi-init` in machine `name` as the machine user, in the user's terminal (stdin,
 * stdout and stderr passed through; a terminal when codchi has one). With `toStderr` (`--json`)
 * its output goes to stderr, so stdout stays the JSON result.
 */
export async function runInitScript(
  ctx: CoreContext,
  name: string,
  opts: { tty: boolean; toStderr: boolean },
): Promise<InitScriptResult> {
  ctx.reporter.step(
    `Running the init script of "${name}" (inside the machine, ${INIT_COMMAND} runs it again)`,
  );
  const argv = opts.toStderr ? ["sh", "-c", `exec ${INIT_COMMAND} >&2`] : [INIT_COMMAND];
  const exitCode = await execInMachine(ctx, name, argv, { tty: opts.tty && !opts.toStderr });
  return { exitCode };
}

/** The line codchi prints about the init script's outcome. */
export function initScriptMessage(name: string, r: InitScriptResult): string {
  return r.exitCode === 0
    ? `The init script of "${name}" finished (exit 0).`
    : `The init script of "${name}" failed (exit ${r.exitCode}); fix it and run it again ` +
      `inside the machine: codchi exec ${name} ${INIT_COMMAND}`;
}
