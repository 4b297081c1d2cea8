/**
 * The record of a plain `exec` that went through the full path: what it checked and decided
 * (config.json, machine.json and built.json validated; the lxc binary and project chosen), with
 * the inputs it did so from. When every input is the same again, `exec`'s fast path
 * (cli/exec_fast.ts) skips loading the validators and the driver. Kept in the runtime folder
 * (mode 0600, gone at reboot); anything that differs, or a missing or unreadable record, means
 * the full path.
 */
import {
  buildStamp,
  type ExecInputs,
  type ExecMemo,
  memoPath,
  peekMemo,
  STATUS_MEMO,
} from "../config/runtime.ts";
import { computePaths, hostOs, journalDir, machinePaths, type Paths } from "../config/paths.ts";
import type { Driver } from "../driver/types.ts";
import type { CoreContext } from "./context.ts";

export type { ExecInputs, ExecMemo };

/** The environment variables the memo depends on (paths, driver, binary, project), as one key. */
export function envKey(env: Record<string, string | undefined>): string {
  return JSON.stringify(
    Object.entries(env).filter(([k]) =>
      k !== "CODCHI_TRACE" &&
      (/^(CODCHI|XDG)_/.test(k) || ["HOME", "PATH", "USER", "LOGNAME"].includes(k))
    ).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0),
  );
}

let stamp: string | undefined;

/** Stale when codchi changed: the validators, the driver's choices, this module. */
export function memoBuild(): string {
  stamp ??= buildStamp(import.meta.dirname, [
    "exec_memo.ts",
    "../config/schema.ts",
    "../config/store.ts",
    "machines.ts",
    "../driver/mod.ts",
    "../driver/lxd/project.ts",
    "../driver/lxd/argv.ts",
    "../driver/lxd/lxc.ts",
    "../driver/lxd/mod.ts",
    "exec.ts",
  ]);
  return stamp;
}

export { STATUS_MEMO };

/** Where the memo of machine `name` is (`base`: the paths before config.json is applied). */
export function memoFile(base: Paths, name: string): string {
  return memoPath(base.runtimeDir, name);
}

function text(file: string): string | null {
  try {
    return Deno.readTextFileSync(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/**
 * Reads the inputs now (`paths`: with config.json's data folder applied); without a machine
 * `name`, its files count as missing (`status`'s memo). Synchronous: a few small files, read
 * faster (and with less memory) than through Deno's thread pool.
 */
export function readInputs(
  env: Record<string, string | undefined>,
  base: Paths,
  paths: Paths,
  name?: string,
): ExecInputs {
  const m = name === undefined ? undefined : machinePaths(base, name);
  return {
    env: envKey(env),
    config: text(base.configFile),
    machine: m ? text(m.file) : null,
    built: m ? text(m.built) : null,
    pin: text(`${paths.dataDir}/lxd-project`),
    storeDir: isDir(paths.storeDir),
  };
}

/** Whether two snapshots of the inputs are the same. */
export function sameInputs(a: ExecInputs, b: ExecInputs): boolean {
  return a.env === b.env && a.config === b.config && a.machine === b.machine &&
    a.built === b.built && a.pin === b.pin && a.storeDir === b.storeDir;
}

/** The memo of `name`, when there is a readable one of this codchi; else undefined. */
export function readMemo(base: Paths, name: string): ExecMemo | undefined {
  const m = peekMemo(memoFile(base, name));
  return m?.build === memoBuild() ? m : undefined;
}

/** Records a memo (0600, through a temp file and a rename); a failure only costs speed. */
export async function writeMemo(base: Paths, name: string, memo: ExecMemo): Promise<void> {
  // Loaded when writing: exec's fast path, which loads this module, writes nothing.
  const { writeAtomic } = await import("../atomic_write.ts");
  await writeAtomic(memoFile(base, name), JSON.stringify(memo), { mode: 0o600, dirMode: 0o700 })
    .catch(() => {});
}

/** Forgets the memo of `name` (the next exec takes the full path). */
export async function forgetMemo(base: Paths, name: string): Promise<void> {
  await Deno.remove(memoFile(base, name)).catch(() => {});
}

/** The paths before config.json is applied, on Linux (the fast paths are Linux's); else undefined. */
export function linuxBase(env: Record<string, string>): Paths | undefined {
  if (hostOs(env) !== "linux") return undefined;
  try {
    return computePaths("linux", env);
  } catch {
    return undefined;
  }
}

/**
 * Records what the full path checked and chose, for the fast paths (`name`: the machine of an
 * exec; none: status): only for a driver with a fast path (`execChoice`), and only when
 * config.json, machine.json and built.json still read as `before` (before they were validated).
 */
export async function rememberChoice(
  ctx: CoreContext,
  base: Paths,
  name: string | undefined,
  before: ExecInputs,
  driver: Driver,
): Promise<void> {
  const choice = driver.execChoice;
  if (!choice) return;
  const paths = await ctx.paths();
  // Kept where the fast path finds it before config.json is read, and uninstall removes it.
  if (paths.runtimeDir !== base.runtimeDir) return;
  let now: ExecInputs;
  try {
    now = readInputs(ctx.env, base, paths, name);
  } catch {
    return;
  }
  if (
    now.config !== before.config || now.machine !== before.machine ||
    now.built !== before.built
  ) return;
  const dataDir = (await ctx.config()).dataDir;
  await writeMemo(base, name ?? STATUS_MEMO, {
    build: memoBuild(),
    inputs: now,
    ...(dataDir === undefined ? {} : { dataDir }),
    bin: choice.bin,
    project: choice.project,
    list: choice.list,
    ...(name === undefined ? { records: [paths.machinesDir, journalDir(paths)] } : {}),
  });
}

/** `read()`, or undefined when it throws (an unreadable input: no memo is written). */
export function tryRead<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
