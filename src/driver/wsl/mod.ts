/** The WSL host driver: distros `codchistore` and `codchi-<name>`, every spawn through the Runner. */
import { concatBytes } from "../../bytes.ts";
import { containerName, machineOfContainer, STORE_CONTAINER } from "../../config/names.ts";
import { machinePaths, type Paths } from "../../config/paths.ts";
import { pathApi } from "../../config/path_api.ts";
import { ConflictError, NotFoundError, NotRunningError } from "../../errors.ts";
import type { Output, Runner } from "../../process.ts";
import type {
  Driver,
  ExecOpts,
  ExecOutcome,
  HostIntegration,
  HostState,
  MachineEnv,
  Reporter,
  StoreFile,
  UsbSupport,
} from "../types.ts";
import { wslUsb } from "./usb.ts";
import {
  checkedSessionArgv,
  EXEC_TOKEN_VAR,
  execArgv,
  exportVhdArgv,
  importInPlaceArgv,
  keepAliveArgv,
  listArgv,
  LOGIN_SHELL_ARGV,
  markStartedArgv,
  NOT_STARTED_EXIT,
  renderVars,
  STARTED_MARKER,
  terminateArgv,
  unregisterArgv,
  writeFileArgv,
} from "./argv.ts";
import {
  discard,
  type DistroCtx,
  exists,
  type ImageRef,
  importDistro,
  recoverDistro,
  waitReady,
} from "./distro_ops.ts";
import { type CallBounds, type CallOpts, WslExe, type WslResult } from "./exe.ts";
import { parseListVerbose } from "./parse.ts";
import { DEFAULT_RETRY, isWslErrorExit, type RetryPolicy, retryTransient } from "./retry.ts";
import { WslStore } from "./store.ts";
import { stdoutGate, writeStdout } from "./stdout_gate.ts";
import { decodeWslOutput } from "./decode.ts";
import { windowsPathInWsl, wslCallEnv } from "./wslenv.ts";
import { exportTreeArgv } from "../export_tree.ts";
import { NOT_RUNNING, ran, ranOrThrow } from "../exec_outcome.ts";
import { ENV_FILE, MACHINE_USER, NETNS, WINDOWS_PATH_VAR } from "../../contract.ts";
import { preferredHost } from "./netns.ts";
import { windowsPathForWsl } from "./windows_path.ts";

/** How to build a WSL driver (`paths`, `runner` and `env` are what `DriverDeps` carries). */
export interface WslDriverOptions {
  runner: Runner;
  /** Host paths (the store's disk folder is `storeDir`, a machine's is its `data` folder). */
  paths: Paths;
  /** Environment to read defaults from. Default: the process environment. */
  env?: Record<string, string | undefined>;
  /** wsl.exe to run. Default: env CODCHI_WSL_EXE, else "wsl.exe". */
  wslExe?: string;
  /** Store rootfs tarball. Default: env CODCHI_WSL_STORE_IMAGE, else the release's (`releaseImage`). */
  storeImage?: string;
  /** Machine rootfs. Default: env CODCHI_WSL_MACHINE_IMAGE, else the release's (`releaseImage`). */
  machineImage?: string;
  /** The verified release image of a kind (downloaded when first needed). */
  releaseImage?: (kind: "store" | "machine", reporter?: Reporter) => Promise<string>;
  /** Retry bounds for transient WSL failures (default: 8 attempts within 75 s). */
  retry?: Partial<RetryPolicy>;
  /** Bounds of single wsl.exe calls (default: exe.ts DEFAULT_BOUNDS). */
  bounds?: Partial<CallBounds>;
  /** Debug log (shown with -v): retries and waits. */
  debug?: (line: string) => void;
  /** Bound of the store's and a machine's start (ms). Default 60 s. */
  startTimeoutMs?: number;
  /** How a host path looks inside a distro. Default: `C:\x` → `/mnt/c/x`. */
  hostPathInWsl?: (hostPath: string) => string;
  /** Run inside the store: exits 0 once the nix daemon answers. */
  storeProbe?: string[];
  /** Run inside a machine: exits 0 once it is ready (systemd running or degraded). */
  machineProbe?: string[];
  /** The files handed into the store at each of its starts (CA bundle, proxy, caches). */
  storeFiles?: () => Promise<StoreFile[]>;
  /** Switches of those files a running store must follow (WslStore's `storeFilesKey`). */
  storeFilesKey?: string;
  /** Host integration (shortcuts, terminal entries); supplied by the Windows host code. */
  host?: HostIntegration;
  /** Sleep used between retries and polls. */
  sleep?: (ms: number) => Promise<void>;
  /** usbipd-win's executable. Default: env CODCHI_USBIPD_EXE, else "usbipd.exe" (on PATH). */
  usbipdExe?: string;
}

