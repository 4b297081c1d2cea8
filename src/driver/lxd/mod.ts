/** The LXD / Incus host driver: wires the pure argv builders and parsers to the injected Runner. */
import { containerName, STORE_CONTAINER } from "../../config/names.ts";
import type { Paths } from "../../config/paths.ts";
import { faultPoint } from "../../fault.ts";
import {
  BrokenError,
  ConflictError,
  NotFoundError,
  NotRunningError,
  PrerequisiteError,
  TimeoutError,
  ToolError,
} from "../../errors.ts";
import { type Output, type Runner, type RunOpts, toolError } from "../../process.ts";
import type {
  Driver,
  DriverName,
  ExecOpts,
  ExecOutcome,
  HostState,
  MachineEnv,
  Reporter,
  StoreDriver,
  StoreFile,
  UsbSupport,
} from "../types.ts";
import {
  configSetArgv,
  copyArgv,
  deleteArgv,
  deviceAddArgv,
  deviceRemoveArgv,
  deviceSetArgv,
  type DeviceSpec,
  diskDevice,
  execArgv,
  filePushArgv,
  imageDeleteArgv,
  imageListArgv,
  initArgv,
  listArgv,
  type LxcBinary,
  MACHINE_USER,
  machineExecArgv,
  startArgv,
  stopArgv,
  systemReadyArgv,
} from "./argv.ts";
import type { ImageKind } from "./images.ts";
import type { ImageProvider } from "../../release/images.ts";
import { VERSION } from "../../version.ts";
import {
  type HostIds,
  machineConfig,
  machineDisks,
  machineHostDirs,
  machineMountProblem,
} from "./mounts.ts";
import { LxdStore } from "./store.ts";
import { listContainers, runLxc, statesOf } from "./list.ts";
import { withInterrupts } from "./interrupts.ts";
import {
  clearSessionRecord,
  listensOnPath,
  readSessionRecord,
  type SessionDevicesHook,
  type SessionFilesHook,
  sessionFingerprints,
  sessionPushCommand,
  sessionRecordPath,
  socketDirArgv,
  writeSessionRecord,
} from "./session.ts";
import {
  bootStateOf,
  hostStateOf,
  isAlreadyRunning,
  isAlreadyStopped,
  isForkstartError,
  isNotFound,
  isTransientFileError,
  type ListedContainer,
  parseImageAliases,
} from "./parse.ts";
import { ENV_FILE } from "../../contract.ts";
import { exportTreeArgv } from "../export_tree.ts";
import { NOT_RUNNING, ran, ranOrThrow } from "../exec_outcome.ts";
import { usbPlan } from "./usb.ts";
import {
  DEFAULT_PROJECT,
  detectBinary,
  inProject,
  ownsProject,
  projectCreateArgv,
  projectDeleteArgv,
  projectShowArgv,
  type ProjectSource,
} from "./project.ts";
import { listSysfsUsb } from "../../host/linux/usb_sysfs.ts";
import { onRemote, remoteFailure, type RemoteSource } from "./remote.ts";
import {
  parseCustomVolumes,
  remoteConfig,
  remoteDiskProblem,
  remoteMachineDisks,
  remoteStoreDisks,
  remoteStoreMachineDisks,
  remoteVolumes,
  rootPoolArgv,
  volumeCopyArgv,
  volumeCreateArgv,
  volumeDeleteArgv,
  volumeListArgv,
} from "./remote_layout.ts";
import { UsageError } from "../../errors.ts";

/** Time limits of every wait, in milliseconds. */
export interface LxdTimeouts {
  /** Importing an image tarball. */
  importMs: number;
  /** Creating or copying a container. */
  createMs: number;
  /** From `start` to systemd saying running/degraded. */
  bootMs: number;
  /** From the store's start to its daemon accepting connections. */
  daemonMs: number;
  /** A clean stop before it counts as failed (seconds, as LXD takes it). */
  stopS: number;
}

/** Default time limits. */
export const DEFAULT_TIMEOUTS: LxdTimeouts = {
  importMs: 3 * 60_000,
  createMs: 5 * 60_000,
  bootMs: 120_000,
  daemonMs: 60_000,
  stopS: 30,
};

export type { SessionDevices, SessionDevicesHook } from "./session.ts";

