/**
 * `codchi status`'s fast path, on Linux: when the last full `status` left a memo of the driver's
 * choices (core/exec_memo.ts: client, project, data folder and the argv of its one listing) and
 * every input it was made from is unchanged (config.json, the project pin, the environment), it
 * spawns that listing at once, after a handful of small modules, and only then loads what shows
 * the status (status_action.ts, the driver's parser driver/lxd/list.ts, the UI) and reads the
 * machines' files, while the listing runs. Without the driver, its store and session code or the
 * parser. Anything else, it does nothing and says so: the full path runs.
 */
import { computePaths, type Paths } from "../config/paths.ts";
import { listJournals } from "../config/journal_files.ts";
import { type ExecMemo, readInputs, readMemo, sameInputs, STATUS_MEMO } from "../core/exec_memo.ts";
import { listMachines } from "../core/machine_list.ts";
import { detectBinary } from "../driver/lxd/argv.ts";
import { type Output, ProcessRunner } from "../process.ts";
import type { GlobalFlags } from "./argv.ts";

/** What the fast path did: nothing (take the full path), or showed the status (or failed). */
export type FastStatus =
  | { kind: "fallback" }
  | { kind: "shown" }
  | { kind: "failed"; error: unknown };

/** Shows the status when the fast path applies; see the module comment. */
export async function fastStatus(
  flags: GlobalFlags,
  env: Record<string, string>,
): Promise<FastStatus> {
  let paths: Paths;
  let memo: ExecMemo;
  let list: string[];
  let any: boolean;
  try {
    // Debug output or another OS (tests force one): the full path.
    if (flags.verbose > 0 || env.CODCHI_LOG !== undefined) return { kind: "fallback" };
    if (Deno.build.os === "windows" || (env.CODCHI_HOST_OS ?? "linux") !== "linux") {
      return { kind: "fallback" };
    }
    const base = computePaths("linux", env);
    const m = readMemo(base, STATUS_MEMO);
    if (!m?.list || detectBinary(env.PATH) !== m.bin) return { kind: "fallback" };
    [memo, list] = [m, m.list];
    paths = memo.dataDir === undefined ? base : computePaths("linux", env, memo.dataDir);
    if (!sameInputs(readInputs(env, base, paths), memo.inputs)) return { kind: "fallback" };
    // As showStatus: the listing is spawned only when there is a machine or a journal record.
    any = (await listMachines(paths)).length > 0 || (await listJournals(paths)).length > 0;
  } catch {
    return { kind: "fallback" }; // the full path reports whatever this was
  }
  // The one spawn, before anything else is loaded (it runs while the rest is loaded and read).
  const runner = new ProcessRunner(env.CODCHI_TRACE === "1");
  const spawn = () => {
    const p = runner.run(list, { check: false });
    p.catch(() => {}); // awaited by states(), or at the end
    return p;
  };
  const listing: Promise<Output> | undefined = any ? spawn() : undefined;
  // One import for the rest: the parser of the listing, the table, the records.
  const { showListing } = await import("./status_action.ts");
  try {
    await showListing({ paths, env, flags, listing, spawn, bin: memo.bin, project: memo.project });
    return { kind: "shown" };
  } catch (error) {
    return { kind: "failed", error };
  }
}