/** The store's health check: the nix-daemon socket exists. */
export const DEFAULT_STORE_PROBE = [
  "/bin/sh",
  "-c",
  "test -S /nix/var/nix/daemon-socket/socket",
];
/** A machine's readiness: systemd running or degraded (no systemctl: ready at once). */
export const DEFAULT_MACHINE_PROBE = [
  "/bin/sh",
  "-c",
  "command -v systemctl >/dev/null 2>&1 || exit 0; " +
  's=$(systemctl is-system-running 2>/dev/null); [ "$s" = running ] || [ "$s" = degraded ]',
];

/** The WSL driver. */
export class WslDriver implements Driver {
  readonly name = "wsl" as const;
  readonly nixosModule = "wsl" as const;
  /** The host's CA bundle (Windows: the certificate store's) is pushed with the file push. */
  readonly handsInHostCa = true;
  /** The store reads a machine's home (local modules) through the share its running init made. */
  readonly homeSharedWhileRunning = true;
  readonly runner: Runner;
  readonly store: WslStore;
  readonly host: HostIntegration;
  /** On WSL a machine's data folder holds its disk, which this driver copies and removes. */
  readonly managesMachineData = true;
  readonly #exe: WslExe;
  readonly #ctx: DistroCtx;
  readonly #paths: Paths;
  readonly #machineImage: ImageRef;
  readonly #machineProbe: string[];
  /** The host's Windows PATH in Linux form (windows_path.ts), handed in with the env file. */
  readonly #windowsPath: string;
  /** USB through usbipd-win: attachments belong to the WSL VM, seen by every distro. */
  readonly usb: UsbSupport;

