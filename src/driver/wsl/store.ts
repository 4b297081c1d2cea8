/** The `codchistore` distro: install on first use, start with a bounded health check, recover. */
import { machineOfContainer, STORE_CONTAINER } from "../../config/names.ts";
import { ConflictError, NotFoundError } from "../../errors.ts";
import type { Output, RunOpts } from "../../process.ts";
import type { Reporter, StoreDriver, StoreFile, StoreView } from "../types.ts";
import { NIX_PATHS } from "../../contract.ts";
import {
  EXEC_TOKEN_VAR,
  execArgv,
  listArgv,
  LOGIN_SHELL_ARGV,
  sessionArgv,
  setSparseArgv,
  storeApplyArgv,
  storeProbeArgv,
  storeWriteFileArgv,
  terminateArgv,
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
import type { WslExe } from "./exe.ts";
import { parseListVerbose } from "./parse.ts";
import type { Paths } from "../../config/paths.ts";
import { acquireLock, lockTimeoutMs } from "../../config/lock.ts";
import { hasJournal, journalFile, STORE_KEY } from "../../config/journal_files.ts";
import { faultPoint } from "../../fault.ts";

/** The journal's records (with their schema), loaded only when the store is made or settled. */
const journal = () => import("../../config/journal.ts");

/** What the store needs besides the door. */
export interface StoreOptions {
  /** The folder of the store's disk. */
  storeDir: string;
  storeImage: ImageRef;
  /** Run inside the store: exits 0 once the nix daemon answers. */
  probe: string[];
  view: StoreView;
  /** Host paths (the store's lock and journal record). */
  paths: Paths;
  /** Where the start tokens of calls live (codchi's runtime folder on the host). */
  runtimeDir: string;
  /**
   * The files handed into the store at each of its starts (CA bundle, proxy, caches). WSL starts
   * a distro by itself, so they go in once it is up, and what reads them is done again.
   */
  storeFiles?: () => Promise<StoreFile[]>;
  /**
   * The switches the files are made from that may change while the store runs (wsl-vpnkit's):
   * kept in this boot's marker, so a change is handed in at the next command.
   */
  storeFilesKey?: string;
}

/** The `codchi-vpnkit: …` lines of the store's apply step (vpnkit.sh), without the prefix. */
export function vpnkitLines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l.startsWith("codchi-vpnkit: "))
    .map((l) => l.slice("codchi-vpnkit: ".length));
}

/** The store distro of the WSL driver. */
export class WslStore implements StoreDriver {
  readonly view: StoreView;
  readonly #exe: WslExe;

  constructor(private readonly ctx: DistroCtx, private readonly o: StoreOptions) {
    this.#exe = ctx.exe;
    this.view = o.view;
  }

  async ensureRunning(reporter?: Reporter): Promise<void> {
    if (await hasJournal(this.o.paths, STORE_KEY)) {
      await this.#create(reporter);
      return await this.#handIn(reporter);
    }
    // With files to hand in, the probe also fails in a boot that has not got them yet.
    const argv = this.o.storeFiles
      ? storeProbeArgv(this.o.probe, this.o.storeFilesKey)
      : this.o.probe;
    const probe = await this.#exe.runIn(STORE_CONTAINER, argv);
    if (probe.out.code === 0) return; // one spawn when the store is up
    if (probe.kind === "not-found") {
      await this.#create(reporter);
      return await this.#handIn(reporter);
    }
    if (probe.kind && probe.kind !== "other") throw this.#exe.fail(this.o.probe, probe);
    await waitReady(this.ctx, STORE_CONTAINER, this.o.probe, "store");
    await this.#handIn(reporter);
  }

  /**
   * Hands the host's files in again now when the store runs (a switch changed, e.g. the tray's
   * wsl-vpnkit toggle); a stopped store gets them at its next start. Returns whether it ran.
   */
  async applyHostFiles(reporter?: Reporter): Promise<boolean> {
    if (!this.o.storeFiles) return false;
    // Any command in a stopped distro would start it: ask the list first.
    const list = await this.#exe.callRetry(listArgv());
    if (list.out.code !== 0) return false;
    const row = parseListVerbose(list.text).find((r) => r.name === STORE_CONTAINER);
    if (row?.state !== "Running") return false;
    await this.#handIn(reporter);
    return true;
  }

