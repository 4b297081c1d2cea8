/** The host driver contract: the core asks for verbs, never for commands. */
import type { Output, RunOpts } from "../process.ts";
import type { HostUsbDevice } from "../usb/id.ts";
import type { Reporter } from "../reporter.ts";

/** Progress reports (src/reporter.ts), re-exported for the drivers. */
export type { Reporter };

/** A file a driver pushes into a machine before an exec (the host session's X cookie, sound). */
export interface SessionFile {
  path: string;
  data: Uint8Array;
  mode: number;
  /** The machine user, so the user's programs can read it (mode 0600 where it is a secret). */
  owner: { uid: number; gid: number };
}

/** Devices (name → options) and login variables for a machine's session (GUI, sound, GPU). */
export interface SessionDevices {
  devices: Record<string, Record<string, string>>;
  env: Record<string, string>;
}

/** Computes a machine's session devices from the host session. */
export type SessionDevicesHook = (machine: string) => SessionDevices;

/** Computes the files a machine needs for an exec, fresh from the host session. */
export type SessionFilesHook = (machine: string) => Promise<SessionFile[]>;

/** The host session a driver brings into its machines (the host port's `session()`). */
export interface SessionHooks {
  devices: SessionDevicesHook;
  files: SessionFilesHook;
}

/** Names of the host drivers. */
export type DriverName = "lxd" | "incus" | "wsl";

/** What one call learns about every codchi container/distro. */
export interface HostState {
  /** `problem`: why an installed store cannot be used as it is (e.g. a mount it lacks). */
  store: { installed: boolean; running: boolean; problem?: string };
  /** Machine name (without prefix) → running. Only installed machines appear. */
  machines: Map<string, { running: boolean }>;
}

/** What a machine gets at start: the env file's bytes and plain variables. */
export interface MachineEnv {
  /** Contents of the env file (contract `envFile`; root and the machine user only). Never logged. */
  envFile: Uint8Array;
  /** Non-secret variables set for the machine (e.g. CODCHI_MACHINE_NAME). */
  vars: Record<string, string>;
  /** USB devices (`vvvv:pppp`) the machine carries (machine.json `usb`). */
  usb?: string[];
}

/** USB passthrough of a driver. */
export interface UsbSupport {
  /** The host's USB devices. */
  list(): Promise<HostUsbDevice[]>;
  /**
   * Makes the RUNNING machine carry exactly `ids` now (start does the same from MachineEnv).
   * `removed`: ids just taken from the machine, for drivers that cannot tell them from devices
   * attached otherwise (WSL: an attachment belongs to the VM, not to a distro).
   */
  apply(machine: string, ids: string[], removed?: string[]): Promise<void>;
}

/** How to run a command in a machine. */
export interface ExecOpts {
  /** "codchi" (default) runs in a login session of the machine user; "root" runs as root. */
  user?: "codchi" | "root";
  /** Allocate a terminal (interactive use). Default: true when stdin and stdout are TTYs. */
  tty?: boolean;
  /** Capture stdout/stderr instead of passing them through. */
  capture?: boolean;
  /** stdin bytes or "inherit" (default "inherit" unless capture). */
  stdin?: Uint8Array | string | "inherit";
  /** Extra environment for this command (never secrets: those are in the env file). */
  env?: Record<string, string>;
  /** Working directory inside the machine. */
  cwd?: string;
  /** Let the command finish even on Ctrl-C (e.g. an activation). */
  uninterruptible?: boolean;
  /** Called once the command's process runs, with a function that signals it (see RunOpts). */
  onSpawn?: (signal: (sig: Deno.Signal) => void) => void;
}

/**
 * What an exec came to: the command ran (its Output, whatever its exit code), or the machine was
 * not running and nothing ran in it (a state the caller acts on, e.g. `exec` starts it).
 */
export type ExecOutcome = { ran: true; out: Output } | { ran: false; state: "not-running" };

