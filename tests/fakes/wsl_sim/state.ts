/** The simulator's registry (what Windows keeps under HKCU\…\Lxss), kept as JSON under a lock. */
import { join } from "node:path";

/** One registered distro. */
export interface Distro {
  name: string;
  guid: string;
  /** The install folder (holds ext4.vhdx). */
  basePath: string;
  /** The disk: a tar of the root folder, written at import and whenever the distro stops. */
  vhd: string;
  /** The live root folder. */
  root: string;
  state: "Installing" | "Stopped" | "Running";
  /** Host pid of the distro's init (its mount namespace) while running. */
  initPid?: number;
  /** That init's mount namespace (`mnt:[…]`): a reused pid is not the distro's. */
  initNs?: string;
  sparse: boolean;
  defaultUid: number;
  /** When the last wsl.exe call on it ended (or it booted): the idle timer's start (ms). */
  lastActive?: number;
  /** When it booted (ms); WSL waits for systemd (boot.initTimeout) from then on. */
  bootedAt?: number;
  /** systemd=true: the wait for systemd at boot has ended (ready or timed out). */
  bootWaited?: boolean;
  /** uids that got a login session this boot (CreateLoginSession tries once per uid). */
  sessions?: number[];
  /** Its disk is attached to the VM (from boot until the VM stops): the file is not current. */
  attached?: boolean;
}

/** A wsl.exe process attached to a running distro (keeps it from going idle). */
export interface Client {
  pid: number;
  /** The process's start time (/proc/<pid>/stat field 22): a reused pid is not the client. */
  start: string;
  guid: string;
}

/** The whole registry. */
export interface Registry {
  distros: Distro[];
  defaultDistro?: string;
  /** Eligible calls seen so far per fault setting (a new setting starts again at 0). */
  faultCalls: Record<string, number>;
  /** Host pid of the "VM" (the mount namespace every distro's is copied from), while it runs. */
  vmPid?: number;
  /** The VM's mount namespace. */
  vmNs?: string;
  /** wsl.exe processes attached to distros. */
  clients?: Client[];
  /** When the last distro stopped (ms): the VM's idle timer. */
  vmIdleSince?: number;
}

/** Paths inside the state folder. */
export function statePaths(dir: string) {
  return {
    dir,
    registry: join(dir, "registry.json"),
    lock: join(dir, "lock"),
    roots: join(dir, "roots"),
    /** Shared by every distro as /mnt/wsl. */
    mntWsl: join(dir, "mnt-wsl"),
    run: join(dir, "run"),
  };
}

/** Runs `fn` with the registry loaded and saves what it returns, all under an exclusive lock. */
export async function withRegistry<T>(
  dir: string,
  fn: (reg: Registry) => Promise<T> | T,
): Promise<T> {
  const p = statePaths(dir);
  await Deno.mkdir(p.roots, { recursive: true });
  await Deno.mkdir(p.mntWsl, { recursive: true });
  await Deno.mkdir(p.run, { recursive: true });
  const lock = await Deno.open(p.lock, { create: true, write: true });
  await lock.lock(true);
  try {
    const reg = await load(p.registry);
    for (const d of reg.distros) refreshRunning(d);
    const result = await fn(reg);
    const tmp = `${p.registry}.${Deno.pid}.tmp`;
    await Deno.writeTextFile(tmp, JSON.stringify(reg, null, 2));
    await Deno.rename(tmp, p.registry);
    return result;
  } finally {
    await lock.unlock();
    lock.close();
  }
}

async function load(file: string): Promise<Registry> {
  try {
    return JSON.parse(await Deno.readTextFile(file)) as Registry;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { distros: [], faultCalls: {} };
    throw e;
  }
}

/** Marks a distro stopped when its init has gone away behind the simulator's back. */
function refreshRunning(d: Distro): void {
  if (d.state === "Running" && !(d.initPid && sameProcess(d.initPid, d.initNs))) {
    d.state = "Stopped";
    d.initPid = undefined;
    d.initNs = undefined;
  }
}

/** The mount namespace of a host process (`mnt:[…]`), if it exists. */
export function nsOf(pid: number): string | undefined {
  try {
    return Deno.readLinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return undefined;
  }
}

/** Whether `pid` is still the process recorded with namespace `ns` (pids get reused). */
export function sameProcess(pid: number, ns: string | undefined): boolean {
  return ns === undefined ? pidAlive(pid) : nsOf(pid) === ns;
}

/** A host process's start time, or undefined when it does not exist. */
export function procStart(pid: number): string | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** Whether a host process exists. */
export function pidAlive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/** Finds a distro by name, ignoring case as Windows does. */
export function findDistro(reg: Registry, name: string): Distro | undefined {
  return reg.distros.find((d) => d.name.toLowerCase() === name.toLowerCase());
}
