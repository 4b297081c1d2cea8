/**
 * An in-memory host driver for unit tests of the core: it keeps containers, the store's nix
 * profiles and the files pushed into machines in maps, logs every verb in order (`calls`) and
 * counts what a real driver would spawn (`spawns`). Host-side work that the real drivers do with
 * host tools (`exportTree`: `tar` of the machine's home, like LXD) is done for real.
 *
 * It reads the store's nix commands from the argv the real builders in src/nix make, so a change
 * there that the fake does not know fails loudly (exit 127) instead of passing silently. Never
 * imported by src/ (tests/errors_test.ts checks), so the CLI can never reach it.
 */
import { machinePaths, type Paths } from "../../src/config/paths.ts";
import { ENV_FILE } from "../../src/contract.ts";
import { WRITE_CA_ARGV } from "../../src/core/host_ca.ts";
import { WRITE_PROXY_ARGV } from "../../src/core/host_proxy.ts";
import type {
  Driver,
  DriverDiagnosis,
  DriverName,
  ExecOpts,
  ExecOutcome,
  HostState,
  MachineEnv,
  NixosDriverModule,
  Reporter,
  StoreDriver,
  StoreView,
  UsbSupport,
} from "../../src/driver/types.ts";
import type { HostUsbDevice } from "../../src/usb/id.ts";
import { ConflictError, NotFoundError, NotRunningError, ToolError } from "../../src/errors.ts";
import { SECRETS_ATTR, SYSTEM_ATTR } from "../../src/nix/argv.ts";
import { makeOutput, type Output, ProcessRunner, type RunOpts } from "../../src/process.ts";

/** A file pushed or written into a fake machine. */
export interface FakeFile {
  data: Uint8Array;
  mode: number;
  owner: { uid: number; gid: number };
}

/** One fake container/distro. */
export interface FakeMachine {
  running: boolean;
  /** The env the last start gave it. */
  env?: MachineEnv;
  /** Files inside the machine by absolute path. */
  files: Map<string, FakeFile>;
  /** How many times it was started. */
  starts: number;
  /** USB ids the running machine carries (start, or `usb.apply`). */
  usb: string[];
}

/** What the fake offers beyond the required verbs. */
export interface FakeDriverOptions {
  name?: DriverName;
  /** Like WSL: the driver owns the machine's data folder (its disk). */
  managesMachineData?: boolean;
  /** The host's USB devices; absent: the driver has no USB support. */
  usb?: HostUsbDevice[];
  /** Whether the driver can re-create a machine's container (`recover`); default true. */
  recover?: boolean;
}

/** What a flake exports, as `nix eval <url>#<output> --apply builtins.attrNames` would say. */
export interface FakeFlake {
  nixosModules?: string[];
  codchiModules?: string[];
  /** Whether the flake has its own `nixpkgs` input (`nix flake metadata`). */
  nixpkgs?: boolean;
  /** Its `nixConfig` (read by importing its flake.nix). */
  nixConfig?: Record<string, unknown>;
}

/** Handles a machine exec the fake does not model itself; undefined: exit 0, no output. */
export type ExecHandler = (
  machine: string,
  argv: string[],
  opts: ExecOpts,
) => Output | undefined;

const enc = new TextEncoder();
const dec = new TextDecoder();
const NIX_SUBCOMMANDS = new Set(["build", "eval", "flake", "profile", "store"]);

function ok(text = "", err = ""): Output {
  return makeOutput(0, enc.encode(text), enc.encode(err));
}

function fail(code: number, err: string): Output {
  return makeOutput(code, new Uint8Array(), enc.encode(err));
}

