/**
 * Pure argv builders for `lxc` (LXD) and `incus`: every call is quiet (`-q`); and which of the
 * two clients is on PATH.
 */
import { EXPORT_SHELL } from "../login_shell.ts";
import { findOnPath, isPlainFile } from "../../process.ts";
import { containerName, STORE_CONTAINER } from "../../config/names.ts";
import { MACHINE_USER, USER_RUNTIME_DIR } from "../../contract.ts";

/** The client binary: `lxc` for LXD, `incus` for Incus (same command surface for what we use). */
export type LxcBinary = "lxc" | "incus";

/** Finds `lxc` or `incus` on PATH (lxc first; any file, whatever its mode), or undefined. */
export function detectBinary(path: string = Deno.env.get("PATH") ?? ""): LxcBinary | undefined {
  return (["lxc", "incus"] as const).find((bin) => findOnPath(bin, path, isPlainFile));
}

/** The engine's own project: every call without `--project` goes there. */
export const DEFAULT_PROJECT = "default";

/** `argv` of the client with `--project <p>` after the binary (unchanged for `default`). */
export function inProject(argv: string[], project: string): string[] {
  if (project === DEFAULT_PROJECT) return argv;
  return [argv[0], "--project", project, ...argv.slice(1)];
}

/** A disk device: a host folder mounted into the container. */
export interface DiskDevice {
  /** Device name (unique within the container). */
  name: string;
  /** Host folder. */
  source: string;
  /** Mount point in the container. */
  path: string;
  readonly?: boolean;
}

/** Any device: its name, type and options (`key=value`). */
export interface DeviceSpec {
  name: string;
  type: string;
  options: Record<string, string>;
}

/** The one `list` call that learns every codchi container (name filter `codchi`). */
export function listArgv(bin: LxcBinary): string[] {
  return [bin, "list", "-q", "--format", "json", "codchi"];
}

/** Whether an image alias exists (exit code 0) without printing it. */
export function imageInfoArgv(bin: LxcBinary, alias: string): string[] {
  return [bin, "image", "info", "-q", alias];
}

/** Imports a rootfs tarball (metadata.yaml + rootfs/) under an alias. */
export function imageImportArgv(bin: LxcBinary, tarball: string, alias: string): string[] {
  return [bin, "image", "import", "-q", tarball, "--alias", alias];
}

/** Names an image that already exists (by fingerprint) with an alias. */
export function imageAliasCreateArgv(bin: LxcBinary, alias: string, fingerprint: string): string[] {
  return [bin, "image", "alias", "create", "-q", alias, fingerprint];
}

/** Every image as JSON (aliases, fingerprints). */
export function imageListArgv(bin: LxcBinary): string[] {
  return [bin, "image", "list", "-q", "--format", "json"];
}

/** Deletes an image by alias or fingerprint. */
export function imageDeleteArgv(bin: LxcBinary, image: string): string[] {
  return [bin, "image", "delete", "-q", image];
}

/** `raw.idmap` mapping the host user and group to a user and group in the container. */
export function rawIdmap(
  host: { uid: number; gid: number },
  inside: { uid: number; gid: number },
): string {
  return `uid ${host.uid} ${inside.uid}\ngid ${host.gid} ${inside.gid}`;
}

/** Creates (without starting) a container from an image, with its config keys set up front. */
export function initArgv(
  bin: LxcBinary,
  image: string,
  container: string,
  config: Record<string, string>,
): string[] {
  const flags = Object.entries(config).flatMap(([k, v]) => ["-c", `${k}=${v}`]);
  return [bin, "init", "-q", image, container, ...flags];
}

/** Adds a device of any type. */
export function deviceAddArgv(bin: LxcBinary, container: string, device: DeviceSpec): string[] {
  const opts = Object.entries(device.options).map(([k, v]) => `${k}=${v}`);
  return [bin, "config", "device", "add", "-q", container, device.name, device.type, ...opts];
}

/** Removes a device. */
export function deviceRemoveArgv(bin: LxcBinary, container: string, name: string): string[] {
  return [bin, "config", "device", "remove", "-q", container, name];
}

/** Sets device options (e.g. a new `source` after a copy). */
export function deviceSetArgv(
  bin: LxcBinary,
  container: string,
  name: string,
  options: Record<string, string>,
): string[] {
  const opts = Object.entries(options).map(([k, v]) => `${k}=${v}`);
  return [bin, "config", "device", "set", "-q", container, name, ...opts];
}

/** A disk device as a generic device spec. */
export function diskDevice(d: DiskDevice): DeviceSpec {
  const options: Record<string, string> = { source: d.source, path: d.path };
  if (d.readonly) options.readonly = "true";
  return { name: d.name, type: "disk", options };
}

/** Sets config keys (several in one call). */
export function configSetArgv(
  bin: LxcBinary,
  container: string,
  config: Record<string, string>,
): string[] {
  return [
    bin,
    "config",
    "set",
    "-q",
    container,
    ...Object.entries(config).map(([k, v]) => `${k}=${v}`),
  ];
}

/** Starts a container. */
export function startArgv(bin: LxcBinary, container: string): string[] {
  return [bin, "start", "-q", container];
}

/** Stops a container: clean shutdown bounded by `timeoutS`, or killed with `force`. */
export function stopArgv(
  bin: LxcBinary,
  container: string,
  opts: { force?: boolean; timeoutS?: number } = {},
): string[] {
  if (opts.force) return [bin, "stop", "-q", container, "--force"];
  return [bin, "stop", "-q", container, "--timeout", String(opts.timeoutS ?? 30)];
}

