/**
 * `codchi status`'s fast path, on Linux: when the last full `status` left a memo of the driver's
 * choices (core/exec_memo.ts: client, project, data folder, the argv of its one listing and the
 * folders of the machines' records), it spawns that listing at once, after a handful of small
 * modules (the process door, the memo's location), when there is a machine or a journal record.
 * The listing only reads, so it runs before the memo is checked: status_action.ts then checks that
 * every input the memo was made from is unchanged (this codchi, config.json, the project pin, the
 * environment, the client on PATH) and shows the status while the listing runs. When a check
 * fails, the listing is awaited and dropped, and the full path runs. Without the driver, its store
 * and session code or the parser.
 */
import {
  type ExecMemo,
  memoPath,
  peekMemo,
  STATUS_MEMO,
  xdgRuntimeDir,
} from "../config/runtime.ts";
import { type Output, ProcessRunner } from "../process.ts";
import type { GlobalFlags } from "./argv.ts";
import type { FastStatus } from "./status_action.ts";

export type { FastStatus };

/**
 * Whether the records' folders hold anything that may be a machine (a folder) or a journal record
 * (a `.json` file): with nothing, the full path spawns nothing, and neither does this one.
 */
function anyRecord(dirs: readonly string[]): boolean {
  return dirs.some((dir, i) => {
    try {
      for (const e of Deno.readDirSync(dir)) {
        if (i === 0 ? e.isDirectory : e.isFile && e.name.endsWith(".json")) return true;
      }
    } catch { /* no folder: nothing there */ }
    return false;
  });
}

/** Shows the status when the fast path applies; see the module comment. */
export async function fastStatus(
  flags: GlobalFlags,
  env: Record<string, string>,
): Promise<FastStatus> {
  let memo: ExecMemo;
  let list: string[];
  let any: boolean;
  try {
    // Debug output or another OS (tests force one): the full path.
    if (flags.verbose > 0 || env.CODCHI_LOG !== undefined) return { kind: "fallback" };
    if (Deno.build.os === "windows" || (env.CODCHI_HOST_OS ?? "linux") !== "linux") {
      return { kind: "fallback" };
    }
    const runtime = xdgRuntimeDir(env) ??
      (await import("../config/paths.ts")).computePaths("linux", env).runtimeDir;
    const m = peekMemo(memoPath(runtime, STATUS_MEMO));
    if (!m?.list || !m.records) return { kind: "fallback" };
    [memo, list] = [m, m.list];
    any = anyRecord(m.records);
  } catch {
    return { kind: "fallback" }; // the full path reports whatever this was
  }
  // The one spawn, before anything else is loaded (it runs while the rest is checked and read).
  const runner = new ProcessRunner(env.CODCHI_TRACE === "1");
  const spawn = () => {
    const p = runner.run(list, { check: false });
    p.catch(() => {}); // awaited by states(), or at the end
    return p;
  };
  const listing: Promise<Output> | undefined = any ? spawn() : undefined;
  // One import for the rest: the memo's check, the parser of the listing, the table, the records.
  const { showRemembered } = await import("./status_action.ts");
  return await showRemembered({ env, flags, memo, listing, spawn });
}
