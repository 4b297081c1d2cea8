/**
 * `codchi exec`: ONE spawn on a running machine. Loads only what that needs; settling an
 * unfinished operation or starting a stopped machine (store, secrets, host CA) loads the
 * lifecycle on demand.
 */
import { NotFoundError, NotRunningError } from "../errors.ts";
import { hasJournal } from "../config/journal_files.ts";
import type { Driver } from "../driver/types.ts";
import type { CoreContext } from "./context.ts";
import { loadBuiltQuick, loadMachineQuick } from "./records.ts";
import { linuxBase, readInputs, rememberChoice, tryRead } from "./exec_memo.ts";
import { forwardingSignals } from "../process.ts";

/** Runs `argv` (or a login shell) in machine `name`; starts store and machine when needed. */
export async function execInMachine(
  ctx: CoreContext,
  name: string,
  argv: string[],
  opts: { tty: boolean },
): Promise<number> {
  // What the checks below read, before they read it (remembered for the fast path).
  const base = linuxBase(ctx.env);
  const before = base && tryRead(() => readInputs(ctx.env, base, base, name));
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
  } else if (base && before && !ctx.guiEnv) {
    // (The fast path is Linux's: it has no display variables of the host port to hand over.)
    await rememberChoice(ctx, base, name, before, driver);
  }
  // On Windows: VcXsrv's display when enabled (started if not running), else WSLg.
  const gui = await ctx.guiEnv?.();
  // A stopped machine is a state the driver returns (nothing ran): start it, then run.
  return await runExec(driver, name, argv, { ...opts, env: gui }) ??
    await startAndRun(ctx, driver, name, argv, { ...opts, env: gui });
}

/**
 * What the fast path hands over when its exec ended with 1 (lxc's own failure, or the
 * command's): a stopped machine is started and the command run again, a missing one reported.
 */
export async function execAfterExit1(
  ctx: CoreContext,
  name: string,
  argv: string[],
  opts: { tty: boolean },
): Promise<number> {
  const driver = await ctx.driver();
  if (!driver.runningAfterExit1 || await driver.runningAfterExit1(name)) return 1;
  return await startAndRun(ctx, driver, name, argv, { ...opts, env: await ctx.guiEnv?.() });
}

async function startAndRun(
  ctx: CoreContext,
  driver: Driver,
  name: string,
  argv: string[],
  opts: { tty: boolean; env?: Record<string, string> },
): Promise<number> {
  const { startMachine } = await import("./start.ts");
  await startMachine(ctx, driver, name);
  const code = await runExec(driver, name, argv, opts);
  if (code !== undefined) return code;
  // Stopped again between its start and the command (by someone else): an error, not a loop.
  throw new NotRunningError(name);
}

/** The command's exit code, or undefined when the machine was not running (nothing ran). */
function runExec(
  driver: Driver,
  name: string,
  argv: string[],
  opts: { tty: boolean; env?: Record<string, string> },
): Promise<number | undefined> {
  return forwardingSignals(
    name,
    (onSpawn) =>
      driver.execIfRunning(name, argv, { tty: opts.tty, stdin: "inherit", onSpawn, env: opts.env })
        .then((o) => o.ran ? o.out.code : undefined),
  );
}