  /**
   * Hands the host's files into the running store (each written only when it differs), and when
   * one changed has the store read them again (set-up, nix daemon restart); then marks this boot.
   */
  async #handIn(reporter?: Reporter): Promise<void> {
    if (!this.o.storeFiles) return;
    let changed = false;
    for (const f of await this.o.storeFiles()) {
      const r = await this.#exe.runIn(STORE_CONTAINER, storeWriteFileArgv(f.path, f.mode), {
        stdin: f.data,
      });
      if (r.out.code !== 0) throw this.#exe.fail(["write", f.path], r); // names the path only
      if (r.out.text.split("\n").includes("changed")) changed = true;
    }
    const socket = `${NIX_PATHS.daemonSocketDir}/socket`;
    const r = await this.#exe.runIn(
      STORE_CONTAINER,
      storeApplyArgv(changed, socket, this.o.storeFilesKey),
    );
    for (const line of vpnkitLines(r.out.text)) {
      if (line.startsWith("warning: ")) reporter?.warn(`wsl-vpnkit: ${line.slice(9)}`);
      else this.#exe.o.debug(`wsl-vpnkit: ${line}`);
    }
    if (r.out.code !== 0) {
      throw this.#exe.fail(
        ["apply", "the host's files"],
        r,
        "The store did not take the host's CA bundle, proxy or wsl-vpnkit switch: run " +
          "`codchi store debug` and read /nix/var/log/nix/codchi-daemon.log (and " +
          "codchi-vpnkit.log), or `codchi store recover`.",
      );
    }
  }

  /**
   * Creates the store, serialized on its own lock and journaled (`journal/_store.json`, written
   * before the import): a killed creation is settled first (its half-made distro and disk are
   * removed), and the winner of a race is used as it is.
   */
  async #create(reporter?: Reporter): Promise<void> {
    const paths = this.o.paths;
    let waited = false;
    const lock = await acquireLock(
      `${paths.locksDir}/${STORE_KEY}.lock`,
      "The store",
      lockTimeoutMs(10 * 60_000),
      (holder) => {
        waited = true;
        reporter?.warn(`Waiting for another codchi creating the store (${holder})…`);
      },
    );
    try {
      await this.#settle(reporter);
      // Another codchi may have made it while this one waited for the lock.
      if (waited && await this.#registered()) {
        return await waitReady(this.ctx, STORE_CONTAINER, this.o.probe, "store");
      }
      // A disk left by an earlier install is not ours to remove: importDistro refuses it.
      const fresh = !(await exists(this.#disk()));
      const { JournalWriter } = await journal();
      const j = fresh
        ? await JournalWriter.begin(paths, STORE_KEY, "store", { made: ["container"] })
        : undefined;
      try {
        await this.#install(reporter);
        await j?.end();
      } catch (e) {
        // The import found a store (made by another codchi meanwhile): nothing of it is ours to
        // remove, and once registered it is used.
        if (e instanceof ConflictError) {
          await j?.end();
          if (await this.#registered()) {
            return await waitReady(this.ctx, STORE_CONTAINER, this.o.probe, "store");
          }
          throw e;
        }
        if (j) await this.#settle(reporter).catch(() => {});
        throw e;
      }
    } finally {
      lock.release();
    }
  }

  /** Whether the store distro is registered (one `--list --verbose`). */
  async #registered(): Promise<boolean> {
    const r = await this.#exe.callRetry(listArgv());
    if (r.out.code !== 0) {
      if (r.kind === "no-distros") return false;
      const q = await this.#exe.callRetry(["--list", "--quiet"]);
      if (q.out.code === 0 && q.text.trim() === "") return false;
      throw this.#exe.fail(listArgv(), r);
    }
    return parseListVerbose(r.text).some((row) => row.name === STORE_CONTAINER);
  }

  /** The store's disk file. */
  #disk(): string {
    return this.ctx.path.join(this.o.storeDir, "ext4.vhdx");
  }

  /** Removes what an unfinished store creation (its journal record) made: distro and disk. */
  async #settle(reporter?: Reporter): Promise<void> {
    const { JournalWriter, readJournal, settlePlan } = await journal();
    const j = await readJournal(this.o.paths, STORE_KEY);
    if (!j) return;
    reporter?.warn(`${settlePlan(j).message} (pid ${j.pid}).`);
    await discard(this.ctx, STORE_CONTAINER, this.o.storeDir, true);
    // The record is written only when no disk existed: one there now is the interrupted import's.
    await Deno.remove(this.#disk()).catch(() => {});
    await new JournalWriter(journalFile(this.o.paths, STORE_KEY), j).end();
  }

  /** First use: version check, import, sparse disk, start; a failure leaves no store behind. */
  async #install(reporter?: Reporter): Promise<void> {
    await this.#exe.checkVersion();
    const { dirExisted } = await importDistro(
      this.ctx,
      STORE_CONTAINER,
      this.o.storeDir,
      this.o.storeImage,
      reporter,
    );
    faultPoint("store _store: imported");
    try {
      const sparse = await this.#exe.callRetry(setSparseArgv(STORE_CONTAINER));
      if (sparse.kind === "sparse-disabled") {
        reporter?.warn(
          "This WSL refuses sparse disks; the store's disk will not shrink by itself.",
        );
      } else if (sparse.out.code !== 0) {
        throw this.#exe.fail(setSparseArgv(STORE_CONTAINER), sparse);
      }
      faultPoint("store _store: sparse");
      reporter?.step("Starting the store");
      await waitReady(this.ctx, STORE_CONTAINER, this.o.probe, "store");
    } catch (e) {
      this.#exe.o.debug("wsl: the store install failed; removing the half-made store");
      await discard(this.ctx, STORE_CONTAINER, this.o.storeDir, dirExisted);
      throw e;
    }
  }

  async run(argv: string[], opts: RunOpts = {}): Promise<Output> {
    const args = execArgv(STORE_CONTAINER, "root", sessionArgv("root", argv, opts.cwd ?? ""));
    const { env, cwd: _cwd, ...rest } = opts;
    const call = { ...rest, vars: env };
    // Retrying is safe only when WSL's error is visible and stdin can be replayed.
    const r = !opts.inherit && opts.stdin !== "inherit"
      ? await this.#exe.callRetry(args, call)
      : await this.#exe.call(args, call);
    if (r.kind === "not-found") {
      throw new NotFoundError("The store is not installed.", "Run `codchi rebuild <machine>`.");
    }
    if (opts.check !== false && r.out.code !== 0) throw this.#exe.fail(argv, r);
    return r.out;
  }

  async shell(argv: string[] = [], reporter?: Reporter): Promise<number> {
    // wsl.exe starts the distro itself; the daemon is not waited for (it may be what is broken).
    // The call is bounded by its start (a token file the login wrapper creates), not its length.
    const args = execArgv(
      STORE_CONTAINER,
      "root",
      sessionArgv("root", argv.length ? argv : LOGIN_SHELL_ARGV),
    );
    const once = async () => {
      await Deno.mkdir(this.o.runtimeDir, { recursive: true });
      const token = this.ctx.path.join(this.o.runtimeDir, `exec-${crypto.randomUUID()}`);
      try {
        return await this.#exe.call(args, {
          inherit: true,
          stdin: "inherit",
          vars: { [EXEC_TOKEN_VAR]: token },
          pathVars: [EXEC_TOKEN_VAR],
          startToken: token,
        });
      } finally {
        await Deno.remove(token).catch(() => {});
      }
    };
    if (!(await this.#installed())) await this.#install(reporter);
    return (await once()).out.code;
  }

  /** Whether the store distro is registered (one `--list` call). */
  async #installed(): Promise<boolean> {
    const list = await this.#exe.callRetry(listArgv());
    return list.out.code === 0 &&
      parseListVerbose(list.text).some((r) => r.name === STORE_CONTAINER);
  }

  async recover(reporter?: Reporter): Promise<void> {
    const backup = this.ctx.path.join(this.ctx.path.dirname(this.o.storeDir), "store-recover.tar");
    await recoverDistro(
      this.ctx,
      STORE_CONTAINER,
      backup,
      "nix",
      () => this.#install(reporter),
      reporter,
    );
  }

  /** Stops the running machines (they use the store's /nix), then the store. */
  async stop(): Promise<void> {
    const list = await this.#exe.callRetry(listArgv());
    if (list.out.code === 0) {
      for (const row of parseListVerbose(list.text)) {
        if (row.state === "Running" && machineOfContainer(row.name)) {
          await this.#exe.must(terminateArgv(row.name));
        }
      }
    }
    await this.#exe.must(terminateArgv(STORE_CONTAINER));
  }
}
