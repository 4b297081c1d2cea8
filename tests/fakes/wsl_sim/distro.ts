/** A running distro: a private mount namespace around its root folder, entered with nsenter. */
import { join } from "node:path";
import { type Distro, pidAlive, statePaths } from "./state.ts";

/** The script the distro's init runs: mounts, the wsl.conf boot command, then it waits. */
const INIT = `set -eu
root=$1 shared=$2 pidfile=$3 bootcmd=$4; shift 4
mkdir -p "$root/proc" "$root/dev" "$root/run" "$root/mnt/wsl" "$root/tmp"
mount -t proc proc "$root/proc"
mount -t tmpfs -o mode=755 dev "$root/dev"
for n in null zero full random urandom tty; do : > "$root/dev/$n"; mount --bind "/dev/$n" "$root/dev/$n"; done
mkdir -p "$root/dev/pts" "$root/dev/shm"
mount --bind /dev/pts "$root/dev/pts"
mount -t tmpfs shm "$root/dev/shm"
ln -s /proc/self/fd "$root/dev/fd"
mount -t tmpfs -o mode=755 run "$root/run"
mount --bind "$shared" "$root/mnt/wsl"
while [ $# -ge 2 ]; do mkdir -p "$root/mnt/$1"; mount --rbind "$2" "$root/mnt/$1"; shift 2; done
if [ -n "$bootcmd" ]; then
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    chroot "$root" /bin/sh -c "$bootcmd" </dev/null >/dev/null 2>&1 &
fi
echo $$ > "$pidfile"
exec sleep infinity
`;

/**
 * Host folders seen inside every distro: WSL_SIM_DRIVE_C=/some/dir appears as /mnt/c, and with
 * WSL_SIM_HOST_ROOT=1 the whole host (the simulator's "Windows side") appears as /mnt/host.
 */
export function driveMounts(env: Record<string, string | undefined>): [string, string][] {
  const drives: [string, string][] = Object.entries(env)
    .filter(([k, v]) => /^WSL_SIM_DRIVE_[A-Z]$/.test(k) && v)
    .map(([k, v]) => [k.slice(-1).toLowerCase(), v as string]);
  if (env.WSL_SIM_HOST_ROOT === "1") drives.push(["host", "/"]);
  return drives;
}

/** The `[boot] command=` of the distro's /etc/wsl.conf, if any. */
export async function bootCommand(root: string): Promise<string> {
  const conf = await readIni(join(root, "etc/wsl.conf"));
  return conf.get("boot.command") ?? "";
}

/** Reads an INI file into "section.key" → value (missing file: empty). */
export async function readIni(file: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let text = "";
  try {
    text = await Deno.readTextFile(file);
  } catch {
    return out;
  }
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) section = s[1].trim().toLowerCase();
    else {
      const eq = line.indexOf("=");
      if (eq > 0) {
        out.set(`${section}.${line.slice(0, eq).trim().toLowerCase()}`, line.slice(eq + 1).trim());
      }
    }
  }
  return out;
}

/** Starts the distro's init and waits (bounded) until its mounts are up; returns its pid. */
export async function boot(stateDir: string, d: Distro, env: Record<string, string | undefined>) {
  const p = statePaths(stateDir);
  const pidfile = join(p.run, `${d.guid}.pid`);
  await Deno.remove(pidfile).catch(() => {});
  const drives = driveMounts(env).flat();
  const cmd = new Deno.Command("setsid", {
    args: [
      "unshare",
      "--mount",
      "--propagation",
      "private",
      "--",
      "bash",
      "-c",
      INIT,
      "init",
      d.root,
      p.mntWsl,
      pidfile,
      await bootCommand(d.root),
      ...drives,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  });
  const child = cmd.spawn();
  child.unref();
  for (let i = 0; i < 250; i++) {
    try {
      const pid = Number((await Deno.readTextFile(pidfile)).trim());
      if (pid > 0) return pid;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`simulator: distro ${d.name} did not boot`);
}

/** Kills every process in the distro's mount namespace and waits until they are gone. */
export async function killDistro(initPid: number): Promise<void> {
  let ns: string;
  try {
    ns = await Deno.readLink(`/proc/${initPid}/ns/mnt`);
  } catch {
    return;
  }
  for (let round = 0; round < 150; round++) {
    const members = await namespaceMembers(ns);
    if (members.length === 0) return;
    for (const pid of members) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch { /* already gone */ }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function namespaceMembers(ns: string): Promise<number[]> {
  const out: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      if ((await Deno.readLink(`/proc/${e.name}/ns/mnt`)) === ns) out.push(Number(e.name));
    } catch { /* exited */ }
  }
  return out;
}

/** Whether the distro's init is alive. */
export function isRunning(d: Distro): boolean {
  return d.state === "Running" && !!d.initPid && pidAlive(d.initPid);
}

/** Runs tar; throws with its stderr on failure. */
export async function tar(args: string[]): Promise<void> {
  const out = await new Deno.Command("tar", { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr).trim());
}

/** Writes the disk (a tar of the root folder) atomically. */
export async function writeDisk(d: Distro): Promise<void> {
  const tmp = `${d.vhd}.tmp`;
  await tar(["--numeric-owner", "-cf", tmp, "-C", d.root, "."]);
  await Deno.rename(tmp, d.vhd);
}

/** Unpacks a tarball (any compression tar knows) into a fresh root folder. */
export async function unpack(file: string, root: string): Promise<void> {
  await Deno.mkdir(root, { recursive: true });
  await tar(["--numeric-owner", "-xpf", file, "-C", root]);
}

/** A passwd entry of the distro. */
export interface User {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** Looks a user up by name (or uid) in the distro's /etc/passwd. */
export async function findUser(root: string, who: string | number): Promise<User | undefined> {
  let text = "";
  try {
    text = await Deno.readTextFile(join(root, "etc/passwd"));
  } catch {
    return who === 0 || who === "root"
      ? { name: "root", uid: 0, gid: 0, home: "/root", shell: "/bin/sh" }
      : undefined;
  }
  for (const line of text.split("\n")) {
    const [name, , uid, gid, , home, shell] = line.split(":");
    if (name === undefined || uid === undefined) continue;
    if (name === who || Number(uid) === who) {
      return {
        name,
        uid: Number(uid),
        gid: Number(gid),
        home: home || "/",
        shell: shell || "/bin/sh",
      };
    }
  }
  return undefined;
}

/** The host path through which `linuxPath` is opened inside the running distro. */
export function hostViewOf(initPid: number, root: string, linuxPath: string): string {
  return join(`/proc/${initPid}/root`, root, linuxPath);
}
