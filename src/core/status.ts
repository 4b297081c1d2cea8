/** Machine status from ONE driver call plus files codchi recorded at the last build. */
import { machinePaths, type Paths } from "../config/paths.ts";
import type { Built } from "../config/schema.ts";
import { fileHash } from "../config/store.ts";
import type { HostState } from "../driver/types.ts";
import { listMachines, loadBuiltQuick } from "./records.ts";

/** Config status of a machine, as in the reference. */
export type ConfigStatus = "NotInstalled" | "Modified" | "UpdatesAvailable" | "UpToDate";

/** One row of `codchi status`. */
export interface MachineStatus {
  name: string;
  status: ConfigStatus;
  running: boolean;
  /** The machine's home folder on the host. */
  home: string;
}

/** Pure status rule: not built/installed, flake changed, lock changed, else up to date. */
export function configStatus(
  built: Built | undefined,
  installed: boolean,
  flakeHash: string,
  lockHash: string,
): ConfigStatus {
  if (!built || !installed) return "NotInstalled";
  if (built.flakeHash !== flakeHash) return "Modified";
  if (built.lockHash !== lockHash) return "UpdatesAvailable";
  return "UpToDate";
}

/** Status of every machine; `state` comes from one `driver.states()` call (or none, if absent). */
export async function machineStatuses(
  paths: Paths,
  state: HostState | undefined,
): Promise<MachineStatus[]> {
  const names = await listMachines(paths);
  return await Promise.all(names.map(async (name) => {
    const mp = machinePaths(paths, name);
    const [built, flakeHash, lockHash] = await Promise.all([
      loadBuiltQuick(paths, name),
      fileHash(mp.flake),
      fileHash(mp.lock),
    ]);
    const rt = state?.machines.get(name);
    return {
      name,
      status: configStatus(built, rt !== undefined, flakeHash, lockHash),
      running: rt?.running ?? false,
      home: mp.data,
    };
  }));
}
