/** The store container of the LXD driver: install, start, daemon wait, run, shell, recover. */
import { STORE_CONTAINER } from "../../config/names.ts";
import { BrokenError, ConflictError, TimeoutError } from "../../errors.ts";
import { acquireLock, lockTimeoutMs } from "../../config/lock.ts";
import { hasJournal, journalFile, STORE_KEY } from "../../config/journal_files.ts";

/** The journal's records (with their schema), loaded only when the store is made or settled. */
const journal = () => import("../../config/journal.ts");
import type { Paths } from "../../config/paths.ts";
import { type Output, type Runner, type RunOpts, toolError } from "../../process.ts";
import type { HostState, Reporter, StoreDriver, StoreFile, StoreView } from "../types.ts";
import { execArgv, loginArgv, type LxcBinary, startArgv } from "./argv.ts";
import type { ImageKind } from "./images.ts";
import { inProject } from "./project.ts";
import {
  foreignStoreMounts,
  type HostIds,
  missingStoreMounts,
  storeConfig,
  storeDisks,
  storeHostDirs,
  storeView,
} from "./mounts.ts";
import { isAlreadyRunning, type ListedContainer } from "./parse.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the store needs from the LXD driver (LxdDriver in mod.ts is one). */
export interface LxdStoreHost {
  readonly paths: Paths;
  readonly hostIds: HostIds;
  readonly timeouts: { readonly daemonMs: number };
  readonly bin: LxcBinary;
  readonly runner: Runner;
  /** Runs an lxc/incus argv. */
  lxc(argv: string[], opts?: RunOpts): Promise<Output>;
  /** Every codchi container, listed in one call. */
  listed(): Promise<ListedContainer[]>;
  /** Creates a container with its config and disks (removed again on failure). */
  createContainer(
    container: string,
    kind: ImageKind,
    config: Record<string, string>,
    disks: ReturnType<typeof storeDisks>,
    hostDirs: string[],
    reporter?: Reporter,
  ): Promise<void>;
  removeContainer(container: string): Promise<void>;
  stopContainer(container: string, force?: boolean): Promise<void>;
  stop(machine: string, force?: boolean): Promise<void>;
  states(): Promise<HostState>;
  /** The LXD/Incus project every call goes to (project.ts). */
  readonly project: string;
  /** Makes the data folder's project when missing and pins its name (before the store). */
  ensureProject(): Promise<void>;
  /** Files pushed into the store before each start (the host's CA bundle and proxy). */
  readonly storeFiles?: () => Promise<StoreFile[]>;
  /** Writes a file into a container, running or stopped. */
  pushTo(container: string, path: string, data: Uint8Array, mode: number): Promise<void>;
}

/** The store container. */
export class LxdStore implements StoreDriver {
  readonly view: StoreView;
  constructor(private readonly d: LxdStoreHost) {
    this.view = storeView(d.paths, d.hostIds);
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
      const missing = missingStoreMounts(paths, store.devices);
      if (missing) {
        throw new BrokenError(
          `The store container ${STORE_CONTAINER} is incomplete: ${missing}.`,
          `Re-create it (keeping /nix) with: codchi store recover`,
        );
      }
    }
    const foreign = foreignStoreMounts(this.d.paths, store.devices);
    if (foreign) {
      throw new ConflictError(
        `The container ${STORE_CONTAINER} belongs to another codchi data folder (${foreign}); ` +
          `its nix-daemon would never answer here.`,
        `Re-create the store for this folder with: codchi store recover ` +
          `(machines of the other folder stop working until it is re-created for them).`,
      );
    }
    for (const dir of storeHostDirs(this.d.paths)) await Deno.mkdir(dir, { recursive: true });
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
      for (const f of await this.d.storeFiles?.() ?? []) {
        await this.d.pushTo(STORE_CONTAINER, f.path, f.data, f.mode);
      }
      reporter?.step("Starting the store");
      const argv = startArgv(this.d.bin, STORE_CONTAINER);
      const out = await this.d.lxc(argv, { check: false, timeoutMs: 60_000 });
      if (out.code !== 0 && !isAlreadyRunning(out.errText)) throw toolError(argv, out);
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
    await this.d.createContainer(
      STORE_CONTAINER,
      "store",
      storeConfig(this.d.hostIds),
      storeDisks(p),
      storeHostDirs(p),
      reporter,
    );
  }

  /** Waits (bounded) until the daemon socket on the host accepts a connection. */
  async waitDaemon(): Promise<void> {
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

  run(argv: string[], opts: RunOpts = {}): Promise<Output> {
    const { env, cwd, ...rest } = opts;
    const a = execArgv(this.d.bin, STORE_CONTAINER, argv, { tty: false, env, cwd });
    return this.d.lxc(a, { ...rest, stdin: opts.stdin });
  }

  async shell(argv: string[] = [], reporter?: Reporter): Promise<number> {
    // Up, but never waiting for the daemon: this is the tool for a store whose daemon is dead.
    await this.ensureUp(reporter, { daemon: false });
    const tty = Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
    const a = inProject(
      execArgv(this.d.bin, STORE_CONTAINER, loginArgv(argv), { tty }),
      this.d.project,
    );
    const out = await this.d.runner.run(a, { stdin: "inherit", inherit: true, check: false });
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
    const st = await this.d.states();
    await Promise.all(
      [...st.machines].filter(([, m]) => m.running).map(([name]) => this.d.stop(name)),
    );
    if (st.store.running) await this.d.stopContainer(STORE_CONTAINER);
  }
}
