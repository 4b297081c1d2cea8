/**
 * The LXD / Incus host driver: the Driver of machines on a local daemon or a remote. Its calls go
 * through the call wrapper (lxc.ts), the engine's objects are worked on in instances.ts (with
 * volumes.ts), the host session in session_sync.ts, copies in duplicate.ts; the store is store.ts.
 */
import { containerName, STORE_CONTAINER } from "../../config/names.ts";
import type { Paths } from "../../config/paths.ts";
import {
  BrokenError,
  ConflictError,
  NotFoundError,
  NotRunningError,
  PrerequisiteError,
  UsageError,
} from "../../errors.ts";
import { type Output, type Runner, toolError } from "../../process.ts";
import type {
  Driver,
  DriverName,
  ExecOpts,
  ExecOutcome,
  HostState,
  MachineEnv,
  Reporter,
  StoreFile,
  UsbSupport,
} from "../types.ts";
import {
  configSetArgv,
  deviceAddArgv,
  deviceRemoveArgv,
  diskDevice,
  execArgv,
  listArgv,
  type LxcBinary,
  MACHINE_USER,
  machineExecArgv,
  startArgv,
} from "./argv.ts";
import type { ImageProvider } from "../../release/images.ts";
import {
  type HostIds,
  machineConfig,
  machineDisks,
  machineHostDirs,
  machineMountProblem,
} from "./mounts.ts";
import { LxdStore } from "./store.ts";
import { Lxc, statesOf } from "./lxc.ts";
import { DEFAULT_TIMEOUTS, LxdInstances, type LxdTimeouts } from "./instances.ts";
import { LxdSessionSync } from "./session_sync.ts";
import { duplicateContainer } from "./duplicate.ts";
import type { SessionDevicesHook, SessionFilesHook } from "./session.ts";
import { hostStateOf, isAlreadyRunning } from "./parse.ts";
import { ENV_FILE } from "../../contract.ts";
import { exportTreeArgv } from "../export_tree.ts";
import { NOT_RUNNING, ran, ranOrThrow } from "../exec_outcome.ts";
import { usbPlan } from "./usb.ts";
import { DEFAULT_PROJECT, detectBinary, ownsProject, type ProjectSource } from "./project.ts";
import type { HostUsbDevice } from "../../usb/id.ts";
import { onRemote, remoteFailure, type RemoteSource } from "./remote.ts";
import {
  remoteConfig,
  remoteDiskProblem,
  remoteMachineDisks,
  remoteStoreDisks,
} from "./remote_layout.ts";

export { DEFAULT_TIMEOUTS, type LxdTimeouts } from "./instances.ts";
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
  /** The host's USB devices (`usb list`; the host port's, cli/context.ts); default: none. */
  hostUsb?: () => Promise<HostUsbDevice[]>;
  /** The project of this data folder (project.ts); default: LXD's `default` project. */
  project?: { name: string; source: ProjectSource; pinFile?: string };
  /** The remote server the machines run on (remote.ts); default: the local daemon. */
  remote?: { name: string; source: RemoteSource };
}

/** The LXD/Incus driver. */
export class LxdDriver implements Driver {
  readonly name: DriverName;
  /** LXD and Incus machines share the NixOS module `lxd`. */
  readonly nixosModule = "lxd" as const;
  readonly handsInHostCa = true;
  readonly store: LxdStore;
  readonly bin: LxcBinary;
  /** The engine's objects (containers, images, volumes, project) this driver works on. */
  readonly instances: LxdInstances;
  readonly #paths: Paths;
  readonly #ids: HostIds;
  readonly #t: LxdTimeouts;
  readonly #lxc: Lxc;
  readonly #session: LxdSessionSync;
  readonly #hostUsb: () => Promise<HostUsbDevice[]>;
  /** The LXD/Incus project every call goes to, and why (doctor says it). */
  readonly project: string;
  readonly projectSource: ProjectSource;
  /** The remote server every call goes to, or undefined for the local daemon. */
  readonly remote?: string;
  readonly remoteSource?: RemoteSource;

