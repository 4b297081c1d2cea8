/** Pure layout of the LXD containers: config keys, disk devices and the store's view of paths. */
import { posix } from "../../path.ts";
import { machinePaths, type Paths } from "../../config/paths.ts";
import type { StoreView } from "../types.ts";
import { type DiskDevice, MACHINE_USER, rawIdmap } from "./argv.ts";
import { MACHINE_LOG_DIR, NIX_PATHS } from "../../contract.ts";

/** Where the store mounts the host folders. */
export const STORE_MOUNTS = {
  config: "/config",
  data: "/data",
  nix: "/nix",
  /** The machines' profile folders, as GC roots: `nix store gc` never collects a machine's system. */
  gcroots: NIX_PATHS.gcRootsDir,
} as const;

/** The host user's ids (the test bed runs as root: 0/0). */
export interface HostIds {
  uid: number;
  gid: number;
}

/** Config keys of the store: nesting, and the host user as the store's root (owns /nix). */
export function storeConfig(ids: HostIds): Record<string, string> {
  return {
    "security.nesting": "true",
    "raw.idmap": rawIdmap(ids, { uid: 0, gid: 0 }),
    "user.codchi.role": "store",
  };
}

/**
 * Who the host user is inside a machine: the machine user (`codchi`, group `users`), so its home
 * on the host belongs to the user. Except for a root host user: LXD 5.0 cannot start a
 * container that maps host uid 0 to another id (it gives the container's folder to the wrong
 * owner), so root maps to root, and the machine's boot hands the home to the machine user.
 */
export function machineIdentity(ids: HostIds): { uid: number; gid: number } {
  return ids.uid === 0 ? { uid: 0, gid: 0 } : { uid: MACHINE_USER.uid, gid: MACHINE_USER.gid };
}

/** Config keys of a machine: nesting, and the host user mapped as `machineIdentity` says. */
export function machineConfig(ids: HostIds, machine: string): Record<string, string> {
  return {
    "security.nesting": "true",
    "raw.idmap": rawIdmap(ids, machineIdentity(ids)),
    "user.codchi.role": "machine",
    "user.codchi.machine": machine,
  };
}

/** The store's disks: config dir, data dir, the data's `nix/`, and the machines as GC roots. */
export function storeDisks(paths: Paths): DiskDevice[] {
  return [
    { name: "codchi-config", source: paths.configDir, path: STORE_MOUNTS.config },
    { name: "codchi-data", source: paths.dataDir, path: STORE_MOUNTS.data },
    { name: "codchi-nix", source: paths.storeDir, path: STORE_MOUNTS.nix },
    { name: "codchi-gcroots", source: paths.machinesDir, path: STORE_MOUNTS.gcroots },
  ];
}

/**
 * Why the store container `listed` (its own devices, from `list --format json`) is not the store
 * of `paths` — it mounts another config or data folder (another user, HOME or data dir) — or
 * undefined when its mounts are ours (or it has none of them yet).
 */
export function foreignStoreMounts(
  paths: Paths,
  devices: Record<string, Record<string, string>> | undefined,
): string | undefined {
  const norm = (p: string) => posix.normalize(p).replace(/(.)\/+$/, "$1");
  const problems: string[] = [];
  for (const d of storeDisks(paths)) {
    const src = devices?.[d.name]?.source;
    if (src !== undefined && norm(src) !== norm(d.source)) {
      problems.push(`${d.path} is ${src}, not ${d.source}`);
    }
  }
  return problems.length ? problems.join("; ") : undefined;
}

/** Which of the store's disks the container `devices` lack, or undefined when it has them all. */
export function missingStoreMounts(
  paths: Paths,
  devices: Record<string, Record<string, string>> | undefined,
): string | undefined {
  const missing = storeDisks(paths).filter((d) => devices?.[d.name] === undefined);
  return missing.length ? `no ${missing.map((d) => d.path).join(", ")} mount` : undefined;
}

/**
 * Why the container of `machine` (its own `devices`) does not carry exactly the disks the
 * machine needs — one missing, or one pointing at another folder (e.g. another machine's home)
 * — or undefined when it does. Such a container is never started.
 */
