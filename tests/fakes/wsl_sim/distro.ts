/** A running distro: a private mount namespace around its root folder, entered with nsenter. */
import { join } from "node:path";
import { type Distro, nsOf, type Registry, sameProcess, statePaths } from "./state.ts";

/**
 * The "VM": one mount namespace for all distros (as WSL runs them all in one VM), in which the
 * shared folder behind every distro's /mnt/wsl is a shared mount. Each distro's namespace is a
 * copy of it, so a mount one distro makes under /mnt/wsl (the store's /nix at
 * /mnt/wsl/codchi/nix) appears in every distro, as on WSL. Its network namespace is the host's,
 * shared by every distro; with WSL_SIM_NET=1 it is one of its own (loopback only), still shared by
 * every distro and every command, as WSL's VM has one.
 */
const VM = `set -eu
shared=$1 pidfile=$2 net=$3
if [ "$net" = 1 ]; then ip link set lo up; fi
mount --bind "$shared" "$shared"
mount --make-shared "$shared"
echo $$ > "$pidfile"
exec sleep infinity
`;

/**
 * The script the distro's init runs, as PID 1 of the distro's own PID namespace (so killing it
 * ends every process of the distro, daemons and commands alike): mounts, with `[boot]
 * systemd=true` the distro's own /sbin/init (WSL runs it as the distro's init; here it is PID 1's
 * child), the wsl.conf boot command, then it waits.
 */
const INIT = `set -eu
root=$1 shared=$2 pidfile=$3 bootcmd=$4 systemd=$5; shift 5
mkdir -p "$root/proc" "$root/dev" "$root/run" "$root/mnt/wsl" "$root/tmp"
mount -t proc proc "$root/proc"
mount -t tmpfs -o mode=755 dev "$root/dev"
for n in null zero full random urandom tty; do : > "$root/dev/$n"; mount --bind "/dev/$n" "$root/dev/$n"; done
mkdir -p "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
mount -t tmpfs shm "$root/dev/shm"
ln -s /proc/self/fd "$root/dev/fd"
mount -t tmpfs -o mode=755 run "$root/run"
mount --rbind "$shared" "$root/mnt/wsl"
while [ $# -ge 2 ]; do mkdir -p "$root$1"; mount --rbind "$2" "$root$1"; shift 2; done
if [ "$systemd" = 1 ]; then
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    chroot "$root" /sbin/init </dev/null >/dev/null 2>&1 &
fi
if [ -n "$bootcmd" ]; then
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    chroot "$root" /bin/sh -c "$bootcmd" </dev/null >/dev/null 2>&1 &
fi
read -r hostpid _ < /proc/self/stat # the host's /proc: this shell's pid as the host sees it
echo "$hostpid" > "$pidfile"
exec sleep infinity
`;

/**
 * Host folders seen inside every distro, as [path inside, host folder]: WSL_SIM_DRIVE_C=/some/dir
 * appears as /mnt/c; with WSL_SIM_HOST_ROOT=1 the whole host (the simulator's "Windows side")
 * appears as /mnt/host; WSL_SIM_SHARE=/a:/b shows host folders at the same path inside (as a
 * Windows folder `C:\x` is `/mnt/c/x`: a driver that maps host paths unchanged finds them).
 */
export function driveMounts(env: Record<string, string | undefined>): [string, string][] {
  const drives: [string, string][] = Object.entries(env)
    .filter(([k, v]) => /^WSL_SIM_DRIVE_[A-Z]$/.test(k) && v)
    .map(([k, v]) => [`/mnt/${k.slice(-1).toLowerCase()}`, v as string]);
  if (env.WSL_SIM_HOST_ROOT === "1") drives.push(["/mnt/host", "/"]);
  for (const dir of (env.WSL_SIM_SHARE ?? "").split(":")) {
    if (dir.startsWith("/") && dir !== "/") drives.push([dir, dir]);
  }
  return drives;
}

/** The `[boot] command=` of the distro's /etc/wsl.conf, if any. */
export async function bootCommand(root: string): Promise<string> {
  const conf = await readIni(join(root, "etc/wsl.conf"));
  return conf.get("boot.command") ?? "";
}

