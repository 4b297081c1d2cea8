/**
 * Machine records on the start-up path of `exec` and `status`: listed and read without loading
 * the schema library when the same files were validated before (config/trusted.ts). The full
 * readers (and every error they report) are in machines.ts.
 */
import { machinePaths, type Paths } from "../config/paths.ts";
import type { Built, MachineConfig } from "../config/schema.ts";
import { readValidated } from "../config/trusted.ts";

export { listMachines } from "./machine_list.ts";

/** `loadMachine` of machines.ts, remembered per content. */
export function loadMachineQuick(paths: Paths, name: string): Promise<MachineConfig> {
  return readValidated(
    paths.runtimeDir,
    machinePaths(paths, name).file,
    async () => (await import("./machines.ts")).loadMachine(paths, name),
  );
}

/** `loadBuilt` of machines.ts, remembered per content; undefined (at once) when never built. */
export async function loadBuiltQuick(paths: Paths, name: string): Promise<Built | undefined> {
  const file = machinePaths(paths, name).built;
  try {
    Deno.lstatSync(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  return await readValidated(
    paths.runtimeDir,
    file,
    async () => (await import("./machines.ts")).loadBuilt(paths, name),
  );
}