/** A short, stable hash (hex) of some text, for fake store paths. */
async function shortHash(text: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(text)));
  return [...d.slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** The in-memory driver. */
export class FakeDriver implements Driver {
  /** Every verb in call order, e.g. `install a`, `exec a root sh`, `store nix build`. */
  readonly calls: string[] = [];
  readonly machines = new Map<string, FakeMachine>();
  /** Store state. */
  readonly storeState = { installed: false, running: false };
  /** profile path (as the store sees it) → system store paths, oldest first. */
  readonly profiles = new Map<string, string[]>();
  /** Declared secrets per machine (what evaluating `codchi.secrets.env` gives). */
  readonly declared = new Map<string, { name: string; description: string }[]>();
  /** Flakes the fake store can evaluate, by the URL the store sees. */
  readonly flakes = new Map<string, FakeFlake>();
  /** Flake sources `nix flake metadata` fetched, by store path. */
  readonly #sources = new Map<string, FakeFlake>();
  /** stdin of the store commands that got credentials (for asserting they never hit argv). */
  readonly credentialStdin: string[] = [];
  /** Host processes (tar), counted. */
  readonly runner = new ProcessRunner(false);
  /**
   * What `codchi doctor`'s probes of this driver say (CoreContext.diagnoseDriver); by default a
   * healthy host: the client found, the daemon answering, the user in its group.
   */
  diagnosis: DriverDiagnosis;
  /** Exec results for commands the fake does not model. */
  onExec?: ExecHandler;
  /** Generations dropped since the last `nix store gc`. */
  #garbage = 0;
  #failures: { pattern: RegExp; error: () => Error; once: boolean }[] = [];
  #lockUpdates = 0;
  readonly store: StoreDriver;
  readonly name: DriverName;
  /** The NixOS module the real driver of this name states (WSL: wsl; LXD and Incus: lxd). */
  readonly nixosModule: NixosDriverModule;
  /** As the real drivers: every one hands in the host's CA bundle (WSL: Windows' store's). */
  readonly handsInHostCa: boolean;
  readonly managesMachineData: boolean;
  readonly usb?: UsbSupport;
  recover?: (machine: string, reporter?: Reporter) => Promise<void>;

  constructor(readonly paths: Paths, opts: FakeDriverOptions = {}) {
    this.name = opts.name ?? "lxd";
    this.nixosModule = this.name === "wsl" ? "wsl" : "lxd";
    this.handsInHostCa = true;
    this.managesMachineData = opts.managesMachineData ?? false;
    this.diagnosis = this.name === "wsl"
      ? { kind: "wsl", wslPath: "C:\\Windows\\System32\\wsl.exe", wslVersion: "2.3.26.0" }
      : {
        kind: "lxd",
        cliPath: `/usr/bin/${this.name === "incus" ? "incus" : "lxc"}`,
        daemon: { ok: true },
        permission: {
          user: "alice",
          group: this.name === "incus" ? "incus-admin" : "lxd",
          ok: true,
        },
      };
    if (opts.usb) {
      const devices = opts.usb;
      this.usb = {
        list: () => {
          this.#log("usb list");
          return Promise.resolve(devices.map((d) => ({ ...d })));
        },
        apply: (machine, ids) => {
          this.#log(`usb apply ${machine} ${ids.join(",")}`);
          const m = this.#machine(machine);
          if (!m.running) throw new NotRunningError(machine);
          m.usb = [...ids];
          return Promise.resolve();
        },
      };
    }
    if (opts.recover !== false) {
      // Like the real ones: a new container from the image, stopped; home and profile stay.
      this.recover = (machine) => {
        this.#log(`recover ${machine}`);
        const old = this.machines.get(machine);
        if (old?.running) throw new ToolError("lxc", `"${machine}" must be stopped first.`);
        this.machines.set(machine, { running: false, files: new Map(), starts: 0, usb: [] });
        return Promise.resolve();
      };
    }
    const view: StoreView = {
      configDir: paths.configDir,
      profilesDir: (m) => machinePaths(paths, m).profilesDir,
      machineHome: (m) => machinePaths(paths, m).data,
      machineOwner: { uid: 1000, gid: 100 },
    };
    this.store = {
      view,
      ensureRunning: () => {
        this.#log("store ensureRunning");
        this.storeState.installed = true;
        this.storeState.running = true;
        return Promise.resolve();
      },
      run: (argv, opts) => this.#storeRun(argv, opts),
      shell: (argv = []) => {
        // Like the real drivers: the store is brought up, its daemon not waited for.
        this.#log(`store shell${argv.length ? ` ${argv.join(" ")}` : ""}`);
        this.storeState.installed = true;
        return Promise.resolve(0);
      },
      recover: () => {
        this.#log("store recover");
        this.storeState.installed = true;
        return Promise.resolve();
      },
      stop: () => {
        this.#log("store stop");
        for (const m of this.machines.values()) m.running = false;
        this.storeState.running = false;
        return Promise.resolve();
      },
      alive: () => Promise.resolve(this.storeState.running),
    };
  }

  /** Processes a real driver would have spawned: one per verb, plus host tools run for real. */
  get spawns(): number {
    return this.calls.length + this.runner.spawns;
  }

  /**
   * Makes the first call (or every call, `once: false`) whose log line matches `pattern` throw
   * `error` instead of doing its work.
   */
  failOn(pattern: RegExp, error: () => Error, once = true): void {
    this.#failures.push({ pattern, error, once });
  }

  /** Drops every failure set with `failOn`. */
  clearFailures(): void {
    this.#failures = [];
  }

  /** Calls so far whose log line matches `pattern`. */
  callsMatching(pattern: RegExp): string[] {
    return this.calls.filter((c) => pattern.test(c));
  }

  #log(line: string): void {
    this.calls.push(line);
    const i = this.#failures.findIndex((f) => f.pattern.test(line));
    if (i >= 0) {
      const f = this.#failures[i];
      if (f.once) this.#failures.splice(i, 1);
      throw f.error();
    }
  }

  #machine(name: string): FakeMachine {
    const m = this.machines.get(name);
    if (!m) {
      throw new NotFoundError(`The container of machine "${name}" does not exist.`);
    }
    return m;
  }

  states(): Promise<HostState> {
    this.#log("states");
    const machines = new Map<string, { running: boolean }>();
    for (const [n, m] of this.machines) machines.set(n, { running: m.running });
    return Promise.resolve({ store: { ...this.storeState }, machines });
  }

  install(machine: string, _reporter?: Reporter): Promise<void> {
    this.#log(`install ${machine}`);
    if (this.machines.has(machine)) {
      throw new ConflictError(`The container of "${machine}" exists already.`);
    }
    this.machines.set(machine, { running: false, files: new Map(), starts: 0, usb: [] });
    return Promise.resolve();
  }

  start(machine: string, env: MachineEnv, _reporter?: Reporter): Promise<void> {
    this.#log(`start ${machine}`);
    const m = this.#machine(machine);
    this.storeState.installed = true;
    this.storeState.running = true;
    m.files.set(ENV_FILE, { data: env.envFile, mode: 0o600, owner: { uid: 0, gid: 0 } });
    m.env = env;
    m.running = true;
    m.starts++;
    m.usb = [...(env.usb ?? [])];
    return Promise.resolve();
  }

  async exec(machine: string, argv: string[], opts: ExecOpts = {}): Promise<Output> {
    const o = await this.execIfRunning(machine, argv, opts);
    if (!o.ran) throw new NotRunningError(machine);
    return o.out;
  }

  /** As LXD's: after an exec's exit 1, whether the machine still runs; a gone one NotFoundError. */
  runningAfterExit1(machine: string): Promise<boolean> {
    this.#log(`runningAfterExit1 ${machine}`);
    return Promise.resolve(this.#machine(machine).running);
  }

  /** As the real drivers: a stopped machine is the `not-running` outcome, nothing runs. */
  execIfRunning(machine: string, argv: string[], opts: ExecOpts = {}): Promise<ExecOutcome> {
    this.#log(`exec ${machine} ${opts.user ?? "codchi"} ${argv.join(" ")}`);
    const m = this.#machine(machine);
    if (!m.running) return Promise.resolve({ ran: false, state: "not-running" });
    const writer = [WRITE_CA_ARGV, WRITE_PROXY_ARGV].find((w) =>
      w.length === argv.length && w.slice(0, -1).every((a, i) => a === argv[i])
    );
    if (writer && opts.user === "root") {
      const data = typeof opts.stdin === "string"
        ? enc.encode(opts.stdin)
        : opts.stdin instanceof Uint8Array
        ? opts.stdin
        : new Uint8Array();
      const path = argv.at(-1)!;
      if (data.length === 0 && writer === WRITE_PROXY_ARGV) m.files.delete(path);
      else m.files.set(path, { data, mode: 0o644, owner: { uid: 0, gid: 0 } });
      return Promise.resolve({ ran: true, out: ok() });
    }
    return Promise.resolve({ ran: true, out: this.onExec?.(machine, argv, opts) ?? ok() });
  }

  pushFile(
    machine: string,
    path: string,
    data: Uint8Array,
    mode: number,
    owner = { uid: 0, gid: 0 },
  ): Promise<void> {
    this.#log(`pushFile ${machine} ${path}`);
    const m = this.#machine(machine);
    if (!m.running) throw new NotRunningError(machine);
    m.files.set(path, { data: data.slice(), mode, owner });
    return Promise.resolve();
  }

  stop(machine: string, force = false): Promise<void> {
    this.#log(`stop ${machine}${force ? " force" : ""}`);
    this.#machine(machine).running = false;
    return Promise.resolve();
  }

  remove(machine: string): Promise<void> {
    this.#log(`remove ${machine}`);
    const m = this.#machine(machine);
    // Like `lxc delete` without --force: a running container is refused.
    if (m.running) throw new ToolError("lxc", `The container of "${machine}" is running.`);
    this.machines.delete(machine);
    return Promise.resolve();
  }

  duplicate(from: string, to: string, _reporter?: Reporter): Promise<void> {
    this.#log(`duplicate ${from} ${to}`);
    const src = this.#machine(from);
    if (src.running) throw new ToolError("lxc", `"${from}" must be stopped to be copied.`);
    if (this.machines.has(to)) throw new ConflictError(`The container of "${to}" exists.`);
    this.machines.set(to, { running: false, files: new Map(src.files), starts: 0, usb: [] });
    return Promise.resolve();
  }

  /** Removes the store and every machine image (after the machines are gone). */
  uninstall(): Promise<string[]> {
    this.#log("uninstall");
    if (this.machines.size) throw new ToolError("lxc", "machines are left");
    this.storeState.installed = false;
    this.storeState.running = false;
    this.profiles.clear();
    return Promise.resolve(["the store container", "the machine image"]);
  }

  async exportTree(
    machine: string,
    paths: string[],
    sink: (chunk: Uint8Array) => Promise<void>,
  ): Promise<void> {
    this.#log(`exportTree ${machine} ${paths.join(" ")}`);
    if (!this.#machine(machine).running) throw new NotRunningError(machine);
    // The machine's home is a host folder (as on LXD): a real tar of it, named as in the machine.
    const home = machinePaths(this.paths, machine).data;
    await this.runner.run(
      ["tar", "--numeric-owner", "-C", home, "--transform", "s,^\\.,home/codchi,", "-cf", "-", "."],
      { onStdout: sink },
    );
  }

  async #storeRun(argv: string[], opts: RunOpts = {}): Promise<Output> {
    let cmd = argv;
    if (argv[0] === "sh" && argv[1] === "-c" && argv[3] === "codchi-credentials") {
      cmd = argv.slice(4);
      const stdin = opts.stdin;
      this.credentialStdin.push(
        typeof stdin === "string" ? stdin : dec.decode(stdin as Uint8Array),
      );
    }
    const out = await this.#storeCommand(cmd);
    if (out.code !== 0 && opts.check !== false) {
      throw new ToolError(cmd[0], `${cmd[0]} failed in the fake store`, out.errText, out.code);
    }
    return out;
  }

  async #storeCommand(argv: string[]): Promise<Output> {
    if (argv[0] === "readlink") {
      this.#log(`store readlink`);
      const gens = this.profiles.get(argv.at(-1)!);
      return gens?.length ? ok(gens.at(-1)! + "\n") : fail(1, "");
    }
    if (argv[0] === "sh" && argv[1] === "-c" && argv[2].includes("share/codchi")) {
      this.#log(`store apps`);
      return ok(); // a system without apps: an empty stdout
    }
    if (argv[0] !== "nix") {
      this.#log(`store ${argv[0]}`);
      return fail(127, `fake store: unknown command ${argv[0]}`);
    }
    const i = argv.findIndex((a) => NIX_SUBCOMMANDS.has(a));
    const sub = argv.slice(i);
    this.#log(
      `store nix ${sub[0]}${["flake", "profile", "store"].includes(sub[0]) ? ` ${sub[1]}` : ""}`,
    );
    const target = sub.find((a) => a.includes("#"));
    if (sub[0] === "eval" && target?.endsWith(`#${SECRETS_ATTR}`)) {
      const machine = this.#machineOfFlake(target);
      return ok(JSON.stringify(this.declared.get(machine) ?? []));
    }
    if (sub[0] === "eval" && target) {
      const [url, output] = [target.slice(0, target.lastIndexOf("#")), target.split("#").at(-1)!];
      const flake = this.flakes.get(url);
      if (!flake) return fail(1, `error: cannot fetch flake '${url}'`);
      const names = flake[output as keyof FakeFlake];
      if (!names) return fail(1, `error: flake '${url}' does not provide attribute '${output}'`);
      return ok(JSON.stringify(names));
    }
    if (sub[0] === "flake" && sub[1] === "metadata") {
      // An unregistered flake reads as one without inputs (as the fake builds any flake).
      const url = sub.at(-1)!;
      const flake = this.flakes.get(url) ?? {};
      const path = `/nix/store/${await shortHash(url)}-source`;
      this.#sources.set(path, flake);
      const inputs = flake.nixpkgs ? { nixpkgs: "nixpkgs" } : {};
      return ok(
        JSON.stringify({ url, path, locks: { root: "root", nodes: { root: { inputs } } } }),
      );
    }
    if (sub[0] === "eval" && sub.includes("--expr")) {
      const expr = sub[sub.indexOf("--expr") + 1];
      const m = /^\(import "(\/nix\/store\/[^"]+)\/flake\.nix"\)\.nixConfig or \{ \}$/.exec(expr);
      const flake = m ? this.#sources.get(m[1]) : undefined;
      if (!flake) return fail(1, `error: fake store: cannot evaluate ${expr}`);
      return ok(JSON.stringify(flake.nixConfig ?? {}));
    }
    if (sub[0] === "build" && target?.endsWith(`#${SYSTEM_ATTR}`)) {
      const machine = this.#machineOfFlake(target);
      const mp = machinePaths(this.paths, machine);
      const flake = await readText(mp.flake);
      if (flake === undefined) return fail(1, `error: path '${mp.dir}/flake.nix' does not exist`);
      const profile = sub[sub.indexOf("--profile") + 1];
      const system = `/nix/store/${await shortHash(flake + (await readText(mp.lock) ?? ""))}-` +
        `nixos-system-${machine}`;
      const gens = this.profiles.get(profile) ?? [];
      if (gens.at(-1) !== system) gens.push(system);
      this.profiles.set(profile, gens);
      return ok();
    }
    if (sub[0] === "flake" && (sub[1] === "update" || sub[1] === "lock")) {
      const machine = this.#machineOfFlake(sub[2]);
      await Deno.writeTextFile(
        machinePaths(this.paths, machine).lock,
        JSON.stringify({ version: 7, fakeUpdate: ++this.#lockUpdates }) + "\n",
      );
      return ok();
    }
    if (sub[0] === "profile" && sub[1] === "wipe-history") {
      const profile = sub[sub.indexOf("--profile") + 1];
      const gens = this.profiles.get(profile) ?? [];
      this.#garbage += Math.max(0, gens.length - 1);
      this.profiles.set(profile, gens.slice(-1));
      return ok();
    }
    if (sub[0] === "store" && sub[1] === "gc") {
      const n = this.#garbage;
      this.#garbage = 0;
      return ok("", `${n} store paths deleted, ${(n * 1.5).toFixed(2)} MiB freed\n`);
    }
    return fail(127, `fake store: unknown nix command ${sub.join(" ")}`);
  }

  #machineOfFlake(ref: string): string {
    const path = ref.replace(/^path:/, "").replace(/#.*$/, "");
    const prefix = `${this.paths.configDir}/machines/`;
    if (!path.startsWith(prefix)) throw new Error(`fake store: not a machine flake: ${ref}`);
    return path.slice(prefix.length);
  }
}
