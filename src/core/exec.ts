/**
 * `codchi exec`: ONE spawn on a running machine. Loads only what that needs; settling an
 * unfinished operation or starting a stopped machine (store, secrets, host CA) loads the
 * lifecycle on demand.
 */
import { NotFoundError, NotRunningError } from "../errors.ts";
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
  const run = () => driver.exec(name, argv, { tty: opts.tty, stdin: "inherit" });
  try {
    return (await run()).code;
  } catch (e) {
    if (!(e instanceof NotRunningError)) throw e;
    const { startMachine } = await import("./start.ts");
    await startMachine(ctx, driver, name);
    return (await run()).code;
  }
}
