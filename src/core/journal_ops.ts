/**
 * Running multi-step machine operations through the journal: the machine's lock, settling what
 * a killed codchi left, intent first, and roll-back (or finishing) on failure, Ctrl-C or SIGTERM.
 */
import {
  journalFile,
  type JournalOp,
  JournalWriter,
  type Part,
  readJournal,
  settlePlan,
} from "../config/journal.ts";
import { machineNameProblem } from "../config/names.ts";
import { machinePaths } from "../config/paths.ts";
import { forgetValidated } from "../config/trusted.ts";
import { forgetHashesBelow, hashMemoFile } from "../config/hash_memo.ts";
import { forgetMemo } from "./exec_memo.ts";
import type { Driver } from "../driver/types.ts";
import { ConfigError, InterruptedError } from "../errors.ts";
import { setInterruptSignal, type StopSignal, whileSignalled } from "../process.ts";
import type { CoreContext } from "./context.ts";
import { removeTree } from "./files.ts";
import { withMachineLock } from "./machines.ts";

/** Removes the given parts of machine `name`, in the journal's order. */
export async function removeParts(
  ctx: CoreContext,
  driver: Driver,
  name: string,
  parts: readonly Part[],
  check?: () => void,
): Promise<void> {
  const paths = await ctx.paths();
  const mp = machinePaths(paths, name);
  if (parts.includes("container")) {
    const state = await driver.states();
    if (state.machines.has(name)) {
      if (state.machines.get(name)?.running) await driver.stop(name, true);
      await driver.remove(name);
    }
  }
  if (parts.includes("apps")) await (await (await ctx.host()).apps()).remove(name);
  if (parts.includes("secrets")) {
    await (await ctx.secrets()).deleteScope(name).catch((e) =>
      ctx.reporter.warn(`Could not remove the secrets of "${name}": ${(e as Error).message}`)
    );
  }
  if (parts.includes("home")) {
    await removeTree(mp.data, check);
    await removeTree(mp.logs);
  }
  if (parts.includes("config")) {
    await removeTree(mp.dir);
    await removeTree(mp.imageFlakeDir); // left by an export that was killed
    await forgetValidated(paths.runtimeDir, [mp.file, mp.built]);
    await forgetHashesBelow(hashMemoFile(paths.runtimeDir), mp.dir);
    await forgetMemo(paths, name);
  }
}

/**
 * Settles the unfinished operation of `name` a killed codchi left (call it holding the lock):
 * removes what was being made, or finishes a delete. Returns whether there was one.
 */
export async function settleMachine(ctx: CoreContext, name: string): Promise<boolean> {
  const paths = await ctx.paths();
  const j = await readJournal(paths, name);
  if (!j) return false;
  if (j.machine !== name || machineNameProblem(name)) {
    throw new ConfigError(
      `The journal record of "${name}" names another machine (${JSON.stringify(j.machine)}).`,
      `Remove ${journalFile(paths, name)} by hand after checking the machine.`,
    );
  }
  const plan = settlePlan(j);
  ctx.reporter.warn(`${plan.message} (pid ${j.pid}, started ${j.startedAt}).`);
  if (j.op === "switch" && j.built) {
    const { finishSwitch } = await import("./build.ts");
    await finishSwitch(ctx, await ctx.driver(), name, j.built).catch((e) =>
      // Not a trap: the record goes, the last build record stays, a rebuild switches again.
      ctx.reporter.warn(
        `Could not finish the switch of "${name}" (${(e as Error).message}); ` +
          `run: codchi rebuild ${name}`,
      )
    );
  }
  await removeParts(ctx, await ctx.driver(), name, plan.remove);
  await new JournalWriter(journalFile(paths, name), j).end();
  return true;
}

/**
 * Runs `fn` holding the locks of `names` (taken in sorted order, so two commands on the same
 * pair never wait for each other), after settling any unfinished operation on them. A wait for
 * a lock is announced.
 */
