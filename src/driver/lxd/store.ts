/** The store container of the LXD driver: install, start, daemon wait, run, shell, recover. */
import { containerName, STORE_CONTAINER } from "../../config/names.ts";
import { BrokenError, ConflictError, TimeoutError } from "../../errors.ts";
import { acquireLock, lockTimeoutMs } from "../../config/lock.ts";
import { hasJournal, journalFile, STORE_KEY } from "../../config/journal_files.ts";

/** The journal's records (with their schema), loaded only when the store is made or settled. */
const journal = () => import("../../config/journal.ts");
import { type Output, type Runner, type RunOpts, toolError } from "../../process.ts";
import type { Reporter, StoreDriver, StoreFile, StoreView } from "../types.ts";
import { diskDevice, execArgv, loginArgv, startArgv } from "./argv.ts";
import {
  configSyncEntries,
  REMOTE_STORE,
  remoteConfig,
  remoteDiskProblem,
  remoteStoreDisks,
  remoteStoreView,
  remoteVolumes,
} from "./remote_layout.ts";
import { NIX_PATHS } from "../../contract.ts";
import {
  foreignStoreMounts,
  missingStoreMounts,
  storeConfig,
  storeDisks,
  storeHostDirs,
  storeView,
} from "./mounts.ts";
import { hostStateOf, isAlreadyRunning, type ListedContainer } from "./parse.ts";
import type { LxdInstances } from "./instances.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the store is built from, beside the instances it works on. */
export interface LxdStoreOptions {
  /** The process door, for the host's own `tar` (the remote store's config sync). */
  runner: Runner;
  /** Files pushed into the store before each start (the host's CA bundle and proxy). */
  storeFiles?: () => Promise<StoreFile[]>;
}

/** The store container. */
export class LxdStore implements StoreDriver {
  readonly view: StoreView;
  constructor(private readonly d: LxdInstances, private readonly o: LxdStoreOptions) {
    this.view = d.remote ? remoteStoreView() : storeView(d.paths, d.hostIds);
  }