/** What the LXD driver is built from. */
export interface LxdDriverOptions {
  paths: Paths;
  runner: Runner;
  /** The environment (image overrides). Default: the process environment. */
  env?: Record<string, string | undefined>;
  /** Force `lxc` or `incus`; default: `lxc` when on PATH, else `incus`. */
  binary?: LxcBinary;
  /** The host user's ids. Default: the process's. */
  hostIds?: HostIds;
  timeouts?: Partial<LxdTimeouts>;
  /** GUI/sound/GPU devices added at start (default: none). */
  sessionDevices?: SessionDevicesHook;
  /** Files pushed into the machine for the user's session (X cookie, sound); default: none. */
  sessionFiles?: SessionFilesHook;
  /** Prefix of the devices the session hook owns (others are never removed). Default `codchi-`. */
  sessionDevicePrefix?: string;
  /** The release's images. Default: the release `CODCHI_RELEASE_URL` names, else this version's. */
  images?: ImageProvider;
  /** Files pushed into the store before each start (the host's CA bundle and proxy). */
  storeFiles?: () => Promise<StoreFile[]>;
  /** The project of this data folder (project.ts); default: LXD's `default` project. */
  project?: { name: string; source: ProjectSource; pinFile?: string };
  /** The remote server the machines run on (remote.ts); default: the local daemon. */
  remote?: { name: string; source: RemoteSource };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const OUR_DISKS = /^codchi-(config|data|nix|gcroots|store|daemon|db|profiles|home|logs)$/;

/** The LXD/Incus driver. */
export class LxdDriver implements Driver {
  readonly name: DriverName;
  /** LXD and Incus machines share the NixOS module `lxd`. */
  readonly nixosModule = "lxd" as const;
  readonly handsInHostCa = true;
  readonly runner: Runner;
  readonly store: StoreDriver;
  readonly bin: LxcBinary;
  readonly #paths: Paths;
  readonly #env: Record<string, string | undefined>;
  readonly #ids: HostIds;
  readonly #t: LxdTimeouts;
  readonly #session?: SessionDevicesHook;
  readonly #sessionFiles?: SessionFilesHook;
  readonly #sessionPrefix: string;
  readonly #images?: ImageProvider;
  /** Files pushed into the store before each start; none when absent. */
  readonly storeFiles?: () => Promise<StoreFile[]>;
  /** The LXD/Incus project every call goes to, and why (doctor says it). */
  readonly project: string;
  readonly projectSource: ProjectSource;
  readonly #pinFile?: string;
  /** The remote server every call goes to, or undefined for the local daemon. */
  readonly remote?: string;
  readonly remoteSource?: RemoteSource;