/** The store container: nix-daemon, the shared /nix, all builds. */
export interface StoreDriver {
  /** Install on first use, start, wait for the daemon socket (bounded). */
  ensureRunning(reporter?: Reporter): Promise<void>;
  /** Runs argv as root inside the store (nix commands happen here). */
  run(argv: string[], opts?: RunOpts): Promise<Output>;
  /**
   * `codchi store debug`: a root login shell in the store, or `argv` when given (stdio the user's),
   * starting the store when needed but never waiting for its nix-daemon (it is the tool for a
   * store whose daemon is dead); returns the exit code.
   */
  shell(argv?: string[], reporter?: Reporter): Promise<number>;
  /** Re-creates the store container from its image, keeping /nix. */
  recover(reporter?: Reporter): Promise<void>;
  /** Stops the store (machines stop first). */
  stop(): Promise<void>;
  /** Whether the store's daemon answers now, cheaply (no process); absent: not checkable. */
  alive?(): Promise<boolean>;
  /**
   * Hands the host's files (CA bundle, proxy, caches, wsl-vpnkit switch) into the running store
   * now, for a switch that changed; a stopped store gets them at its next start. Absent: the
   * driver hands them in only at a start (LXD). Returns whether the store ran and took them.
   */
  applyHostFiles?(reporter?: Reporter): Promise<boolean>;
  /** How the store sees host folders. */
  readonly view: StoreView;
}

/** Paths as the store container sees them. */
export interface StoreView {
  /** The host config dir (machines' flakes live below `machines/<name>`). */
  configDir: string;
  /** The profiles folder of a machine (where `system` links live). */
  profilesDir(machine: string): string;
  /** A machine's home folder (for local modules). */
  machineHome(machine: string): string;
  /** Who the machine user is to the store: files the store gives these ids belong to it. */
  readonly machineOwner: { uid: number; gid: number };
  /** The host folder that is the store's `/nix`, when it is one (LXD, Incus; not a WSL disk). */
  readonly hostNix?: string;
}

/** Host-side integration: shortcuts, terminal entries, display/sound devices. */
export interface HostIntegration {
  /** Writes the machine's app shortcuts and terminal entry from an apps folder on the host. */
  exportApps(machine: string, appsDir: string): Promise<void>;
  /** Removes every shortcut and entry of the machine. */
  removeApps(machine: string): Promise<void>;
}

/** A file the host hands into the store before it starts (its CA bundle, its proxy). */
export interface StoreFile {
  /** Absolute path inside the store (a folder the store image has). */
  path: string;
  data: Uint8Array;
  mode: number;
}

/** The NixOS driver modules of nix/ (`codchi.driver`): what a machine is built for. */
export type NixosDriverModule = "lxd" | "wsl";

/** How one probe of a daemon or server went: it answered, or the last line of why not. */
export interface ProbeResult {
  ok: boolean;
  error?: string;
}

/** What an LXD/Incus driver learns about its own prerequisites (`codchi doctor`). */
export interface LxdDiagnosis {
  kind: "lxd";
  /** Path of the client (`lxc`/`incus`) on PATH, if found. */
  cliPath?: string;
  /** The daemon answered `<bin> query /1.0` (not asked without a client). */
  daemon: ProbeResult;
  /** The project of this data folder and why it was chosen (for people). */
  project?: { name: string; source: string };
  /** The remote machines run on and whether it answered (`<bin> query <remote>:/1.0`). */
  remote?: ProbeResult & { name: string; source: string };
  /** Whether `user` may use the daemon: root, or a member of `group` (lxd / incus-admin). */
  permission: { user: string; group: string; ok: boolean };
}

/** What the WSL driver learns about its own prerequisites (`codchi doctor`). */
export interface WslDiagnosis {
  kind: "wsl";
  /** wsl.exe (CODCHI_WSL_EXE or on PATH), if found. */
  wslPath?: string;
  /** "2.0.14.0" etc., from `wsl.exe --version`; undefined for the old inbox WSL. */
  wslVersion?: string;
  /** usbipd-win's usbipd.exe (USB devices for machines), if found. */
  usbipdPath?: string;
}

/**
 * A driver's answer to `codchi doctor` (driver/mod.ts `diagnoseDriver`): its own probes, rendered
 * by the core's rules. Probed without building the driver, which cannot be built when its client
 * is missing.
 */
export type DriverDiagnosis = LxdDiagnosis | WslDiagnosis;

