/** The machines there are: one folder read, no schema loaded (start-up path of every command). */
import { machinePaths, type Paths } from "../config/paths.ts";
import { machineNameProblem } from "../config/names.ts";

/** Names of every machine with a machine.json, sorted. */
export function listMachines(paths: Paths): Promise<string[]> {
  // Synchronous: one folder and a stat per machine, faster than an async op each.
  const names: string[] = [];
  try {
    for (const e of Deno.readDirSync(paths.machinesDir)) {
      if (!e.isDirectory || machineNameProblem(e.name)) continue;
      try {
        Deno.statSync(machinePaths(paths, e.name).file);
        names.push(e.name);
      } catch { /* a folder without machine.json is not a machine */ }
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) return Promise.reject(e);
  }
  return Promise.resolve(names.sort());
}