export function machineMountProblem(
  paths: Paths,
  machine: string,
  devices: Record<string, Record<string, string>> | undefined,
): string | undefined {
  const norm = (p: string) => posix.normalize(p).replace(/(.)\/+$/, "$1");
  const problems: string[] = [];
  for (const d of machineDisks(paths, machine)) {
    const have = devices?.[d.name];
    if (!have) problems.push(`${d.path} is not mounted`);
    else if (norm(have.source ?? "") !== norm(d.source) || have.path !== d.path) {
      problems.push(`${d.path} is ${have.source ?? "?"}, not ${d.source}`);
    }
  }
  return problems.length ? problems.join("; ") : undefined;
}

/** The host folder of a machine's logs. */
export function machineLogDir(paths: Paths, machine: string): string {
  return machinePaths(paths, machine).logs;
}

/** A machine's disks: the shared store (read-only), daemon socket folder, db, profiles, home, logs. */
export function machineDisks(paths: Paths, machine: string): DiskDevice[] {
  const nix = (rel: string) => posix.join(paths.storeDir, rel);
  const mp = machinePaths(paths, machine);
  return [
    { name: "codchi-store", source: nix("store"), path: NIX_PATHS.store, readonly: true },
    {
      name: "codchi-daemon",
      source: nix("var/nix/daemon-socket"),
      path: NIX_PATHS.daemonSocketDir,
    },
    { name: "codchi-db", source: nix("var/nix/db"), path: NIX_PATHS.db, readonly: true },
    { name: "codchi-profiles", source: mp.profilesDir, path: NIX_PATHS.profilesDir },
    { name: "codchi-home", source: mp.data, path: MACHINE_USER.home },
    { name: "codchi-logs", source: machineLogDir(paths, machine), path: MACHINE_LOG_DIR },
  ];
}

/** Host folders that must exist before the store container gets its devices. */
export function storeHostDirs(paths: Paths): string[] {
  return [
    ...storeDisks(paths).map((d) => d.source),
    posix.join(paths.storeDir, "var/nix/gcroots"),
  ];
}

/** Host folders that must exist before a machine gets its devices. */
export function machineHostDirs(paths: Paths, machine: string): string[] {
  return machineDisks(paths, machine).map((d) => d.source);
}

/** A host path below `root` as seen at `mount`, or undefined when it is not below `root`. */
export function viewOf(root: string, mount: string, hostPath: string): string | undefined {
  const rel = posix.relative(root, hostPath);
  if (rel.startsWith("..") || posix.isAbsolute(rel)) return undefined;
  return rel === "" ? mount : posix.join(mount, rel);
}

/**
 * Who the machine user is to the store. A host user U is the store's root and the machine's
 * `codchi`, so the store's root owns its files; a root host maps root to root in both, and both
 * containers share LXD's default id range, so the machine user's uid is the same number in the store.
 */
export function machineOwnerInStore(ids: HostIds): { uid: number; gid: number } {
  return ids.uid === 0 ? { uid: MACHINE_USER.uid, gid: MACHINE_USER.gid } : { uid: 0, gid: 0 };
}

/** How the store container sees the host folders (`ids`: the host user's). */
export function storeView(paths: Paths, ids: HostIds = { uid: 0, gid: 0 }): StoreView {
  const inConfig = (p: string) => {
    const v = viewOf(paths.configDir, STORE_MOUNTS.config, p);
    if (!v) throw new Error(`${p} is not below the config dir ${paths.configDir}`);
    return v;
  };
  const inData = (p: string) => {
    const v = viewOf(paths.dataDir, STORE_MOUNTS.data, p);
    if (!v) throw new Error(`${p} is not below the data dir ${paths.dataDir}`);
    return v;
  };
  return {
    configDir: STORE_MOUNTS.config,
    profilesDir: (machine) => inConfig(machinePaths(paths, machine).profilesDir),
    machineHome: (machine) => inData(machinePaths(paths, machine).data),
    machineOwner: machineOwnerInStore(ids),
    hostNix: paths.storeDir,
  };
}