  /** Why the store's devices are not its own (`devices` from the list), or undefined. */
  async #mountProblem(
    devices: Record<string, Record<string, string>> | undefined,
  ): Promise<{ missing?: string; foreign?: string }> {
    if (this.d.remote) {
      const p = remoteDiskProblem(
        remoteStoreDisks(this.d.project, await this.d.volumes.pool()),
        devices,
      );
      return p ? (/not mounted/.test(p) ? { missing: p } : { foreign: p }) : {};
    }
    return {
      missing: missingStoreMounts(this.d.paths, devices),
      foreign: foreignStoreMounts(this.d.paths, devices),
    };
  }

  /**
   * Installs and starts the store when needed and waits for its daemon (unless `daemon` is false:
   * `store debug` must work on a store whose daemon is dead); returns the list.
   */
  async ensureUp(reporter?: Reporter, { daemon = true } = {}): Promise<ListedContainer[]> {
    let listed = await this.d.listed();
    let store = listed.find((c) => c.name === STORE_CONTAINER);
    const paths = this.d.paths;
    if (!store || await hasJournal(paths, STORE_KEY)) {
      // Creating the store is serialized on its own lock; the winner's store is used as it is.
      const lock = await acquireLock(
        `${paths.locksDir}/${STORE_KEY}.lock`,
        "The store",
        lockTimeoutMs(10 * 60_000),
        (holder) => reporter?.warn(`Waiting for another codchi creating the store (${holder})…`),
      );
      try {
        await this.#settle(reporter);
        listed = await this.d.listed();
        store = listed.find((c) => c.name === STORE_CONTAINER);
        if (!store) {
          const { JournalWriter } = await journal();
          await this.d.ensureProject();
          const j = await JournalWriter.begin(paths, STORE_KEY, "store", { made: ["container"] });
          await this.install(reporter);
          await j.end();
          store = { name: STORE_CONTAINER, status: "Stopped" };
          listed = [...listed, store];
        }
      } finally {
        lock.release();
      }
    } else {
      const { missing } = await this.#mountProblem(store.devices);
      if (missing) {
        throw new BrokenError(
          `The store container ${STORE_CONTAINER} is incomplete: ${missing}.`,
          `Re-create it (keeping /nix) with: codchi store recover`,
        );
      }
    }
    const { foreign } = await this.#mountProblem(store.devices);
    if (foreign) {
      throw new ConflictError(
        `The container ${STORE_CONTAINER} belongs to another codchi data folder (${foreign}); ` +
          `its nix-daemon would never answer here.`,
        `Re-create the store for this folder with: codchi store recover ` +
          `(machines of the other folder stop working until it is re-created for them).`,
      );
    }
    if (!this.d.remote) {
      for (const dir of storeHostDirs(this.d.paths)) await Deno.mkdir(dir, { recursive: true });
    }
    if (store.status !== "Running") listed = await this.#start(listed, reporter);
    if (daemon) await this.waitDaemon();
    return listed;
  }

  /**
   * Starts the stopped store under the store's lock: two codchis starting it at once would push
   * its files side by side (LXD's file server resets one of them) and start it twice. The later
   * one finds it running and only waits for the daemon.
   */
  async #start(listed: ListedContainer[], reporter?: Reporter): Promise<ListedContainer[]> {
    const lock = await acquireLock(
      `${this.d.paths.locksDir}/${STORE_KEY}.lock`,
      "The store",
      lockTimeoutMs(10 * 60_000),
      (holder) => reporter?.warn(`Waiting for another codchi starting the store (${holder})…`),
    );
    try {
      const now = await this.d.listed();
      if (now.find((c) => c.name === STORE_CONTAINER)?.status === "Running") return now;
      // Read at the store's start (setup.sh, daemon.sh), so they go in before it.
      for (const f of await this.o.storeFiles?.() ?? []) {
        await this.d.pushTo(STORE_CONTAINER, f.path, f.data, f.mode);
      }
      reporter?.step("Starting the store");
      const out = await this.d.startContainer(STORE_CONTAINER, 60_000);
      if (out.code !== 0 && !isAlreadyRunning(out.errText)) {
        throw toolError(startArgv(this.d.bin, STORE_CONTAINER), out);
      }
      return listed;
    } finally {
      lock.release();
    }
  }

  async ensureRunning(reporter?: Reporter): Promise<void> {
    await this.ensureUp(reporter);
  }

  async install(reporter?: Reporter): Promise<void> {
    const p = this.d.paths;
    if (this.d.remote) {
      // On a remote, /nix is a volume of the server; the machines' volumes join at their build.
      await this.d.volumes.ensure([remoteVolumes(this.d.project).nix]);
      await this.d.createContainer(
        STORE_CONTAINER,
        "store",
        remoteConfig("store"),
        remoteStoreDisks(this.d.project, await this.d.volumes.pool()),
        [],
        reporter,
      );
      this.#synced = undefined;
      return;
    }
    await this.d.createContainer(
      STORE_CONTAINER,
      "store",
      storeConfig(this.d.hostIds),
      storeDisks(p).map(diskDevice),
      storeHostDirs(p),
      reporter,
    );
  }

  /** Waits (bounded) until the daemon socket accepts a connection (on a remote: exists). */
  async waitDaemon(): Promise<void> {
    if (this.d.remote) return await this.#waitRemoteDaemon();
    const socket = `${this.d.paths.storeDir}/var/nix/daemon-socket/socket`;
    const limit = this.d.timeouts.daemonMs;
    const deadline = Date.now() + limit;
    while (true) {
      try {
        const conn = await Deno.connect({ transport: "unix", path: socket });
        conn.close();
        return;
      } catch {
        if (Date.now() > deadline) {
          throw new TimeoutError(
            `The store's nix-daemon did not answer within ${limit / 1000} s.`,
            `Look inside with \`codchi store debug\` (journalctl -u codchi-nix-daemon).`,
          );
        }
        await sleep(100);
      }
    }
  }

  /** On a remote: the daemon socket appears in the store (bounded, one exec). */
  async #waitRemoteDaemon(): Promise<void> {
    const limit = this.d.timeouts.daemonMs;
    const socket = `${NIX_PATHS.daemonSocketDir}/socket`;
    const script = 'i=0; while [ ! -S "$1" ]; do i=$((i+1)); [ "$i" -gt "$2" ] && exit 3; ' +
      "sleep 0.1; done";
    const argv = execArgv(this.d.bin, STORE_CONTAINER, [
      "sh",
      "-c",
      script,
      "sh",
      socket,
      String(Math.ceil(limit / 100)),
    ], { tty: false });
    const out = await this.d.lxc.call(argv, { check: false, timeoutMs: limit + 30_000 });
    if (out.code === 3) {
      throw new TimeoutError(
        `The store's nix-daemon on ${this.d.remote} did not answer within ${limit / 1000} s.`,
        `Look inside with \`codchi store debug\` (journalctl -u codchi-nix-daemon).`,
      );
    }
    if (out.code !== 0) throw toolError(argv, out);
  }

  /** What was last handed to the remote store (machines and flake files), in this process. */
  #synced?: string;

  /**
   * On a remote, before the store runs anything: each machine of the config dir has its volumes
   * in the store, and the store has the machines' flakes and the driver flake (never a secret:
   * only flake.nix/flake.lock and driver-flake-* go). Only when they changed since the last time.
   */
  async #syncRemote(): Promise<void> {
    const paths = this.d.paths;
    const machines: { name: string; files: string[] }[] = [];
    const stamp: string[] = [];
    for await (const e of readDirOrEmpty(paths.machinesDir)) {
      if (!e.isDirectory) continue;
      const files: string[] = [];
      for await (const f of readDirOrEmpty(`${paths.machinesDir}/${e.name}`)) {
        if (!f.isFile) continue;
        files.push(f.name);
      }
      if (!files.includes("machine.json")) continue;
      machines.push({ name: e.name, files });
    }
    const flakes: string[] = [];
    for await (const e of readDirOrEmpty(paths.configDir)) {
      if (e.isDirectory) flakes.push(e.name);
    }
    const entries = configSyncEntries(machines, flakes);
    for (const e of entries) {
      const st = await Deno.stat(`${paths.configDir}/${e}`);
      stamp.push(`${e}:${st.size}:${st.mtime?.getTime()}`);
    }
    const key = [...machines.map((m) => m.name).sort(), ...stamp].join("\n");
    if (key === this.#synced) return;
    for (const m of machines) await this.d.volumes.ensureMachine(m.name);
    if (entries.length > 0) {
      const tar = await this.o.runner.run([
        "tar",
        "-C",
        paths.configDir,
        "-cf",
        "-",
        "--",
        ...entries,
      ]);
      const argv = execArgv(this.d.bin, STORE_CONTAINER, [
        "sh",
        "-c",
        'mkdir -p "$1" && tar -x -C "$1" -f -',
        "sh",
        REMOTE_STORE.config,
      ], { tty: false });
      await this.d.lxc.call(argv, { stdin: tar.stdout });
    }
    this.#synced = key;
  }

  async run(argv: string[], opts: RunOpts = {}): Promise<Output> {
    if (this.d.remote) await this.#syncRemote();
    const { env, cwd, ...rest } = opts;
    const a = execArgv(this.d.bin, STORE_CONTAINER, argv, { tty: false, env, cwd });
    return await this.d.lxc.call(a, { ...rest, stdin: opts.stdin });
  }

  async shell(argv: string[] = [], reporter?: Reporter): Promise<number> {
    // Up, but never waiting for the daemon: this is the tool for a store whose daemon is dead.
    await this.ensureUp(reporter, { daemon: false });
    const tty = Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
    const a = execArgv(this.d.bin, STORE_CONTAINER, loginArgv(argv), { tty });
    const out = await this.d.lxc.raw(a, { stdin: "inherit", inherit: true, check: false });
    return out.code;
  }

  async recover(reporter?: Reporter): Promise<void> {
    const paths = this.d.paths;
    const lock = await acquireLock(
      `${paths.locksDir}/${STORE_KEY}.lock`,
      "The store",
      lockTimeoutMs(),
      (holder) => reporter?.warn(`Waiting for another codchi working on the store (${holder})…`),
    );
    try {
      reporter?.step("Re-creating the store container (keeping /nix)");
      const { JournalWriter } = await journal();
      const j = await JournalWriter.begin(paths, STORE_KEY, "store", { made: ["container"] });
      await this.d.removeContainer(STORE_CONTAINER);
      await this.install(reporter);
      await j.end();
    } finally {
      lock.release();
    }
    await this.ensureUp(reporter);
  }

  /** Removes the half-made store a killed codchi left (hold the store's lock). */
  async #settle(reporter?: Reporter): Promise<void> {
    const { JournalWriter, readJournal, settlePlan } = await journal();
    const j = await readJournal(this.d.paths, STORE_KEY);
    if (!j) return;
    const plan = settlePlan(j);
    reporter?.warn(`${plan.message} (pid ${j.pid}).`);
    if (plan.remove.includes("container")) await this.d.removeContainer(STORE_CONTAINER);
    await new JournalWriter(journalFile(this.d.paths, STORE_KEY), j).end();
  }

  async alive(): Promise<boolean> {
    if (this.d.remote) {
      const argv = execArgv(this.d.bin, STORE_CONTAINER, [
        "test",
        "-S",
        `${NIX_PATHS.daemonSocketDir}/socket`,
      ], { tty: false });
      return (await this.d.lxc.call(argv, { check: false })).code === 0;
    }
    try {
      const conn = await Deno.connect({
        transport: "unix",
        path: `${this.d.paths.storeDir}/var/nix/daemon-socket/socket`,
      });
      conn.close();
      return true;
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    const st = hostStateOf(await this.d.listed());
    await Promise.all(
      [...st.machines].filter(([, m]) => m.running).map(([name]) =>
        this.d.stopContainer(containerName(name))
      ),
    );
    if (st.store.running) await this.d.stopContainer(STORE_CONTAINER);
  }
}

/** The entries of a folder, none when it does not exist. */
async function* readDirOrEmpty(dir: string): AsyncGenerator<Deno.DirEntry> {
  try {
    yield* Deno.readDir(dir);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}
