/**
 * Calling lxc/incus, and its one listing of every codchi container: shared by the driver and
 * `status`'s fast path (cli/status_fast.ts), so both report the same states and the same errors.
 */
import { STORE_CONTAINER } from "../../config/names.ts";
import type { Paths } from "../../config/paths.ts";
import { PrerequisiteError, TimeoutError } from "../../errors.ts";
import { type Output, type Runner, type RunOpts, toolError } from "../../process.ts";
import type { HostState } from "../types.ts";
import { DEFAULT_PROJECT, listArgv, type LxcBinary } from "./argv.ts";
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