export async function withMachines<T>(
  ctx: CoreContext,
  names: string[],
  fn: () => Promise<T>,
): Promise<T> {
  const paths = await ctx.paths();
  const sorted = [...new Set(names)].sort();
  const go = async (i: number): Promise<T> => {
    if (i === sorted.length) return await fn();
    const name = sorted[i];
    return await withMachineLock(
      paths,
      name,
      async () => {
        await settleMachine(ctx, name);
        return await go(i + 1);
      },
      (holder) => ctx.reporter.warn(`Waiting for another codchi working on "${name}" (${holder})…`),
    );
  };
  return await go(0);
}

/** Runs `fn` holding the lock of `name`, after settling what a killed codchi left. */
export function withMachine<T>(ctx: CoreContext, name: string, fn: () => Promise<T>): Promise<T> {
  return withMachines(ctx, [name], fn);
}

/**
 * Runs a journaled operation on `name` (hold its lock): the record is written first; `fn`
 * records each part before making it (`j.making`) and calls `check()` between steps, which
 * throws once SIGINT/SIGTERM came (the running child is stopped at once). On any failure the
 * record is settled right here (what was made is removed, a delete is finished) and the error
 * goes on; on success the record goes.
 */
export async function journaled<T>(
  ctx: CoreContext,
  name: string,
  op: JournalOp,
  extra: { from?: string; made?: Part[] },
  fn: (j: JournalWriter, check: () => void) => Promise<T>,
): Promise<T> {
  const paths = await ctx.paths();
  return await interruptible(ctx, cleanupWord(op), async (check, signal) => {
    const j = await JournalWriter.begin(paths, name, op, extra);
    try {
      const res = await fn(j, check);
      check();
      await j.end();
      return res;
    } catch (e) {
      setInterruptSignal(undefined);
      const sig = signal();
      if (sig && op === "delete") {
        // Stopping at once: the record stays, the next codchi command on it finishes the delete.
        throw new InterruptedError(
          `Interrupted (${sig}); the delete of "${name}" is finished by the next codchi ` +
            `command on it (e.g. codchi delete ${name} --i-am-really-sure).`,
        );
      }
      const plan = settlePlan(j.record);
      if (plan.remove.length) {
        ctx.reporter.step(
          op === "delete"
            ? `Finishing the delete of "${name}"`
            : `Removing what was made for "${name}"`,
        );
      }
      try {
        await removeParts(ctx, await ctx.driver(), name, plan.remove);
        await j.end();
      } catch (err) {
        ctx.reporter.warn(
          `Clean-up of "${name}" was incomplete (${(err as Error).message}); ` +
            `the next codchi command on "${name}" finishes it.`,
        );
      }
      if (sig) throw new InterruptedError(`Interrupted (${sig}); ${doneWord(op)}.`);
      throw e;
    }
  });
}

/**
 * Runs `fn` with SIGINT/SIGTERM caught: a signal stops the running child at once (SIGTERM
 * through the process door's interrupt signal), and `check()` throws an InterruptedError from
 * then on, so `fn` cleans up instead of the process dying half-way. A failure caused by the
 * stopped child is reported as the interruption (exit 130).
 */
export async function interruptible<T>(
  ctx: CoreContext,
  doing: string,
  fn: (check: () => void, signal: () => string | undefined) => Promise<T>,
): Promise<T> {
  let signal: string | undefined;
  const abort = new AbortController();
  const stop = (s: StopSignal) => {
    if (!signal) ctx.reporter.warn(`Interrupted (${s}): ${doing}…`);
    signal ??= s;
    setInterruptSignal(undefined);
    abort.abort();
  };
  const check = () => {
    if (signal) throw new InterruptedError(`Interrupted (${signal}).`);
  };
  setInterruptSignal(abort.signal);
  try {
    return await whileSignalled(stop, async () => {
      const res = await fn(check, () => signal);
      check();
      return res;
    });
  } catch (e) {
    if (signal && !(e instanceof InterruptedError)) {
      throw new InterruptedError(`Interrupted (${signal}): ${doing}.`, undefined, { cause: e });
    }
    throw e;
  } finally {
    setInterruptSignal(undefined);
  }
}

function cleanupWord(op: JournalOp): string {
  return op === "delete" ? "stopping (the next command finishes the delete)" : "cleaning up";
}

function doneWord(op: JournalOp): string {
  return op === "delete" ? "the machine was deleted completely" : "nothing was left behind";
}
