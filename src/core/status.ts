/** Machine status from ONE driver call plus files codchi recorded at the last build. */
import { machinePaths, type Paths } from "../config/paths.ts";
import type { Built } from "../config/schema.ts";
import { fileHash } from "../config/store.ts";
import type { HostState } from "../driver/types.ts";
import { listMachines, loadBuiltQuick, loadMachineQuick } from "./records.ts";
import { CodchiError } from "../errors.ts";
import { listJournals, STORE_KEY } from "../config/journal_files.ts";
import { machineNameProblem } from "../config/names.ts";
import { MACHINE_USER } from "../contract.ts";
import { driverId, driverSource, treeHash } from "./driver_id.ts";
import { HashMemo, hashMemoFile } from "../config/hash_memo.ts";

/** Config status of a machine, as in the reference. */
export type ConfigStatus = "NotInstalled" | "Modified" | "UpdatesAvailable" | "UpToDate";

/** A row's status: a config status, or `Broken` when the machine's files cannot be used. */
export type RowStatus = ConfigStatus | "Broken";

/** One row of `codchi status`. */
export interface MachineStatus {
  name: string;
  status: RowStatus;
  running: boolean;
  /** The machine's home folder on the host (on a remote: `<remote>:` and the machine user's home). */
  home: string;
  /** The remote server the machine runs on (absent: this host). */
  remote?: string;
  /** Why the machine is `Broken` (the file and key, or what is wrong with its container). */
  reason?: string;
}

/**
 * Pure status rule: not built/installed, flake changed, lock changed or built with another
 * driver flake than this codchi's (`driver`, when known on both sides), else up to date.
 */
export function configStatus(
  built: Built | undefined,
  installed: boolean,
  flakeHash: string,
  lockHash: string,
  driver?: string,
): ConfigStatus {
  if (!built || !installed) return "NotInstalled";
  if (built.flakeHash !== flakeHash) return "Modified";
  if (built.lockHash !== lockHash) return "UpdatesAvailable";
  if (driver && built.driver && built.driver !== driver) return "UpdatesAvailable";
  return "UpToDate";
}

/** What a machine's files say, before the driver's view is known. */
type FileView =
  | { kind: "interrupted"; reason: string }
  | { kind: "read"; built: Built | undefined; flakeHash: string; lockHash: string }
  | { kind: "broken"; reason: string }
  | { kind: "error"; error: unknown };

/**
 * Every machine's row as `codchi status` and the tray show it: `state` is the driver's one
 * listing (a caller may start it first; the files are read while it runs), `names` the machines
 * listed (the driver flake's id is computed only when there are some). The flake files' and the
 * driver flake's hashes are remembered by their stamps (config/hash_memo.ts, in the runtime
 * folder): only what changed is read and hashed again.
 */
export async function statusRows(
  paths: Paths,
  env: Record<string, string | undefined>,
  names: readonly string[],
  state: Promise<HostState | undefined>,
): Promise<MachineStatus[]> {
  const memo = new HashMemo(hashMemoFile(paths.runtimeDir));
  const driver = names.length
    ? driverId(driverSource(env), (dir) => memo.tree(dir, treeHash))
    : undefined;
  try {
    return await machineStatuses(paths, state, driver, (file) => memo.file(file, fileHash));
  } finally {
    await memo.save();
  }
}

/**
 * Status of every machine; `state` comes from one `driver.states()` call (or none, if absent);
 * `driver` is the identity of this codchi's driver flake (`driverId`). Both may still be coming
 * (promises): the machines' files are read meanwhile (while `lxc list` runs), and an error of
 * `state` comes first, as if it had been awaited before.
 */