/** Whether wsl.conf says `[boot] systemd=true` (WslDistributionConfig.cpp: boot.systemd). */
export async function systemdEnabled(root: string): Promise<boolean> {
  const conf = await readIni(join(root, "etc/wsl.conf"));
  return /^true$/i.test(conf.get("boot.systemd") ?? "");
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

/** Starts `argv` detached and waits (bounded) for the pid it writes to `pidfile`. */
async function spawnWithPid(argv: string[], pidfile: string, what: string): Promise<number> {
  await Deno.remove(pidfile).catch(() => {});
  const child = new Deno.Command("setsid", {
    args: argv,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  child.unref();
  for (let i = 0; i < 1500; i++) { // 30 s: a loaded test host can be slow to fork
    try {
      const pid = Number((await Deno.readTextFile(pidfile)).trim());
      if (pid > 0) return pid;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`simulator: ${what} did not boot`);
}

/** The mount namespace of this process. */
function ownNamespace(): Promise<string> {
  return Deno.readLink("/proc/self/ns/mnt");
}

/**
 * The VM's pid: started on first use (the registry keeps it until `--shutdown`); `ownNet`: in a
 * network namespace of its own (WSL_SIM_NET=1).
 */
export async function ensureVm(stateDir: string, reg: Registry, ownNet = false): Promise<number> {
  if (reg.vmPid && sameProcess(reg.vmPid, reg.vmNs) && nsOf(reg.vmPid) !== await ownNamespace()) {
    return reg.vmPid;
  }
  const p = statePaths(stateDir);
  reg.vmPid = await spawnWithPid(
    [
      "unshare",
      "--mount",
      ...(ownNet ? ["--net"] : []),
      "--propagation",
      "private",
      "--",
      "bash",
      "-c",
      VM,
      "vm",
      p.mntWsl,
      join(p.run, "vm.pid"),
      ownNet ? "1" : "0",
    ],
    join(p.run, "vm.pid"),
    "the VM",
  );
  reg.vmNs = nsOf(reg.vmPid);
  return reg.vmPid;
}

/** Starts the distro's init inside the VM and waits (bounded) until its mounts are up; its pid. */
export async function boot(
  stateDir: string,
  reg: Registry,
  d: Distro,
  env: Record<string, string | undefined>,
) {
  const p = statePaths(stateDir);
  const vm = await ensureVm(stateDir, reg, env.WSL_SIM_NET === "1");
  const drives = driveMounts(env).flat();
  return await spawnWithPid(
    [
      "nsenter",
      `--target=${vm}`,
      "--mount",
      "--net",
      "--",
      "unshare",
      "--mount",
      "--pid",
      "--fork",
      "--propagation",
      "unchanged",
      "--",
      "bash",
      "-c",
      INIT,
      "init",
      d.root,
      p.mntWsl,
      join(p.run, `${d.guid}.pid`),
      await bootCommand(d.root),
      (await systemdEnabled(d.root)) ? "1" : "0",
      ...drives,
    ],
    join(p.run, `${d.guid}.pid`),
    `distro ${d.name}`,
  );
}

/**
 * Ends a distro (or the VM): kills its init, PID 1 of its PID namespace, whereupon the kernel ends
 * every other process in it; waits until it is gone. `recorded` is the init's mount namespace
 * noted at boot: a pid reused by an unrelated process is left alone.
 */
export async function killDistro(initPid: number, recorded?: string): Promise<void> {
  const ns = recorded ?? nsOf(initPid);
  if (!ns || ns === await ownNamespace() || !sameProcess(initPid, ns)) return;
  try {
    Deno.kill(initPid, "SIGKILL");
  } catch { /* already gone */ }
  for (let i = 0; i < 500 && sameProcess(initPid, ns); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Whether the distro's init is alive. */
export function isRunning(d: Distro): boolean {
  return d.state === "Running" && !!d.initPid && sameProcess(d.initPid, d.initNs);
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
