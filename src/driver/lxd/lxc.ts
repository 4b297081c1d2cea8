/**
 * LXD's call wrapper (`Lxc`: every lxc/incus call of the driver and its store goes through it), and
 * its one listing of every codchi container: the listing and the error mapping are shared with
 * `status`'s fast path (cli/status_fast.ts), so both report the same states and the same errors.
 * Kept free of remote.ts (the fast path loads this file): a remote is handed in as `LxcRemote`.
 */
import { STORE_CONTAINER } from "../../config/names.ts";
import type { Paths } from "../../config/paths.ts";
import { PrerequisiteError, TimeoutError } from "../../errors.ts";
import { type Output, type Runner, type RunOpts, toolError } from "../../process.ts";
import type { HostState } from "../types.ts";
import { DEFAULT_PROJECT, inProject, listArgv, type LxcBinary } from "./argv.ts";
import { foreignStoreMounts, missingStoreMounts } from "./mounts.ts";
import { hostStateOf, isProjectMissing, type ListedContainer, parseList } from "./parse.ts";

/** Where lxc/incus calls go: the client, its project (and remote), and the process door. */
export interface LxcTarget {
  bin: LxcBinary;
  project: string;
  runner: Runner;
  /** Aims an argv of our builders at the project (and remote). */
  aim(argv: string[]): string[];
  /** The remote server the calls go to (undefined: the local daemon). */
  readonly remote?: string;
  /**
   * The error for a remote's failure in `err` (unreachable, untrusted: remote.ts), else
   * undefined; only with a remote (the driver has it; no fast path loads it).
   */
  remoteFailure?(err: string): Error | undefined;
}

/** A remote server the calls go to: its name, the aiming of an argv at it, its failures (remote.ts). */
export interface LxcRemote {
  readonly name: string;
  /** `argv` (of our builders, before `--project`) aimed at the remote. */
  on(argv: string[]): string[];
  /** The error for the remote's failure in `err` (unreachable, untrusted), else undefined. */
  failure(err: string): Error | undefined;
}

/** What LXD's call wrapper is built from. */
export interface LxcOptions {
  bin: LxcBinary;
  project: string;
  runner: Runner;
  /** The remote server; default: the local daemon. */
  remote?: LxcRemote;
}

/** LXD's call wrapper: the client, its project (and remote), and the process door. */
export class Lxc implements LxcTarget {
  readonly bin: LxcBinary;
  readonly project: string;
  readonly runner: Runner;
  readonly remote?: string;
  readonly #remote?: LxcRemote;

  constructor(o: LxcOptions) {
    this.bin = o.bin;
    this.project = o.project;
    this.runner = o.runner;
    this.remote = o.remote?.name;
    this.#remote = o.remote;
  }

  /** An argv of our builders aimed at the remote (when there is one) and the project. */
  aim(argv: string[]): string[] {
    return inProject(this.serverArgv(argv), this.project);
  }

  /** The error for a failure of the remote in `err` (see LxcTarget.remoteFailure). */
  remoteFailure(err: string): Error | undefined {
    return this.#remote?.failure(err);
  }

  /**
   * One call, aimed; a daemon that cannot be reached, a remote's failure and a timeout become
   * typed errors, any other failure too unless `opts.check` is false (see runLxc).
   */
  call(argv: string[], opts: RunOpts = {}): Promise<Output> {
    return runLxc(this, argv, opts);
  }

  /** One call, aimed, its output as it is: the caller reads every failure (polls). */
  raw(argv: string[], opts: RunOpts = {}): Promise<Output> {
    return this.runner.run(this.aim(argv), { check: false, ...opts });
  }

  /**
   * One call of an argv already aimed (`machineExecArgv` aims its own, as `exec`'s fast path
   * spawns it), its output as it is.
   */
  spawn(aimed: string[], opts: RunOpts = {}): Promise<Output> {
    return this.runner.run(aimed, { check: false, ...opts });
  }

  /** One call about a project itself (show, create, delete): aimed at the remote only, as it is. */
  server(argv: string[], opts: RunOpts = {}): Promise<Output> {
    return this.runner.run(this.serverArgv(argv), { check: false, ...opts });
  }

  /** Raw list of the codchi containers (one spawn). */
  listed(): Promise<ListedContainer[]> {
    return listContainers(this);
  }

  /** `argv` aimed at the remote only (as `server` runs it). */
  serverArgv(argv: string[]): string[] {
    return this.#remote ? this.#remote.on(argv) : argv;
  }
}

/** Runs an lxc/incus argv; maps a daemon that cannot be reached to a PrerequisiteError. */
export async function runLxc(t: LxcTarget, argv: string[], opts: RunOpts = {}): Promise<Output> {
  return lxcOutcome(t, argv, await t.runner.run(t.aim(argv), { ...opts, check: false }), opts);
}

/** What `runLxc` makes of the output of `argv` (aimed and run with `opts`). */
export function lxcOutcome(
  t: Pick<LxcTarget, "bin" | "remote" | "remoteFailure">,
  argv: string[],
  out: Output,
  opts: RunOpts = {},
): Output {
  if (out.code !== 0) {
    const err = out.errText;
    if (/unix\.socket.*(permission denied|no such file|connection refused)/i.test(err)) {
      throw new PrerequisiteError(
        `Cannot reach the ${t.bin === "incus" ? "Incus" : "LXD"} daemon.`,
        `Start it, and add yourself to its group (lxd or incus-admin), then log in again.`,
      );
    }
    const remote = t.remote ? t.remoteFailure?.(err) : undefined;
    if (remote) throw remote;
    if (opts.timeoutMs && out.code === 124) {
      throw new TimeoutError(
        `${argv.slice(0, 3).join(" ")} did not finish within ${opts.timeoutMs / 1000} s.`,
        `Check the ${t.bin} daemon (e.g. \`${t.bin} list\`), then try again.`,
      );
    }
    if (opts.check !== false) throw toolError(argv, out, opts.secrets);
  }
  return out;
}

/** Raw list of the codchi containers (one spawn, started before the first await). */
export async function listContainers(t: LxcTarget): Promise<ListedContainer[]> {
  return listedOf(t, await t.runner.run(t.aim(listArgv(t.bin)), { check: false }));
}

/**
 * The containers in the output of the listing (`listArgv`, aimed), as `listContainers` reads
 * it; `status`'s fast path spawns the listing itself, before it loads this module.
 */
export function listedOf(
  t: Pick<LxcTarget, "bin" | "project" | "remote" | "remoteFailure">,
  run: Output,
): ListedContainer[] {
  const argv = listArgv(t.bin);
  const out = lxcOutcome(t, argv, run, { check: false });
  // A data folder's project exists only once its store was made: until then, nothing is there.
  if (out.code !== 0 && t.project !== DEFAULT_PROJECT && isProjectMissing(out.errText)) {
    return [];
  }
  if (out.code !== 0) throw toolError(argv, out);
  return parseList(out.text);
}

/** Every codchi container's state; the store's `problem` names a mount it lacks or misuses. */
export function statesOf(listed: ListedContainer[], paths: Paths): HostState {
  const state = hostStateOf(listed);
  const store = listed.find((c) => c.name === STORE_CONTAINER);
  if (store) {
    const problem = missingStoreMounts(paths, store.devices) ??
      foreignStoreMounts(paths, store.devices);
    if (problem) state.store.problem = problem;
  }
  return state;
}