export async function machineStatuses(
  paths: Paths,
  state: HostState | undefined | Promise<HostState | undefined>,
  driver?: string | Promise<string | undefined>,
  hash: (file: string) => Promise<string> = fileHash,
): Promise<MachineStatus[]> {
  // Nobody waits on them until the files are read: their errors are thrown below.
  Promise.resolve(state).catch(() => {});
  Promise.resolve(driver).catch(() => {});
  const names = await listMachines(paths);
  const journals = new Set(
    (await listJournals(paths)).filter((k) => k !== STORE_KEY && !machineNameProblem(k)),
  );
  const all = [...new Set([...names, ...journals])].sort();
  const views = await Promise.all(
    all.map((name) => fileView(paths, name, journals.has(name), hash)),
  );
  const st = await state;
  const drv = await driver;
  return all.map((name, i) => {
    const v = views[i];
    const home = machinePaths(paths, name).data;
    const rt = st?.machines.get(name);
    const running = rt?.running ?? false;
    if (v.kind === "error") throw v.error;
    if (v.kind !== "read") {
      return { name, status: "Broken" as const, running, home, reason: v.reason };
    }
    return {
      name,
      status: configStatus(v.built, rt !== undefined, v.flakeHash, v.lockHash, drv),
      running,
      home,
    };
  });
}

/**
 * Rows of machines on a remote: the home is the machine user's home there (a volume of the
 * server, reached with `codchi exec`), not a host folder; `remote` names the server.
 */
export function remoteRows(rows: MachineStatus[], remote: string | undefined): MachineStatus[] {
  if (!remote) return rows;
  return rows.map((r) => ({ ...r, home: `${remote}:${MACHINE_USER.home}`, remote }));
}

/** Reads what the files of machine `name` say (a CodchiError makes it Broken, with the reason). */
async function fileView(
  paths: Paths,
  name: string,
  journal: boolean,
  hash: (file: string) => Promise<string>,
): Promise<FileView> {
  const mp = machinePaths(paths, name);
  try {
    if (journal) {
      const { readJournal } = await import("../config/journal.ts");
      const j = await readJournal(paths, name);
      if (j) {
        return {
          kind: "interrupted",
          reason: `an interrupted ${j.op} (pid ${j.pid}) was not finished; ` +
            `the next codchi command on "${name}" finishes it (e.g. codchi ${
              j.op === "switch" ? "rebuild" : "delete"
            } ${name})`,
        };
      }
    }
    await loadMachineQuick(paths, name);
    const [built, flakeHash, lockHash] = await Promise.all([
      loadBuiltQuick(paths, name),
      hash(mp.flake),
      hash(mp.lock),
    ]);
    return { kind: "read", built, flakeHash, lockHash };
  } catch (e) {
    if (!(e instanceof CodchiError)) return { kind: "error", error: e };
    return { kind: "broken", reason: e.message.replace(/\s*\n\s*-?\s*/g, " ") };
  }
}

/** The store's state as `status` shows it. */
export type StoreState = "running" | "stopped" | "missing" | "broken";

/** The store's row of `codchi status`: its state, and for `broken` why and what to run. */
export interface StoreStatus {
  state: StoreState;
  reason?: string;
}

/**
 * Pure: the store's state from the driver's view and whether a store creation was interrupted
 * (`interrupted`: its journal record is left). An interrupted creation or a store lacking its
 * mounts is `broken` (the reason says what fixes it); no store at all is `missing` (the next
 * command that needs it creates it).
 */
export function storeStatus(store: HostState["store"], interrupted: boolean): StoreStatus {
  if (interrupted) {
    return {
      state: "broken",
      reason: "an interrupted store creation was not finished; the next command that needs " +
        "the store finishes it (e.g. codchi exec <machine> -- true)",
    };
  }
  if (!store.installed) return { state: "missing" };
  if (store.problem) {
    return { state: "broken", reason: `${store.problem}; run: codchi store recover` };
  }
  return { state: store.running ? "running" : "stopped" };
}

/** Pure: the store line under the status table. */
export function storeLine(s: StoreStatus): string {
  switch (s.state) {
    case "running":
      return "Store: running";
    case "stopped":
      return "Store: stopped (the next exec or rebuild starts it)";
    case "missing":
      return "Store: missing (the next exec or rebuild creates it)";
    case "broken":
      return `Store: broken: ${s.reason}`;
  }
}