  constructor(opts: LxdDriverOptions) {
    this.#paths = opts.paths;
    const env = opts.env ?? Deno.env.toObject();
    const bin = opts.binary ?? detectBinary(env.PATH);
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
    this.project = opts.project?.name ?? DEFAULT_PROJECT;
    this.projectSource = opts.project?.source ?? "env";
    const remote = opts.remote?.name;
    this.remote = remote;
    this.remoteSource = opts.remote?.source;
    this.#lxc = new Lxc({
      bin,
      project: this.project,
      runner: opts.runner,
      remote: remote
        ? {
          name: remote,
          on: (argv) => onRemote(argv, remote),
          failure: (err) => remoteFailure(bin, remote, err),
        }
        : undefined,
    });
    this.instances = new LxdInstances({
      lxc: this.#lxc,
      paths: opts.paths,
      env,
      hostIds: this.#ids,
      timeouts: this.#t,
      images: opts.images,
      projectSource: this.projectSource,
      pinFile: opts.project?.pinFile,
    });
    this.#hostUsb = opts.hostUsb ?? (() => Promise.resolve([]));
    this.#session = new LxdSessionSync(this.instances, {
      devices: opts.sessionDevices,
      files: opts.sessionFiles,
      prefix: opts.sessionDevicePrefix ?? "codchi-",
    });
    this.store = new LxdStore(this.instances, {
      runner: opts.runner,
      storeFiles: opts.storeFiles,
    });
  }

  /**
   * The client and project `exec`'s and `status`'s fast paths spawn with (see Driver.execChoice);
   * none with a remote (its calls are aimed there: the full path).
   */
  get execChoice(): { bin: LxcBinary; project: string; list: string[] } | undefined {
    if (this.remote) return undefined;
    return { bin: this.bin, project: this.project, list: this.#lxc.aim(listArgv(this.bin)) };
  }

  /** Every codchi container's state; the store's `problem` names a mount it lacks or misuses. */
  async states(): Promise<HostState> {
    const listed = await this.#lxc.listed();
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
      const pool = await this.instances.volumes.pool();
      await this.instances.volumes.ensureMachine(machine);
      await this.instances.createContainer(
        containerName(machine),
        "machine",
        remoteConfig("machine", machine),
        remoteMachineDisks(this.project, pool, machine),
        [],
        reporter,
      );
      return;
    }
    await this.instances.createContainer(
      containerName(machine),
      "machine",
      machineConfig(this.#ids, machine),
      machineDisks(this.#paths, machine).map(diskDevice),
      machineHostDirs(this.#paths, machine),
      reporter,
    );
  }

  async start(machine: string, env: MachineEnv, reporter?: Reporter): Promise<void> {
    const listed = await this.store.ensureUp(reporter);
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
      ? remoteDiskProblem(
        remoteMachineDisks(this.project, await this.instances.volumes.pool(), machine),
        me.devices,
      )
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
      await this.#lxc.call(configSetArgv(this.bin, ctn, vars));
    }
    await this.#session.applyDevices(machine, me.devices ?? {});
    await this.#applyUsb(ctn, env.usb ?? [], me.devices ?? {});
    if (me.status !== "Running") {
      reporter?.step(`Starting ${machine}`);
      const out = await this.instances.startContainer(ctn, this.#t.bootMs);
      if (out.code !== 0 && !isAlreadyRunning(out.errText)) {
        // Parallel execs start one machine at once: another one's start may have won.
        const now = (await this.#lxc.listed()).find((c) => c.name === ctn);
        if (now?.status !== "Running") throw toolError(startArgv(this.bin, ctn), out);
      }
    }
    await this.instances.waitSystemd(ctn, reporter);
    await this.#session.sync(machine, true);
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
      aim: (a) => this.#lxc.aim(a),
      machine,
      argv,
      tty,
      asUser,
      sessionEnv: asUser ? this.#session.env(machine) : undefined,
      env: opts.env,
      cwd: opts.cwd,
    });
    if (asUser && !(await this.#session.sync(machine, false))) return NOT_RUNNING;
    const out = await this.#lxc.spawn(argvOut, {
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

  async pushFile(
    machine: string,
    path: string,
    data: Uint8Array,
    mode: number,
    owner: { uid: number; gid: number } = { uid: 0, gid: 0 },
  ): Promise<void> {
    await this.instances.pushTo(containerName(machine), path, data, mode, owner);
  }

  async stop(machine: string, force = false): Promise<void> {
    await this.instances.stopContainer(containerName(machine), force);
  }

  async remove(machine: string): Promise<void> {
    await this.instances.removeContainer(containerName(machine));
    if (this.remote) await this.instances.volumes.removeMachine(machine);
    // The record of the last session push belongs to the container: a new one starts fresh.
    await this.#session.forget(machine);
  }

  /** Deletes the store, this data folder's volumes, codchi's images and its own project. */
  async uninstall(): Promise<string[]> {
    const engine = this.name === "incus" ? "Incus" : "LXD";
    const removed: string[] = [];
    if ((await this.#lxc.listed()).some((c) => c.name === STORE_CONTAINER)) {
      await this.instances.removeContainer(STORE_CONTAINER);
      removed.push(`${engine} container ${STORE_CONTAINER}`);
    }
    if (this.remote) {
      // The store's /nix and any machine volume left behind: every volume of this project.
      for (const v of await this.instances.volumes.removeAll()) {
        removed.push(`volume ${v} on ${this.remote}`);
      }
    }
    for (const a of await this.instances.removeImages()) removed.push(`${engine} image ${a}`);
    // Only the data folder's own project goes; one named by hand may be shared: it stays.
    if (ownsProject(this.projectSource) && await this.instances.removeProject()) {
      removed.push(`${engine} project ${this.project}`);
    }
    return removed;
  }

  async duplicate(from: string, to: string, reporter?: Reporter): Promise<void> {
    const st = await this.states();
    if (!st.machines.has(from)) throw new NotFoundError(`The machine ${from} has no container.`);
    if (st.machines.has(to)) {
      throw new ConflictError(`The container ${containerName(to)} already exists.`);
    }
    await duplicateContainer(this.instances, from, to, reporter);
  }

  /**
   * Local LXD machines keep their home in a host folder the core copies and deletes itself; on a
   * remote the home is a volume the driver copies and deletes.
   */
  get managesMachineData(): boolean {
    return this.remote !== undefined;
  }

  /** USB: the host's devices (injected); `usb` devices on the instance (the engine hotplugs). */
  readonly usb: UsbSupport = {
    list: () => this.#hostUsb(),
    apply: async (machine, ids) => {
      if (this.remote && ids.length > 0) {
        throw new UsageError(
          `"${machine}" runs on the remote ${this.remote}: this host's USB devices cannot reach it.`,
        );
      }
      const ctn = containerName(machine);
      const me = (await this.#lxc.listed()).find((c) => c.name === ctn);
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
    for (const name of plan.remove) await this.#lxc.call(deviceRemoveArgv(this.bin, ctn, name));
    for (const d of plan.add) await this.#lxc.call(deviceAddArgv(this.bin, ctn, d));
  }

  /** Re-creates the machine's container from the machine image; home and profiles stay. */
  async recover(machine: string, reporter?: Reporter): Promise<void> {
    reporter?.step(`Re-creating the container of ${machine}`);
    await this.instances.removeContainer(containerName(machine));
    await this.install(machine, reporter);
  }

  async exportTree(
    machine: string,
    paths: string[],
    sink: (chunk: Uint8Array) => Promise<void>,
  ): Promise<void> {
    const argv = execArgv(this.bin, containerName(machine), exportTreeArgv(paths), { tty: false });
    const out = await this.#lxc.call(argv, { check: false, onStdout: sink });
    if (out.code !== 0) {
      if (/not running/i.test(out.errText)) throw new NotRunningError(machine);
      throw toolError(argv, out);
    }
  }
}
