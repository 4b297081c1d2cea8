/**
 * `codchi exec`: ONE spawn on a running machine. Loads only what that needs; settling an
 * unfinished operation or starting a stopped machine (store, secrets, host CA) loads the
 * lifecycle on demand.
 */
import { InterruptedError, NotFoundError, NotRunningError } from "../errors.ts";
import { hasJournal } from "../config/journal_files.ts";
import type { CoreContext } from "./context.ts";
import { loadBuiltQuick, loadMachineQuick } from "./records.ts";

/** Runs `argv` (or a login shell) in machine `name`; starts store and machine when needed. */
export async function execInMachine(
  ctx: CoreContext,
  name: string,
  argv: string[],
  opts: { tty: boolean },
): Promise<number> {
  const paths = await ctx.paths();
  // Loading the driver overlaps the file checks below (it spawns nothing).
  const driverReady = ctx.driver();
  driverReady.catch(() => {}); // its error, if any, is thrown where it is awaited
  // A killed codchi left an operation on this machine unfinished: settle it first.
  if (await hasJournal(paths, name)) {
    const { withMachine } = await import("./journal_ops.ts");
    await withMachine(ctx, name, async () => {});
  }
  await loadMachineQuick(paths, name);
  if (!(await loadBuiltQuick(paths, name))) {
    throw new NotFoundError(
      `Machine "${name}" was never built.`,
      `Build it with: codchi rebuild ${name}`,
    );
  }
  const driver = await driverReady;
  // The machine needs the store's daemon: a stopped or deleted store is brought back first.
  if (driver.store.alive && !(await driver.store.alive())) {
    await driver.store.ensureRunning(ctx.reporter);
  }
  // On Windows: VcXsrv's display when enabled (started if not running), else WSLg.
  const gui = await ctx.guiEnv?.();
  const run = () =>
    forwardingSignals(
      name,
      (onSpawn) =>
        driver.exec(name, argv, { tty: opts.tty, stdin: "inherit", onSpawn, env: gui })
          .then((o) => o.code),
    );
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof NotRunningError)) throw e;
    const { startMachine } = await import("./start.ts");
    await startMachine(ctx, driver, name);
    return await run();
  }
}

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
async function forwardingSignals(
  name: string,
  run: (onSpawn: (signal: (sig: Deno.Signal) => void) => void) => Promise<number>,
): Promise<number> {
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