/** A host driver: LXD, Incus or WSL. */
export interface Driver {
  readonly name: DriverName;
  /**
   * The remote server the machines run on (LXD/Incus `remote`), or undefined: the local host.
   * Remote machines cannot reach the local display: no GUI shortcuts, terminal entries only.
   */
  readonly remote?: string;
  /** The NixOS driver module this driver's machines are built with (the core never guesses). */
  readonly nixosModule: NixosDriverModule;
  /**
   * Whether a started machine gets the host's CA bundle (`config.json` `hostCertificates`; on
   * Windows the certificate store's); false for a driver that cannot push it.
   */
  readonly handsInHostCa: boolean;
  /**
   * Whether the store sees a machine's home only while the machine runs (WSL: the machine's init
   * shares it under /mnt/wsl). A build with a local module then starts the machine first; the
   * driver keeps a started machine running (its keep-alive) until it is stopped.
   */
  readonly homeSharedWhileRunning?: boolean;
  /** Every codchi container/distro and the store, in ONE process spawn. */
  states(): Promise<HostState>;
  readonly store: StoreDriver;
  /** Creates the machine container/distro with its mounts from the machine image. */
  install(machine: string, reporter?: Reporter): Promise<void>;
  /** Starts the machine (store first), pushes the env file, waits for systemd (bounded). */
  start(machine: string, env: MachineEnv, reporter?: Reporter): Promise<void>;
  /** Runs argv exactly (no shell joining) in the machine; throws NotRunningError when stopped. */
  exec(machine: string, argv: string[], opts?: ExecOpts): Promise<Output>;
  /**
   * Like `exec`, with a stopped machine a returned state instead of an error, found with no
   * spawn more than `exec` makes (one on a running machine).
   */
  execIfRunning(machine: string, argv: string[], opts?: ExecOpts): Promise<ExecOutcome>;
  /**
   * Writes a file into the machine through stdin or the driver's file push, never argv.
   * `owner` (uid/gid inside the machine) defaults to root.
   */
  pushFile(
    machine: string,
    path: string,
    data: Uint8Array,
    mode: number,
    owner?: { uid: number; gid: number },
  ): Promise<void>;
  stop(machine: string, force?: boolean): Promise<void>;
  /** Removes the container/distro (not the host folders: the core owns those). */
  remove(machine: string): Promise<void>;
  /** Copies the container/distro `from` to `to` (host folders are copied by the core). */
  duplicate(from: string, to: string, reporter?: Reporter): Promise<void>;
  /**
   * `codchi tar`: streams an uncompressed tar of `paths` (absolute, as the machine sees them;
   * missing ones left out; owners as numbers) to `sink`, ending with the archive's end blocks.
   * The machine must be running. Nothing is written in the machine or on the host.
   */
  exportTree(
    machine: string,
    paths: string[],
    sink: (chunk: Uint8Array) => Promise<void>,
  ): Promise<void>;
  /** Re-creates the machine's container from the machine image (home and profile kept). */
  recover?(machine: string, reporter?: Reporter): Promise<void>;
  /**
   * True when the driver itself creates, copies and removes a machine's data folder
   * (`machinePaths().data`; on WSL it holds the distro's disk): the core must not copy it.
   */
  readonly managesMachineData?: boolean;
  /**
   * `codchi uninstall`, after every machine was removed: removes the store container/distro and
   * every image the driver imported; returns what it removed (for people).
   */
  uninstall?(): Promise<string[]>;
  /** USB passthrough; absent where the driver has none. */
  readonly usb?: UsbSupport;
  /**
   * After an exec that ended with 1 (the fast path's): whether the machine still runs (one
   * state call); throws NotFoundError when it is gone. Absent where the driver's exec tells a
   * stopped machine by itself.
   */
  runningAfterExit1?(machine: string): Promise<boolean>;
  /**
   * What the fast paths of `exec` and `status` (cli/exec_fast.ts, cli/status_fast.ts; LXD/Incus)
   * need from the driver's choices: the client binary, the project and the argv of the one
   * listing `states()` spawns. Absent: no fast path.
   */
  readonly execChoice?: { bin: "lxc" | "incus"; project: string; list: string[] };
}