  constructor(opts: WslDriverOptions) {
    const env = opts.env ?? Deno.env.toObject();
    const path = pathApi(opts.paths.os);
    this.runner = opts.runner;
    this.#paths = opts.paths;
    this.#exe = new WslExe({
      runner: opts.runner,
      wslExe: opts.wslExe ?? env.CODCHI_WSL_EXE ?? "wsl.exe",
      retry: { ...DEFAULT_RETRY, ...opts.retry },
      debug: opts.debug ?? (() => {}),
      sleep: opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      inheritedWslEnv: env.WSLENV,
      bounds: opts.bounds,
    });
    this.#ctx = { exe: this.#exe, path, startTimeoutMs: opts.startTimeoutMs ?? 60_000 };
    // An override path, else the release image (no release wired: the old fixed file name).
    const image = (kind: "store" | "machine", override?: string): ImageRef =>
      override ??
        (opts.releaseImage
          ? (r) => opts.releaseImage!(kind, r)
          : path.join(opts.paths.imagesDir, `${kind}.tar.gz`));
    this.#machineImage = image("machine", opts.machineImage ?? env.CODCHI_WSL_MACHINE_IMAGE);
    this.#machineProbe = opts.machineProbe ?? DEFAULT_MACHINE_PROBE;
    this.#windowsPath = windowsPathForWsl(env);
    const inWsl = opts.hostPathInWsl ?? windowsPathInWsl;
    const configDir = inWsl(opts.paths.configDir);
    this.store = new WslStore(this.#ctx, {
      storeDir: opts.paths.storeDir,
      paths: opts.paths,
      storeImage: image("store", opts.storeImage ?? env.CODCHI_WSL_STORE_IMAGE),
      probe: opts.storeProbe ?? DEFAULT_STORE_PROBE,
      runtimeDir: opts.paths.runtimeDir,
      storeFiles: opts.storeFiles,
      storeFilesKey: opts.storeFilesKey,
      view: {
        configDir,
        profilesDir: (m) => `${configDir}/machines/${m}/profiles`,
        machineHome: (m) => `/mnt/wsl/codchi/machines/${m}/home`,
        // Every distro sees the same ids on the shared mount.
        machineOwner: { uid: MACHINE_USER.uid, gid: MACHINE_USER.gid },
      },
    });
    this.usb = wslUsb({
      runner: opts.runner,
      exe: opts.usbipdExe ?? env.CODCHI_USBIPD_EXE,
      timeoutMs: this.#exe.bounds.shortMs,
      debug: this.#exe.o.debug,
    });
    this.host = opts.host ??
      { exportApps: () => Promise.resolve(), removeApps: () => Promise.resolve() };
  }

  /** The WSL version (`wsl.exe --version`); a PrerequisiteError when older than 2.0.14. */
  checkVersion(): Promise<string> {
    return this.#exe.checkVersion();
  }

  async states(): Promise<HostState> {
    const r = await this.#exe.callRetry(listArgv());
    const state: HostState = { store: { installed: false, running: false }, machines: new Map() };
    if (r.out.code !== 0) {
      if (r.kind === "no-distros" || await this.#noDistros()) return state;
      throw this.#exe.fail(listArgv(), r);
    }
    for (const row of parseListVerbose(r.text)) {
      if (row.state !== "Running" && row.state !== "Stopped") continue; // installing, converting…
      const running = row.state === "Running";
      if (row.name === STORE_CONTAINER) state.store = { installed: true, running };
      else {
        const m = machineOfContainer(row.name);
        if (m) state.machines.set(m, { running });
      }
    }
    return state;
  }

  /**
   * Whether nothing is installed: `--list --quiet` succeeds and prints nothing. Current WSL
   * prints no error code when `--list --verbose` finds no distros, and its message is
   * translated, so the failure itself cannot tell.
   */
  async #noDistros(): Promise<boolean> {
    const q = await this.#exe.callRetry(["--list", "--quiet"]);
    return q.out.code === 0 && q.text.trim() === "";
  }

  /**
   * Starts the keep-alive of a distro (see keepAliveArgv): detached, so it outlives this call;
   * a second one for the same boot exits at once.
   */
  async #keepAlive(distro: string, kind: "store" | "machine"): Promise<void> {
    const runner = this.runner;
    if (!runner.spawnDetached) {
      this.#exe.o.debug(`wsl: this runner cannot start the keep-alive of ${distro}`);
      return;
    }
    await runner.spawnDetached(
      [this.#exe.o.wslExe, ...execArgv(distro, "root", keepAliveArgv(kind))],
      { env: wslCallEnv({}, new Set(), this.#exe.o.inheritedWslEnv) },
    );
  }

  async install(machine: string, reporter?: Reporter): Promise<void> {
    if ((await this.states()).machines.has(machine)) {
      throw new ConflictError(`Machine ${machine} is already installed.`, "Run `codchi status`.");
    }
    const dir = this.#data(machine);
    await importDistro(this.#ctx, containerName(machine), dir, this.#machineImage, reporter);
  }

  async start(machine: string, env: MachineEnv, reporter?: Reporter): Promise<void> {
    await this.store.ensureRunning(reporter);
    await this.#keepAlive(STORE_CONTAINER, "store");
    const distro = containerName(machine);
    reporter?.step(`Starting ${machine}`);
    await this.#push(machine, ENV_FILE, this.#envFile(machine, env.envFile, env.vars), 0o600);
    await waitReady(this.#ctx, distro, this.#machineProbe, `machine ${machine}`);
    const mark = await this.#exe.runIn(distro, markStartedArgv());
    if (mark.out.code !== 0) throw this.#exe.fail(["mark", STARTED_MARKER, machine], mark);
    await this.#keepAlive(distro, "machine");
    // usbipd attaches to the running VM: after the start. A device that cannot be attached does
    // not keep the machine from starting; `codchi usb attach` shows the error.
    if ((env.usb ?? []).length > 0) {
      await this.usb.apply(machine, env.usb ?? []).catch((e) =>
        reporter?.warn(`USB devices of ${machine} not attached: ${(e as Error).message}`)
      );
    }
  }

  /**
   * The env file's bytes: the plain variables first, with those the machine's init reads before
   * the system starts (CODCHI_MACHINE_NAME, CODCHI_PROFILES_DIR: where the store builds its
   * system; its preferred host number for network isolation), the host's Windows PATH (WINDOWS_PATH_VAR, appended by the machine after its own),
   * then the secrets. Written at each start and rebuild, so a changed Windows PATH arrives then.
   */
  #envFile(machine: string, secrets: Uint8Array, vars: Record<string, string> = {}): Uint8Array {
    const head = new TextEncoder().encode(renderVars({
      CODCHI_MACHINE_NAME: machine,
      ...vars,
      ...(this.#windowsPath ? { [WINDOWS_PATH_VAR]: this.#windowsPath } : {}),
      CODCHI_PROFILES_DIR: this.store.view.profilesDir(machine),
      // Used only when the machine's system asks for network isolation (netns.ts).
      [NETNS.hostVar]: String(preferredHost(machine)),
    }));
    return concatBytes([head, secrets]);
  }

  async exec(machine: string, argv: string[], opts: ExecOpts = {}): Promise<Output> {
    return ranOrThrow(machine, await this.execIfRunning(machine, argv, opts));
  }

  async execIfRunning(machine: string, argv: string[], opts: ExecOpts = {}): Promise<ExecOutcome> {
    const inner = checkedSessionArgv(
      opts.user ?? "codchi",
      argv.length ? argv : LOGIN_SHELL_ARGV,
      opts.cwd ?? "",
      Object.keys(opts.env ?? {}),
      opts.tty ?? false,
    );
    const args = execArgv(containerName(machine), "root", inner);
    const capture = opts.capture ?? false;
    const stdin = opts.stdin ?? (capture ? undefined : "inherit");
    const call = { inherit: !capture, stdin, vars: opts.env };
    // Retrying is safe only when WSL's error is visible and stdin can be replayed…
    const r = capture && stdin !== "inherit"
      ? await this.#withToken((t) => this.#exe.callRetry(args, this.#tokenCall(call, t)))
      : opts.tty
      ? await this.#withToken((t) => this.#exe.call(args, this.#tokenCall(call, t)))
      : await this.#execPassedThrough(machine, args, call); // …or the command never started.
    if (r.kind === "not-found") throw gone(machine);
    if (r.kind === "transient") throw this.#exe.fail(["exec", "in", machine], r);
    // WSL boots a stopped distro by itself; without codchi's start marker it is not ready.
    if (r.out.code === NOT_STARTED_EXIT) return NOT_RUNNING;
    return ran(r.out);
  }

  /**
   * An exec whose output goes straight to the user: wsl.exe's message cannot be read, so a
   * failure is retried only when wsl.exe failed (its error exit) before the command started,
   * which the session wrapper proves by creating the host file named by CODCHI_EXEC_TOKEN.
   * On a running machine this is still one spawn.
   */
  async #execPassedThrough(machine: string, args: string[], call: CallOpts): Promise<WslResult> {
    return await this.#withToken(async (token) => {
      const res = await retryTransient<WslResult>(
        async (n) => {
          // Into a pipe or file, wsl.exe's own message (on stdout) must not mix with the output.
          const gate = Deno.stdout.isTerminal()
            ? undefined
            : stdoutGate(() => exists(token), writeStdout);
          const r0 = await this.#exe.call(args, {
            ...this.#tokenCall(call, token),
            ...(gate ? { onStdout: (c: Uint8Array) => gate.sink(c) } : {}),
          });
          if (r0.out.code === 0 || !isWslErrorExit(r0.out.code) || (await exists(token))) {
            await gate?.flush();
            return { value: r0 };
          }
          const r = gate ? { ...r0, text: decodeWslOutput(gate.held()) } : r0;
          // wsl.exe failed before the command ran: a machine that is gone is a real error.
          if (n === 1 && !(await this.states()).machines.has(machine)) {
            return { value: { ...r, kind: "not-found" } };
          }
          return { value: r, transient: "wsl.exe failed before the command started" };
        },
        this.#exe.o.retry,
        this.#exe.o.debug,
        this.#exe.o.sleep,
      );
      return res.transient ? { ...res.value, kind: "transient" } : res.value;
    });
  }

  /**
   * Runs `fn` with a fresh start-token path (a host file the command inside creates first thing:
   * it bounds the call's start, and proves the command ran); removes the file afterwards.
   */
  async #withToken<T>(fn: (token: string) => Promise<T>): Promise<T> {
    await Deno.mkdir(this.#paths.runtimeDir, { recursive: true });
    const token = this.#ctx.path.join(this.#paths.runtimeDir, `exec-${crypto.randomUUID()}`);
    try {
      return await fn(token);
    } finally {
      await Deno.remove(token).catch(() => {});
    }
  }

  /** A call that hands `token` to the command (WSLENV `/p`) and is bounded by its start. */
  #tokenCall(call: CallOpts, token: string): CallOpts {
    return {
      ...call,
      vars: { ...call.vars, [EXEC_TOKEN_VAR]: token },
      pathVars: [...(call.pathVars ?? []), EXEC_TOKEN_VAR],
      startToken: token,
    };
  }

  /** The env file (rewritten by a rebuild) keeps the driver's variables, root and the user only. */
  pushFile(machine: string, path: string, data: Uint8Array, mode: number): Promise<void> {
    return path === ENV_FILE
      ? this.#push(machine, path, this.#envFile(machine, data), 0o600)
      : this.#push(machine, path, data, mode);
  }

  async #push(machine: string, path: string, data: Uint8Array, mode: number) {
    // The env file: root and the machine user, by number (as init.sh chowns it): before NixOS
    // is activated the image knows no user but root.
    const owner = path === ENV_FILE ? `${MACHINE_USER.uid}:0` : "";
    const r = await this.#exe.runIn(containerName(machine), writeFileArgv(path, mode, owner), {
      stdin: data,
    });
    if (r.kind === "not-found") throw gone(machine);
    if (r.out.code !== 0) throw this.#exe.fail(["write", path], r); // names the path, never data
  }

  /**
   * Takes back the share of the machine's home that its init made for the store under /mnt/wsl
   * (the VM-wide folder every distro sees): that bind mount outlives the machine and keeps its
   * disk mounted, so WSL could not detach the disk it then copies (duplicate) or deletes
   * (remove). Best effort, from the store; a store that is not installed has nothing to undo.
   */
  async #releaseHome(machine: string): Promise<void> {
    const share = this.store.view.machineHome(machine);
    const r = await this.#exe.runIn(STORE_CONTAINER, [
      "/bin/sh",
      "-c",
      'umount -l "$1" 2>/dev/null; exit 0',
      "codchi-release-home",
      share,
    ]);
    if (r.out.code !== 0) this.#exe.o.debug(`wsl: ${share} not released (exit ${r.out.code})`);
  }

  /** Terminates the distro (WSL has no graceful stop of one distro; `force` changes nothing). */
  async stop(machine: string, _force?: boolean): Promise<void> {
    const args = terminateArgv(containerName(machine));
    const r = await this.#exe.callRetry(args);
    if (r.kind === "not-found") throw gone(machine);
    if (r.out.code !== 0) throw this.#exe.fail(args, r);
    await this.#releaseHome(machine); // the disk stays attached until the VM stops: after is fine
  }

  async remove(machine: string): Promise<void> {
    const distro = containerName(machine);
    await this.#exe.callRetry(terminateArgv(distro));
    await this.#releaseHome(machine); // before --unregister detaches and deletes the disk
    const args = unregisterArgv(distro);
    const r = await this.#exe.callRetry(args);
    if (r.out.code !== 0 && r.kind !== "not-found") throw this.#exe.fail(args, r);
  }

  /** Uninstall: unregisters the store distro (its disk folder and the image cache are the core's). */
  async uninstall(): Promise<string[]> {
    if (!(await this.states()).store.installed) return [];
    await discard(this.#ctx, STORE_CONTAINER, this.#paths.storeDir, true);
    return [`WSL distro ${STORE_CONTAINER}`];
  }

  /** Stops `from`, copies its disk into `to`'s data folder, registers it `--import-in-place`. */
  async duplicate(from: string, to: string, reporter?: Reporter): Promise<void> {
    const st = await this.states();
    if (!st.machines.has(from)) throw gone(from);
    if (st.machines.has(to)) throw new ConflictError(`Machine ${to} already exists.`);
    const p = this.#ctx.path;
    const dir = this.#data(to);
    const disk = p.join(dir, "ext4.vhdx");
    if (await exists(disk)) {
      throw new ConflictError(`${disk} already exists.`, "Move it away, then try again.");
    }
    reporter?.step(`Copying the disk of ${from}`);
    await this.#releaseHome(from);
    await this.#exe.must(terminateArgv(containerName(from)));
    const dirExisted = await exists(dir);
    await Deno.mkdir(dir, { recursive: true });
    try {
      // After --terminate the disk stays attached to WSL's VM until it shuts down, so the file
      // itself is not current: WSL copies it (`--export --format vhd`).
      await this.#exe.must(exportVhdArgv(containerName(from), `${disk}.partial`));
      await Deno.rename(`${disk}.partial`, disk);
      reporter?.step(`Registering ${to}`);
      await this.#exe.must(importInPlaceArgv(containerName(to), disk));
      await this.#registerProfileRoots(to);
    } catch (e) {
      await this.#exe.callRetry(unregisterArgv(containerName(to))).catch(() => {});
      await Deno.remove(`${disk}.partial`).catch(() => {});
      await Deno.remove(disk).catch(() => {});
      if (!dirExisted) await Deno.remove(dir, { recursive: true }).catch(() => {});
      throw e;
    }
  }

  /**
   * The copied profile links of a duplicate become GC roots of their own (the store registers a
   * profile outside /nix as an indirect root only when it builds it), so collecting garbage
   * after the original is deleted keeps the copy's system.
   */
  async #registerProfileRoots(machine: string): Promise<void> {
    const links: string[] = [];
    try {
      for await (const e of Deno.readDir(machinePaths(this.#paths, machine).profilesDir)) {
        if (e.isSymlink && /^system-\d+-link$/.test(e.name)) links.push(e.name);
      }
    } catch { /* no profiles folder: nothing was built */ }
    if (links.length === 0) return;
    const script = 'for l in "$1"/system-*-link; do [ -L "$l" ] || continue; ' +
      'nix-store --add-root "$l" --indirect --realise "$(readlink "$l")" >/dev/null || exit 1; done';
    await this.store.run([
      "/bin/sh",
      "-c",
      script,
      "codchi-roots",
      this.store.view.profilesDir(machine),
    ]);
  }

  /** Re-creates the machine from the machine image, keeping /home. */
  async recover(machine: string, reporter?: Reporter): Promise<void> {
    const p = this.#ctx.path;
    const dir = this.#data(machine);
    const backup = p.join(p.dirname(dir), `${machine}-recover.tar`);
    const distro = containerName(machine);
    await recoverDistro(this.#ctx, distro, backup, "home", async () => {
      await importDistro(this.#ctx, distro, dir, this.#machineImage, reporter);
    }, reporter);
  }

  /**
   * `codchi tar`'s stream (not `wsl --export`: the whole disk would carry the env file with the
   * secrets' values): tar runs inside the machine, its stdout comes here through wsl.exe, held
   * back until the command has started (wsl.exe prints its own errors on stdout). One spawn,
   * bounded by its start, not its length.
   */
  async exportTree(
    machine: string,
    paths: string[],
    sink: (chunk: Uint8Array) => Promise<void>,
  ): Promise<void> {
    const args = execArgv(
      containerName(machine),
      "root",
      checkedSessionArgv("root", exportTreeArgv(paths)),
    );
    // A failure before the command started (no start token) sent nothing on: safe to repeat.
    const res = await retryTransient<WslResult>(
      (_n) =>
        this.#withToken(async (token) => {
          const gate = stdoutGate(() => exists(token), sink);
          const r0 = await this.#exe.call(args, {
            ...this.#tokenCall({}, token),
            onStdout: (c: Uint8Array) => gate.sink(c),
          });
          if (r0.out.code === 0 || await exists(token)) {
            await gate.flush();
            return { value: r0 };
          }
          const r = { ...r0, text: `${decodeWslOutput(gate.held())}\n${r0.text}` };
          return isWslErrorExit(r0.out.code)
            ? { value: r, transient: "wsl.exe failed before the command started" }
            : { value: r };
        }),
      this.#exe.o.retry,
      this.#exe.o.debug,
      this.#exe.o.sleep,
    );
    const r = res.transient ? { ...res.value, kind: "transient" as const } : res.value;
    if (r.kind === "not-found") throw gone(machine);
    if (r.out.code === NOT_STARTED_EXIT) throw new NotRunningError(machine);
    if (r.out.code !== 0) throw this.#exe.fail(["tar", "of", machine], r);
  }

  #data(machine: string): string {
    return machinePaths(this.#paths, machine).data;
  }
}

/** A machine whose distro is not registered (never installed, or unregistered outside codchi). */
function gone(machine: string): NotFoundError {
  return new NotFoundError(
    `The WSL distro ${containerName(machine)} of machine "${machine}" is not registered ` +
      `(removed outside codchi?).`,
    `Install it again from the machine image with: codchi rebuild ${machine}`,
  );
}
