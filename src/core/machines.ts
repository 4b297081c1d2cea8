/** Machine records on the host: list, load, save, lock. No processes. */
import { machinePaths, type Paths } from "../config/paths.ts";
import { acquireLock } from "../config/lock.ts";
import {
  type Built,
  BuiltSchema,
  MACHINE_VERSION,
  type MachineConfig,
  MachineConfigSchema,
} from "../config/schema.ts";
import { readJson, writeJson } from "../config/store.ts";
import { ConfigError, NotFoundError } from "../errors.ts";
import { listMachines } from "./machine_list.ts";

export { listMachines } from "./machine_list.ts";

/** Loads machine.json, or a NotFoundError that lists the machines that exist. */
export async function loadMachine(paths: Paths, name: string): Promise<MachineConfig> {
  const file = machinePaths(paths, name).file;
  const cfg = await readJson(file, MachineConfigSchema);
  if (cfg && cfg.name !== name) {
    throw new ConfigError(
      `${file} is invalid:\n  - key "name": is ${
        JSON.stringify(cfg.name)
      }, but the file is in the folder of "${name}"`,
      `Set "name" to "${name}" in ${file} (codchi leaves the file untouched).`,
    );
  }
  if (!cfg) {
    const all = await listMachines(paths);
    throw new NotFoundError(
      `There is no machine "${name}".`,
      all.length
        ? `Machines: ${all.join(", ")}. Create one with: codchi init ${name}`
        : `Create it with: codchi init ${name}`,
    );
  }
  return cfg;
}

/** Whether machine.json exists. */
export async function machineExists(paths: Paths, name: string): Promise<boolean> {
  try {
    await Deno.lstat(machinePaths(paths, name).file);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** A fresh machine config. */
export function newMachineConfig(name: string, now = new Date()): MachineConfig {
  return {
    version: MACHINE_VERSION,
    name,
    nixpkgsFrom: "local",
    modules: [],
    createdAt: now.toISOString(),
  };
}

/** Writes machine.json atomically. */
export async function saveMachine(paths: Paths, cfg: MachineConfig): Promise<void> {
  await writeJson(machinePaths(paths, cfg.name).file, cfg);
}

/** The last build record, if any. */
export function loadBuilt(paths: Paths, name: string): Promise<Built | undefined> {
  return readJson(machinePaths(paths, name).built, BuiltSchema);
}

/** Runs `fn` holding the machine's lock (waiting at most `timeoutMs`, default `lockTimeoutMs()`). */
export async function withMachineLock<T>(
  paths: Paths,
  name: string,
  fn: () => Promise<T>,
  onWait?: (holder: string) => void,
  timeoutMs?: number,
): Promise<T> {
  const lock = await acquireLock(
    machinePaths(paths, name).lockFile,
    `Machine "${name}"`,
    timeoutMs,
    onWait,
  );
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
