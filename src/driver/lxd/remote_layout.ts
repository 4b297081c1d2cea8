/**
 * The layout of the store and machines on a remote server, where nothing binds host folders:
 * /nix, each machine's profiles and each home are custom storage volumes on the server, shared
 * by the store and the machine. Pure: names, devices, argv, the store's view and the checks.
 */
import { posix } from "../../path.ts";
import type { StoreView } from "../types.ts";
import { type DeviceSpec, type LxcBinary, MACHINE_USER } from "./argv.ts";
import { NIX_PATHS } from "../../contract.ts";

/** Where the remote store keeps what it is handed and what it mounts. */
export const REMOTE_STORE = {
  /** The machines' flakes and the driver flake (pushed from the host, without secrets). */
  config: "/config",
  /** The machines' homes (their volumes), one folder per machine. */
  homes: "/codchi/homes",
} as const;

/** The volumes of this data folder's project (volumes live in the engine's default project). */
export function remoteVolumes(project: string) {
  return {
    nix: `${project}-nix`,
    home: (machine: string) => `${project}-home-${machine}`,
    profiles: (machine: string) => `${project}-prof-${machine}`,
  };
}

/** A custom volume as a disk device. */
export function volumeDisk(
  name: string,
  pool: string,
  volume: string,
  path: string,
  readonly = false,
): DeviceSpec {
  const options: Record<string, string> = { pool, source: volume, path };
  if (readonly) options.readonly = "true";
  return { name, type: "disk", options };
}

/** Config keys of a store or machine on a remote: no raw.idmap (the host's ids mean nothing there). */
export function remoteConfig(
  role: "store" | "machine",
  machine?: string,
): Record<string, string> {
  const c: Record<string, string> = { "security.nesting": "true", "user.codchi.role": role };
  if (machine !== undefined) c["user.codchi.machine"] = machine;
  return c;
}

/** The store's own disk: the /nix volume. */
export function remoteStoreDisks(project: string, pool: string): DeviceSpec[] {
  return [volumeDisk("codchi-nix", pool, remoteVolumes(project).nix, "/nix")];
}

/** The store's disks of one machine: its profiles (a GC root) and its home. */
export function remoteStoreMachineDisks(
  project: string,
  pool: string,
  machine: string,
): DeviceSpec[] {
  const v = remoteVolumes(project);
  return [
    volumeDisk(
      `codchi-p-${machine}`,
      pool,
      v.profiles(machine),
      posix.join(NIX_PATHS.gcRootsDir, machine),
    ),
    volumeDisk(
      `codchi-h-${machine}`,
      pool,
      v.home(machine),
      posix.join(REMOTE_STORE.homes, machine),
    ),
  ];
}

/** A machine's disks: the store's /nix (read-only), its own profiles and home. */
export function remoteMachineDisks(project: string, pool: string, machine: string): DeviceSpec[] {
  const v = remoteVolumes(project);
  return [
    volumeDisk("codchi-nix", pool, v.nix, "/nix", true),
    volumeDisk("codchi-profiles", pool, v.profiles(machine), NIX_PATHS.profilesDir),
    volumeDisk("codchi-home", pool, v.home(machine), MACHINE_USER.home),
  ];
}

/** Which machine a store device of `remoteStoreMachineDisks` belongs to, if any. */
export function storeDeviceMachine(device: string): string | undefined {
  return /^codchi-[ph]-(.+)$/.exec(device)?.[1];
}

/**
 * Why `devices` (an instance's own, from `list --format json`) are not exactly `wanted` (a disk
 * missing, or on another pool, volume or path), or undefined. A disk of the host is always wrong.
 */
export function remoteDiskProblem(
  wanted: DeviceSpec[],
  devices: Record<string, Record<string, string>> | undefined,
): string | undefined {
  const problems: string[] = [];
  for (const d of wanted) {
    const have = devices?.[d.name];
    if (!have) problems.push(`${d.options.path} is not mounted`);
    else if (
      have.pool !== d.options.pool || have.source !== d.options.source ||
      have.path !== d.options.path
    ) {
      problems.push(`${d.options.path} is ${have.pool ?? "the host"}:${have.source ?? "?"}`);
    }
  }
  const hostBinds = Object.entries(devices ?? {}).filter(([, o]) =>
    o.type === "disk" && !o.pool && o.source && o.path !== "/"
  );
  for (const [name, o] of hostBinds) problems.push(`${name} binds ${o.source} of the server`);
  return problems.length ? problems.join("; ") : undefined;
}

/** How the remote store sees the machines' folders (no host folder at all). */
export function remoteStoreView(): StoreView {
  return {
    configDir: REMOTE_STORE.config,
    profilesDir: (machine) => posix.join(NIX_PATHS.gcRootsDir, machine),
    machineHome: (machine) => posix.join(REMOTE_STORE.homes, machine),
    // Store and machines share the engine's default id map: the machine user's uid is the same.
    machineOwner: { uid: MACHINE_USER.uid, gid: MACHINE_USER.gid },
  };
}

/** Creates a custom volume. */
export function volumeCreateArgv(bin: LxcBinary, pool: string, volume: string): string[] {
  return [bin, "storage", "volume", "create", "-q", pool, volume];
}

/** Deletes a custom volume (detached from every instance first). */
export function volumeDeleteArgv(bin: LxcBinary, pool: string, volume: string): string[] {
  return [bin, "storage", "volume", "delete", "-q", pool, volume];
}

/** Copies a custom volume (`duplicate`). */
export function volumeCopyArgv(bin: LxcBinary, pool: string, from: string, to: string): string[] {
  return [bin, "storage", "volume", "copy", "-q", `${pool}/${from}`, `${pool}/${to}`];
}

/** Every custom volume of a pool as JSON. */
export function volumeListArgv(bin: LxcBinary, pool: string): string[] {
  return [bin, "storage", "volume", "list", "-q", "--format", "json", pool];
}

/** The pool of the default profile's root disk (where the remote's instances live). */
export function rootPoolArgv(bin: LxcBinary): string[] {
  return [bin, "profile", "device", "get", "default", "root", "pool"];
}

/** The names of the custom volumes in `volume list --format json`. */
export function parseCustomVolumes(text: string): string[] {
  const rows = JSON.parse(text || "[]") as { name: string; type: string }[];
  return rows.filter((r) => r.type === "custom").map((r) => r.name);
}

/** The flake files of the machines and the driver flakes, relative to the config dir. */
export function configSyncEntries(
  machines: { name: string; files: string[] }[],
  driverFlakes: string[],
): string[] {
  const keep = new Set(["flake.nix", "flake.lock"]);
  return [
    ...machines.flatMap((m) =>
      m.files.filter((f) => keep.has(f)).map((f) => `machines/${m.name}/${f}`)
    ),
    ...driverFlakes.filter((d) => /^driver-flake-[0-9a-f]+$/.test(d)),
  ].sort();
}