/** Deletes a container, stopping it first when running. */
export function deleteArgv(bin: LxcBinary, container: string): string[] {
  return [bin, "delete", "-q", container, "--force"];
}

/** Copies a container (without snapshots). */
export function copyArgv(bin: LxcBinary, from: string, to: string): string[] {
  return [bin, "copy", "-q", from, to, "--instance-only"];
}

/** Writes stdin to a file in the container (works on stopped containers too). */
export function filePushArgv(
  bin: LxcBinary,
  container: string,
  path: string,
  opts: { mode: number; uid?: number; gid?: number },
): string[] {
  return [
    bin,
    "file",
    "push",
    "-q",
    "--mode",
    opts.mode.toString(8).padStart(4, "0"),
    "--uid",
    String(opts.uid ?? 0),
    "--gid",
    String(opts.gid ?? 0),
    "-",
    `${container}${path.startsWith("/") ? "" : "/"}${path}`,
  ];
}

/** Options of an `exec` call. */
export interface ExecArgvOpts {
  /** Force a terminal (`-t`) or no terminal (`-T`). */
  tty: boolean;
  /** Run as this uid/gid (root when absent). */
  uid?: number;
  gid?: number;
  cwd?: string;
  /** Environment for the command (never secrets: it shows in argv). */
  env?: Record<string, string>;
}

/** Runs argv in the container as is: no shell, nothing joined. */
export function execArgv(
  bin: LxcBinary,
  container: string,
  argv: string[],
  opts: ExecArgvOpts,
): string[] {
  const out = [bin, "exec", "-q", container, opts.tty ? "-t" : "-T"];
  if (opts.uid !== undefined) out.push("--user", String(opts.uid));
  if (opts.gid !== undefined) out.push("--group", String(opts.gid));
  if (opts.cwd) out.push("--cwd", opts.cwd);
  for (const [k, v] of Object.entries(opts.env ?? {})) out.push("--env", `${k}=${v}`);
  return [...out, "--", ...argv];
}

/**
 * The login wrapper: a login shell (`sh -l` reads /etc/profile, which sources the env file)
 * that sets `$SHELL` (EXPORT_SHELL), then `exec`s the arguments as they are, or the user's own
 * shell when there are none.
 */
export const LOGIN_SCRIPT = EXPORT_SHELL + 'if [ "$#" -gt 0 ]; then exec "$@"; fi; ' +
  'exec "$SHELL" -l';

/** argv that runs `argv` (exactly) inside a login shell: `/bin/sh -lc LOGIN_SCRIPT codchi …`. */
export function loginArgv(argv: string[]): string[] {
  return ["/bin/sh", "-lc", LOGIN_SCRIPT, "codchi", ...argv];
}

/** The machine user inside every machine. */
export { MACHINE_USER };

/** Environment of a machine-user session (the user manager runs from boot: linger). */
export function sessionEnv(): Record<string, string> {
  const u = MACHINE_USER;
  return {
    HOME: u.home,
    USER: u.name,
    LOGNAME: u.name,
    XDG_RUNTIME_DIR: USER_RUNTIME_DIR,
    DBUS_SESSION_BUS_ADDRESS: `unix:path=${USER_RUNTIME_DIR}/bus`,
  };
}

/** Bounded wait for systemd: prints the state once booting is over. */
export function systemReadyArgv(bin: LxcBinary, container: string): string[] {
  return execArgv(bin, container, ["systemctl", "is-system-running", "--wait"], { tty: false });
}

/** The store container's name (re-exported for argv users). */
export const STORE = STORE_CONTAINER;

// The argv of an exec in a machine, shared by the driver and `exec`'s fast path
// (cli/exec_fast.ts), so both spawn the very same argv.

/** PATH for commands started by `exec` before the login shell sets its own (NixOS first). */
export const MACHINE_PATH =
  "/run/wrappers/bin:/run/current-system/sw/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";

/** Switches to the machine user with its supplementary groups (no PAM, no shell). */
function userSwitch(): string[] {
  const u = MACHINE_USER;
  return ["setpriv", `--reuid=${u.uid}`, `--regid=${u.gid}`, "--init-groups", "--"];
}

/** What one exec in a machine is made of. */
export interface MachineExec {
  bin: LxcBinary;
  /** Aims an argv at the daemon's project (and remote): `inProject`, or the driver's `aim`. */
  aim: (argv: string[]) => string[];
  machine: string;
  argv: string[];
  tty: boolean;
  /** As the machine user (in its session), or as root. */
  asUser: boolean;
  /** The session's login variables (GUI, sound), for the machine user. */
  sessionEnv?: Record<string, string>;
  /** Extra variables, last. */
  env?: Record<string, string>;
  cwd?: string;
}

/** The full lxc/incus argv of an exec (`argv` runs exactly, inside a login shell). */
export function machineExecArgv(x: MachineExec): string[] {
  const inner = loginArgv(x.argv);
  const env: Record<string, string> = x.asUser
    ? { ...sessionEnv(), ...x.sessionEnv, ...x.env }
    : { ...x.env };
  env.PATH ??= MACHINE_PATH;
  const command = x.asUser ? [...userSwitch(), ...inner] : inner;
  return x.aim(
    execArgv(x.bin, containerName(x.machine), command, {
      tty: x.tty,
      cwd: x.cwd ?? (x.asUser ? MACHINE_USER.home : undefined),
      env,
    }),
  );
}
