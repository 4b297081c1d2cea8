/**
 * `codchi status`'s fast path, on Linux: when the last full `status` left a memo of the driver's
 * choices (core/exec_memo.ts: client, project, data folder) and every input it was made from is
 * unchanged (config.json, the project pin, the environment), it shows the status (status_action.ts)
 * with the driver's own listing (driver/lxd/list.ts), without loading the driver, its store and
 * session code or the parser. Anything else, it does nothing and says so: the full path runs.
 */
import { computePaths } from "../config/paths.ts";
import { readInputs, readMemo, sameInputs, STATUS_MEMO } from "../core/exec_memo.ts";
import { detectBinary } from "../driver/lxd/binary.ts";
import { listContainers, statesOf } from "../driver/lxd/list.ts";
import { inProject } from "../driver/lxd/project.ts";
import { ProcessRunner } from "../process.ts";
import { Ui, uiOptions } from "../ui.ts";
import type { GlobalFlags } from "./argv.ts";
import { showStatus } from "./status_action.ts";

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
  let ui: Ui;
  let paths;
  let memo;
  try {
    // Debug output or another OS (tests force one): the full path.
    if (flags.verbose > 0 || env.CODCHI_LOG !== undefined) return { kind: "fallback" };
    if (Deno.build.os === "windows" || (env.CODCHI_HOST_OS ?? "linux") !== "linux") {
      return { kind: "fallback" };
    }
    const base = computePaths("linux", env);
    memo = readMemo(base, STATUS_MEMO);
    if (!memo || detectBinary(env.PATH) !== memo.bin) return { kind: "fallback" };
    paths = memo.dataDir === undefined ? base : computePaths("linux", env, memo.dataDir);
    if (!sameInputs(readInputs(env, base, paths), memo.inputs)) return { kind: "fallback" };
    ui = new Ui(uiOptions(flags, env, Deno.stdout.isTerminal(), Deno.stderr.isTerminal()));
  } catch {
    return { kind: "fallback" }; // the full path reports whatever this was
  }
  const project = memo.project;
  const target = {
    bin: memo.bin,
    project,
    runner: new ProcessRunner(env.CODCHI_TRACE === "1"),
    aim: (argv: string[]) => inProject(argv, project),
  };
  const at = paths;
  try {
    await showStatus({
      paths: at,
      env,
      driver: () =>
        Promise.resolve({
          states: async () => statesOf(await listContainers(target), at),
        }),
      ui,
    });
    ui.done();
    return { kind: "shown" };
  } catch (error) {
    ui.done();
    return { kind: "failed", error };
  }
}