  constructor(opts: LxdDriverOptions) {
    this.#paths = opts.paths;
    this.runner = opts.runner;
    this.#env = opts.env ?? Deno.env.toObject();
    const bin = opts.binary ?? detectBinary(this.#env.PATH);
    if (!bin) {
      throw new PrerequisiteError(
        "Neither lxc (LXD) nor incus was found on PATH.",
        "Install LXD or Incus and initialise it (see the README's Linux set-up).",
      );
    }
    this.bin = bin;
    this.name = bin === "incus" ? "incus" : "lxd";
    this.#ids = opts.hostIds ?? { uid: Deno.uid() ?? 0, gid: Deno.gid() ?? 0 };
    this.#t = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
    this.#session = opts.sessionDevices;
    this.#sessionFiles = opts.sessionFiles;
    this.#sessionPrefix = opts.sessionDevicePrefix ?? "codchi-";
    this.#images = opts.images;
    this.storeFiles = opts.storeFiles;
    this.project = opts.project?.name ?? DEFAULT_PROJECT;
    this.projectSource = opts.project?.source ?? "env";
    this.#pinFile = opts.project?.pinFile;
    this.remote = opts.remote?.name;
    this.remoteSource = opts.remote?.source;
    this.store = new LxdStore(this);
  }

  /**
   * The client and project `exec`'s and `status`'s fast paths spawn with (see Driver.execChoice);
   * none with a remote (its calls are aimed there: the full path).
   */
  get execChoice(): { bin: LxcBinary; project: string; list: string[] } | undefined {
    if (this.remote) return undefined;
    return { bin: this.bin, project: this.project, list: this.aim(listArgv(this.bin)) };
  }

  /** The error for a failure of the remote in `err` (see LxcTarget.remoteFailure). */
  remoteFailure(err: string): Error | undefined {
    return this.remote ? remoteFailure(this.bin, this.remote, err) : undefined;
  }

  /** An argv of our builders aimed at the remote (when there is one) and the project. */
  aim(argv: string[]): string[] {
    return inProject(onRemote(argv, this.remote), this.project);
  }

  /** Runs an lxc/incus argv; maps a daemon that cannot be reached to a PrerequisiteError. */
  lxc(argv: string[], opts: RunOpts = {}): Promise<Output> {
    return runLxc(this, argv, opts);
  }

  /** Host paths this driver works with. */
  get paths(): Paths {
    return this.#paths;
  }

  /** The host user's ids. */
  get hostIds(): HostIds {
    return this.#ids;
  }

  /** The time limits in force. */
  get timeouts(): LxdTimeouts {
    return this.#t;
  }

  /** Raw list of the codchi containers (one spawn). */
  listed(): Promise<ListedContainer[]> {
    return listContainers(this);
  }

  /** Every codchi container's state; the store's `problem` names a mount it lacks or misuses. */
  async states(): Promise<HostState> {
    const listed = await this.listed();
    if (!this.remote) return statesOf(listed, this.#paths);
    const state = hostStateOf(listed);
    const store = listed.find((c) => c.name === STORE_CONTAINER);
    if (store) {
      const problem = remoteDiskProblem(
        // The pool as the store names it: status stays one call.
        remoteStoreDisks(this.project, store.devices?.["codchi-nix"]?.pool ?? "?"),
        store.devices,
      );
      if (problem) state.store.problem = problem;
    }
    return state;
  }

  /** The LXD alias of an image kind, importing the tarball the first time (bounded). */
  async ensureImage(kind: ImageKind, reporter?: Reporter): Promise<string> {
    // Loaded on first use: image import pulls in downloads and hashing, which exec never needs.
    const { ensureImage } = await import("./image_import.ts");
    return await ensureImage({
      kind,
      lxc: (argv, opts) => this.lxc(argv, opts),
      bin: this.bin,
      env: this.#env,
      images: this.#images ?? await this.#releaseImages(),
      importMs: this.#t.importMs,
      reporter,
    });
  }

  /** The release's images (the default provider; loaded on first use, exec never needs it). */
  async #releaseImages(): Promise<ImageProvider> {
    const { ReleaseImages } = await import("../../release/images.ts");
    const { releaseLocation } = await import("../../release/location.ts");
    return new ReleaseImages({
      location: () => releaseLocation(this.#env.CODCHI_RELEASE_URL, undefined, VERSION),
      imagesDir: this.#paths.imagesDir,
    });
  }

  /** Creates a container with its config and disks; any failure or Ctrl-C removes it again. */
  async createContainer(
    container: string,
    kind: ImageKind,
    config: Record<string, string>,
    disks: DeviceSpec[],
    hostDirs: string[],
    reporter?: Reporter,
  ): Promise<void> {
    await withInterrupts(async (check) => {
      const alias = await this.ensureImage(kind, reporter);
      check();
      for (const d of hostDirs) await Deno.mkdir(d, { recursive: true });
      reporter?.step(`Creating ${container}`);
      try {
        await this.lxc(initArgv(this.bin, alias, container, config), {
          timeoutMs: this.#t.createMs,
          uninterruptible: true,
        });
        faultPoint(`${container}: created`);
        check();
        for (const d of disks) {
          await this.lxc(deviceAddArgv(this.bin, container, d), {
            uninterruptible: true,
          });
          faultPoint(`${container}: ${d.name} added`);
          check();
        }
      } catch (e) {
        await this.lxc(deleteArgv(this.bin, container), { check: false, uninterruptible: true });
        throw e;
      }
    });
  }

  async install(machine: string, reporter?: Reporter): Promise<void> {
    const st = await this.states();
    if (st.machines.has(machine)) {
      throw new ConflictError(
        `The container ${containerName(machine)} already exists.`,
        `Delete it first (codchi delete ${machine}) or choose another name.`,
      );
    }
    if (this.remote) {
      // On a remote nothing binds host folders: the machine's volumes (made with the store's
      // view of it, before its build) and the store's /nix volume.
      const pool = await this.pool();
      await this.ensureMachineVolumes(machine);
      await this.createContainer(
        containerName(machine),
        "machine",
        remoteConfig("machine", machine),
        remoteMachineDisks(this.project, pool, machine),
        [],
        reporter,
      );
      return;
    }
    await this.createContainer(
      containerName(machine),
      "machine",
      machineConfig(this.#ids, machine),
      machineDisks(this.#paths, machine).map(diskDevice),
      machineHostDirs(this.#paths, machine),
      reporter,
    );
  }

  #pool?: Promise<string>;
  /** The remote's pool for volumes: the one its default profile's root disk uses (one call). */
  pool(): Promise<string> {
    this.#pool ??= (async () => {
      const out = await this.lxc(rootPoolArgv(this.bin));
      const pool = out.text.trim();
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(pool)) {
        throw new BrokenError(
          `The remote ${this.remote}'s default profile has no root disk pool ("${pool}").`,
          `Give its default profile a root disk (lxc profile device add ${this.remote}:default root disk path=/ pool=default).`,
        );
      }
      return pool;
    })();
    return this.#pool;
  }

  /** The custom volumes of this data folder's pool (one call). */
  async volumes(): Promise<string[]> {
    const out = await this.lxc(volumeListArgv(this.bin, await this.pool()));
    return parseCustomVolumes(out.text);
  }

  /** Creates the volumes `names` that do not exist yet. */
  async ensureVolumes(names: string[], have?: string[]): Promise<void> {
    const pool = await this.pool();
    const existing = new Set(have ?? await this.volumes());
    for (const v of names.filter((n) => !existing.has(n))) {
      const argv = volumeCreateArgv(this.bin, pool, v);
      const out = await this.lxc(argv, { check: false });
      if (out.code !== 0 && !/already exists/i.test(out.errText)) throw toolError(argv, out);
    }
  }

  /** A remote machine's profiles and home volumes, made when missing and given to the store. */
  async ensureMachineVolumes(machine: string): Promise<void> {
    const v = remoteVolumes(this.project);
    await this.ensureVolumes([v.profiles(machine), v.home(machine)]);
    const store = (await this.listed()).find((c) => c.name === STORE_CONTAINER);
    if (!store) return;
    for (const d of remoteStoreMachineDisks(this.project, await this.pool(), machine)) {
      if (store.devices?.[d.name]) continue;
      await this.lxc(deviceAddArgv(this.bin, STORE_CONTAINER, d));
    }
  }

  async start(machine: string, env: MachineEnv, reporter?: Reporter): Promise<void> {
    const listed = await (this.store as LxdStore).ensureUp(reporter);
    const ctn = containerName(machine);
    const me = listed.find((c) => c.name === ctn);
    if (!me) {
      throw new NotFoundError(
        `The container ${ctn} of machine "${machine}" does not exist (deleted outside codchi?).`,
        `Make it again from the machine image, keeping the home: codchi recover ${machine}`,
      );
    }
    // Only a container with exactly the machine's mounts is ever started: a half-made one or
    // one wired to another machine's folders would write the user's files to the wrong place.
    const wrong = this.remote
      ? remoteDiskProblem(remoteMachineDisks(this.project, await this.pool(), machine), me.devices)
      : machineMountProblem(this.#paths, machine, me.devices);
    if (wrong) {
      throw new BrokenError(
        `The container ${ctn} does not carry the mounts of "${machine}": ${wrong}.`,
        `It is not used. Make it again from the machine image, keeping the home: codchi recover ${machine}`,
      );
    }
    if (this.remote && (env.usb ?? []).length > 0) {
      throw new UsageError(
        `"${machine}" runs on the remote ${this.remote}: this host's USB devices cannot reach it.`,
        `Detach them first: codchi usb detach ${machine} <device>`,
      );
    }
    if (!this.remote) {
      for (const d of machineHostDirs(this.#paths, machine)) {
        await Deno.mkdir(d, { recursive: true });
      }
    }
    await this.pushFile(machine, ENV_FILE, env.envFile, 0o600, {
      uid: MACHINE_USER.uid,
      gid: 0,
    });
    const vars = Object.fromEntries(
      Object.entries(env.vars).map(([k, v]) => [`environment.${k}`, v]),
    );
    if (Object.entries(vars).some(([k, v]) => me.config?.[k] !== v)) {
      await this.lxc(configSetArgv(this.bin, ctn, vars));
    }
    await this.#applySessionDevices(machine, me.devices ?? {});
    await this.#applyUsb(ctn, env.usb ?? [], me.devices ?? {});
    if (me.status !== "Running") {
      reporter?.step(`Starting ${machine}`);
      const out = await this.startContainer(ctn, this.#t.bootMs);
      if (out.code !== 0 && !isAlreadyRunning(out.errText)) {
        // Parallel execs start one machine at once: another one's start may have won.
        const now = (await this.listed()).find((c) => c.name === ctn);
        if (now?.status !== "Running") throw toolError(startArgv(this.bin, ctn), out);
      }
    }
    await this.waitSystemd(ctn, reporter);
    await this.#syncSessionFiles(machine, true);
  }

  /**
   * Brings the machine in line with the host session when it changed since the last time
   * (fingerprints recorded in the runtime dir; `force` at start): the session devices (one
   * `list` + the changed devices, only when the wanted set changed), then the session files
   * (X cookie, sound config) in ONE spawn through stdin. Unchanged: no spawn at all.
   * Returns false when the container is not running (nothing done).
   */
  async #syncSessionFiles(machine: string, force: boolean): Promise<boolean> {
    if (!this.#sessionFiles) return true;
    const ctn = containerName(machine);
    const record = sessionRecordPath(this.#paths.runtimeDir, ctn);
    const files = await this.#sessionFiles(machine);
    const wanted = this.#session?.(machine);
    const [filesFp, devicesFp] = await sessionFingerprints(files, wanted);
    const [lastFiles, lastDevices] = (await readSessionRecord(record)).split(" ");
    if (!force && filesFp === lastFiles && devicesFp === lastDevices) return true;
    if (!force && wanted && devicesFp !== lastDevices) {
      const me = (await this.listed()).find((c) => c.name === ctn);
      if (me?.status !== "Running") return false;
      await this.#applySessionDevices(machine, me.devices ?? {});
    }
    if (files.length > 0 && (force || filesFp !== lastFiles)) {
      const { argv, stdin } = sessionPushCommand(files);
      const out = await this.lxc(execArgv(this.bin, ctn, argv, { tty: false }), {
        stdin,
        check: false,
      });
      if (out.code !== 0) {
        await clearSessionRecord(record);
        if (/not running/i.test(out.errText)) return false;
        throw toolError(execArgv(this.bin, ctn, argv, { tty: false }), out);
      }
    }
    await writeSessionRecord(record, `${filesFp} ${devicesFp}`);
    return true;
  }

  /** Adds/replaces/removes the session hook's devices so they match the host's session now. */
  async #applySessionDevices(
    machine: string,
    current: Record<string, Record<string, string>>,
  ): Promise<void> {
    if (!this.#session) return;
    const ctn = containerName(machine);
    const wanted = this.#session(machine);
    const mine = Object.keys(current).filter((d) =>
      d.startsWith(this.#sessionPrefix) && !OUR_DISKS.test(d)
    );
    for (const name of mine) {
      if (!(name in wanted.devices) || !sameOptions(current[name], wanted.devices[name])) {
        await this.lxc(deviceRemoveArgv(this.bin, ctn, name));
      }
    }
    const added = Object.entries(wanted.devices).filter(([name, opts]) =>
      !(name in current && sameOptions(current[name], opts))
    );
    if (added.some(([, opts]) => listensOnPath(opts))) {
      await this.lxc(socketDirArgv(this.bin, ctn), { stdin: new Uint8Array() });
    }
    for (const [name, opts] of added) {
      const { type, ...options } = opts;
      await this.lxc(deviceAddArgv(this.bin, ctn, { name, type, options }));
    }
  }

  /** Waits (bounded) until systemd in the container says running or degraded. */
  async waitSystemd(container: string, reporter?: Reporter): Promise<void> {
    const deadline = Date.now() + this.#t.bootMs;
    let last = "";
    while (true) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const out = await this.runner.run(
        this.aim(systemReadyArgv(this.bin, container)),
        {
          check: false,
          timeoutMs: Math.max(left, 1000),
        },
      );
      last = (out.text || out.errText).trim();
      const state = bootStateOf(out.text);
      if (state === "ready") {
        if (out.text.includes("degraded")) reporter?.debug(`${container}: systemd is degraded`);
        return;
      }
      if (state === "failed") {
        throw new ToolError(
          "systemd",
          `${container} did not boot: systemd is in state "${last}".`,
          "",
          out.code,
          `Look inside with \`${this.bin} exec ${container} -- journalctl -b\`.`,
        );
      }
      await sleep(150);
    }
    throw new TimeoutError(
      `${container} did not finish booting within ${this.#t.bootMs / 1000} s (last: ${
        last || "nothing"
      }).`,
      `Look inside with \`${this.bin} exec ${container} -- systemctl list-jobs\`.`,
    );
  }

  async exec(machine: string, argv: string[], opts: ExecOpts = {}): Promise<Output> {
    return ranOrThrow(machine, await this.execIfRunning(machine, argv, opts));
  }

  async execIfRunning(machine: string, argv: string[], opts: ExecOpts = {}): Promise<ExecOutcome> {
    const capture = opts.capture ?? false;
    const stdin = opts.stdin ?? (capture ? undefined : "inherit");
    // A forced terminal needs one on our side too: `lxc exec -t` without it loses the output.
    const terminal = stdin === "inherit" && Deno.stdin.isTerminal();
    const tty = terminal && (opts.tty ?? (!capture && Deno.stdout.isTerminal()));
    const asUser = (opts.user ?? "codchi") === "codchi";
    const argvOut = machineExecArgv({
      bin: this.bin,
      aim: (a) => this.aim(a),
      machine,
      argv,
      tty,
      asUser,
      sessionEnv: asUser ? this.#session?.(machine).env : undefined,
      env: opts.env,
      cwd: opts.cwd,
    });
    if (asUser && !(await this.#syncSessionFiles(machine, false))) return NOT_RUNNING;
    const out = await this.runner.run(argvOut, {
      stdin,
      inherit: !capture,
      check: false,
      onSpawn: opts.onSpawn,
      uninterruptible: opts.uninterruptible,
    });
    // lxc's own failure (exit 1) may mean a stopped machine: one `list` tells, only then.
    if (out.code === 1 && (!capture || /not running/i.test(out.errText))) {
      if (!(await this.runningAfterExit1(machine))) return NOT_RUNNING;
    }
    return ran(out);
  }

  /**
   * After an exec's exit 1 (lxc's own failure, or the command's): one `list` tells whether the
   * machine still runs (false: it was stopped), or is gone (NotFoundError).
   */
  async runningAfterExit1(machine: string): Promise<boolean> {
    const st = await this.states();
    if (!st.machines.has(machine)) {
      throw new NotFoundError(
        `The container ${containerName(machine)} of machine "${machine}" does not exist ` +
          `(deleted outside codchi?).`,
        `Make it again from the machine image, keeping the home: codchi recover ${machine}`,
      );
    }
    return st.machines.get(machine)!.running;
  }

  /**
   * `lxc start` of a container (its Output; the caller decides what a failure means). A failure in
   * LXD's forkstart is tried once more after a moment (see isForkstartError).
   */
  async startContainer(container: string, timeoutMs: number): Promise<Output> {
    const argv = startArgv(this.bin, container);
    const out = await this.lxc(argv, { check: false, timeoutMs });
    if (out.code === 0 || !isForkstartError(out.errText)) return out;
    await sleep(800);
    return await this.lxc(argv, { check: false, timeoutMs });
  }

  async pushFile(
    machine: string,
    path: string,
    data: Uint8Array,
    mode: number,
    owner: { uid: number; gid: number } = { uid: 0, gid: 0 },
  ): Promise<void> {
    await this.#push(containerName(machine), path, data, mode, owner);
  }

  /** Writes `data` to `path` in any container (running or stopped), as root. */
  pushTo(container: string, path: string, data: Uint8Array, mode: number): Promise<void> {
    return this.#push(container, path, data, mode, { uid: 0, gid: 0 });
  }

  async #push(
    container: string,
    path: string,
    data: Uint8Array,
    mode: number,
    owner: { uid: number; gid: number },
  ): Promise<void> {
    const argv = filePushArgv(this.bin, container, path, { mode, ...owner });
    for (let attempt = 1;; attempt++) {
      const out = await this.lxc(argv, { stdin: data, check: false });
      if (out.code === 0) return;
      if (attempt >= 3 || !isTransientFileError(out.errText)) throw toolError(argv, out);
      await sleep(100 * attempt);
    }
  }

  async stop(machine: string, force = false): Promise<void> {
    await this.stopContainer(containerName(machine), force);
  }

  /** Stops a container; "already stopped" is success. */
  async stopContainer(container: string, force = false): Promise<void> {
    const argv = stopArgv(this.bin, container, { force, timeoutS: this.#t.stopS });
    const out = await this.lxc(argv, { check: false, timeoutMs: (this.#t.stopS + 30) * 1000 });
    if (out.code === 0 || isAlreadyStopped(out.errText)) return;
    if (isNotFound(out.errText)) {
      throw new NotFoundError(`There is no container ${container}.`);
    }
    throw toolError(argv, out);
  }

  async remove(machine: string): Promise<void> {
    await this.removeContainer(containerName(machine));
    if (this.remote) await this.#removeRemoteData(machine);
    // The record of the last session push belongs to the container: a new one starts fresh.
    await clearSessionRecord(sessionRecordPath(this.#paths.runtimeDir, containerName(machine)));
  }

  /**
   * A remote machine's data: the store lets go of its volumes and forgets its flake, then the
   * volumes go (the home is the machine's data, as the host folder is on a local daemon).
   */
  async #removeRemoteData(machine: string): Promise<void> {
    const pool = await this.pool();
    const store = (await this.listed()).find((c) => c.name === STORE_CONTAINER);
    for (const d of remoteStoreMachineDisks(this.project, pool, machine)) {
      if (store?.devices?.[d.name]) {
        await this.lxc(deviceRemoveArgv(this.bin, STORE_CONTAINER, d.name));
      }
    }
    if (store?.status === "Running") {
      await this.lxc(
        execArgv(this.bin, STORE_CONTAINER, ["rm", "-rf", "--", `/config/machines/${machine}`], {
          tty: false,
        }),
      );
    }
    const v = remoteVolumes(this.project);
    const have = new Set(await this.volumes());
    for (const vol of [v.profiles(machine), v.home(machine)].filter((x) => have.has(x))) {
      await this.lxc(volumeDeleteArgv(this.bin, pool, vol));
    }
  }

  /** Deletes a container (stopping it); a missing one is success. */
  async uninstall(): Promise<string[]> {
    const removed: string[] = [];
    if ((await this.listed()).some((c) => c.name === STORE_CONTAINER)) {
      await this.removeContainer(STORE_CONTAINER);
      removed.push(`${this.name === "incus" ? "Incus" : "LXD"} container ${STORE_CONTAINER}`);
    }
    if (this.remote) {
      // The store's /nix and any machine volume left behind: every volume of this project.
      const pool = await this.pool();
      const own = new RegExp(`^${this.project}-(nix|home-.+|prof-.+)$`);
      const mine = (await this.volumes()).filter((v) => own.test(v));
      for (const v of mine) {
        await this.lxc(volumeDeleteArgv(this.bin, pool, v));
        removed.push(`volume ${v} on ${this.remote}`);
      }
    }
    const aliases = parseImageAliases((await this.lxc(imageListArgv(this.bin))).text);
    for (const a of aliases.filter((a) => a.startsWith("codchi-"))) {
      await this.lxc(imageDeleteArgv(this.bin, a));
      removed.push(`${this.name === "incus" ? "Incus" : "LXD"} image ${a}`);
    }
    if (ownsProject(this.projectSource)) {
      // Only the data folder's own project goes; one named by hand may be shared: it stays.
      const exists = await this.runner.run(
        onRemote(projectShowArgv(this.bin, this.project), this.remote),
        {
          check: false,
        },
      );
      if (exists.code === 0) {
        const argv = onRemote(projectDeleteArgv(this.bin, this.project), this.remote);
        const out = await this.runner.run(argv, { check: false });
        if (out.code !== 0) throw toolError(argv, out);
        removed.push(`${this.name === "incus" ? "Incus" : "LXD"} project ${this.project}`);
      }
    }
    return removed;
  }

  /**
   * Makes this data folder's project when it does not exist yet and pins its name in the data
   * folder (before any store folder is made, so the choice never changes afterwards).
   */
  async ensureProject(): Promise<void> {
    if (this.project === DEFAULT_PROJECT) return;
    if (this.#pinFile && this.projectSource === "new") {
      // Only codchi's own choice is pinned: a pin means "this data folder's own project".
      const { writeFileAtomic } = await import("../../config/store.ts");
      await writeFileAtomic(this.#pinFile, `${this.project}\n`);
    }
    const shown = await this.runner.run(
      onRemote(projectShowArgv(this.bin, this.project), this.remote),
      { check: false },
    );
    if (shown.code === 0) return;
    const argv = onRemote(projectCreateArgv(this.bin, this.project), this.remote);
    const out = await this.runner.run(argv, { check: false });
    // Another codchi of this data folder may have made it a moment ago.
    if (out.code !== 0 && !/already exists/i.test(out.errText)) throw toolError(argv, out);
  }

  async removeContainer(container: string): Promise<void> {
    const argv = deleteArgv(this.bin, container);
    const out = await this.lxc(argv, {
      check: false,
      timeoutMs: this.#t.createMs,
      uninterruptible: true,
    });
    if (out.code !== 0 && !isNotFound(out.errText)) throw toolError(argv, out);
  }

  async duplicate(from: string, to: string, reporter?: Reporter): Promise<void> {
    const st = await this.states();
    if (!st.machines.has(from)) throw new NotFoundError(`The machine ${from} has no container.`);
    if (st.machines.has(to)) {
      throw new ConflictError(`The container ${containerName(to)} already exists.`);
    }
    const target = containerName(to);
    if (this.remote) return await this.#duplicateRemote(from, to, reporter);
    await withInterrupts(async (check) => {
      for (const d of machineHostDirs(this.#paths, to)) await Deno.mkdir(d, { recursive: true });
      reporter?.step(`Copying ${from} to ${to}`);
      try {
        await this.lxc(copyArgv(this.bin, containerName(from), target), {
          timeoutMs: this.#t.createMs,
          uninterruptible: true,
        });
        faultPoint(`${target}: copied`);
        check();
        const before = new Map(machineDisks(this.#paths, from).map((d) => [d.name, d.source]));
        for (const d of machineDisks(this.#paths, to)) {
          if (before.get(d.name) === d.source) continue;
          await this.lxc(deviceSetArgv(this.bin, target, d.name, { source: d.source }), {
            uninterruptible: true,
          });
          faultPoint(`${target}: ${d.name} set`);
          check();
        }
        await this.lxc(configSetArgv(this.bin, target, { "user.codchi.machine": to }));
      } catch (e) {
        await this.lxc(deleteArgv(this.bin, target), { check: false, uninterruptible: true });
        throw e;
      }
    });
  }

  /** `duplicate` on a remote: the volumes are copied on the server, then the container. */
  async #duplicateRemote(from: string, to: string, reporter?: Reporter): Promise<void> {
    const pool = await this.pool();
    const v = remoteVolumes(this.project);
    const target = containerName(to);
    reporter?.step(`Copying ${from} to ${to} on ${this.remote}`);
    const made: string[] = [];
    try {
      for (const [a, b] of [[v.profiles(from), v.profiles(to)], [v.home(from), v.home(to)]]) {
        await this.lxc(volumeCopyArgv(this.bin, pool, a, b), { timeoutMs: this.#t.createMs });
        made.push(b);
      }
      await this.lxc(copyArgv(this.bin, containerName(from), target), {
        timeoutMs: this.#t.createMs,
        uninterruptible: true,
      });
      for (const d of remoteMachineDisks(this.project, pool, to)) {
        await this.lxc(deviceSetArgv(this.bin, target, d.name, { source: d.options.source }));
      }
      await this.lxc(configSetArgv(this.bin, target, { "user.codchi.machine": to }));
      await this.ensureMachineVolumes(to);
    } catch (e) {
      await this.lxc(deleteArgv(this.bin, target), { check: false, uninterruptible: true });
      for (const b of made) await this.lxc(volumeDeleteArgv(this.bin, pool, b), { check: false });
      throw e;
    }
  }

  /**
   * Local LXD machines keep their home in a host folder the core copies and deletes itself; on a
   * remote the home is a volume the driver copies and deletes.
   */
  get managesMachineData(): boolean {
    return this.remote !== undefined;
  }

  /** USB: the host's devices from sysfs; `usb` devices on the instance (the engine hotplugs). */
  readonly usb: UsbSupport = {
    list: () => listSysfsUsb(),
    apply: async (machine, ids) => {
      if (this.remote && ids.length > 0) {
        throw new UsageError(
          `"${machine}" runs on the remote ${this.remote}: this host's USB devices cannot reach it.`,
        );
      }
      const ctn = containerName(machine);
      const me = (await this.listed()).find((c) => c.name === ctn);
      if (!me) {
        throw new NotFoundError(
          `The container ${ctn} of machine "${machine}" does not exist (deleted outside codchi?).`,
          `Make it again from the machine image, keeping the home: codchi recover ${machine}`,
        );
      }
      await this.#applyUsb(ctn, ids, me.devices ?? {});
    },
  };

  /** Adds and removes `usb-*` devices so the instance carries exactly `ids`. */
  async #applyUsb(
    ctn: string,
    ids: string[],
    devices: Record<string, Record<string, string>>,
  ): Promise<void> {
    const plan = usbPlan(ids, devices);
    for (const name of plan.remove) await this.lxc(deviceRemoveArgv(this.bin, ctn, name));
    for (const d of plan.add) await this.lxc(deviceAddArgv(this.bin, ctn, d));
  }

  /** Re-creates the machine's container from the machine image; home and profiles stay. */
  async recover(machine: string, reporter?: Reporter): Promise<void> {
    reporter?.step(`Re-creating the container of ${machine}`);
    await this.removeContainer(containerName(machine));
    await this.install(machine, reporter);
  }

  async exportTree(
    machine: string,
    paths: string[],
    sink: (chunk: Uint8Array) => Promise<void>,
  ): Promise<void> {
    const argv = execArgv(this.bin, containerName(machine), exportTreeArgv(paths), { tty: false });
    const out = await this.lxc(argv, { check: false, onStdout: sink });
    if (out.code !== 0) {
      if (/not running/i.test(out.errText)) throw new NotRunningError(machine);
      throw toolError(argv, out);
    }
  }
}

function sameOptions(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

export { withInterrupts } from "./interrupts.ts";
export { MACHINE_PATH } from "./argv.ts";
export { detectBinary } from "./project.ts";
