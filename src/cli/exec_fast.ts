/**
 * `codchi exec <name> [-- cmd…]`'s fast path, on Linux: when the last full exec of this machine
 * left a memo (core/exec_memo.ts) and every input it was made from is unchanged (config.json,
 * machine.json, built.json, the project pin, the environment), no operation is unfinished, the
 * store's daemon answers and the host session (X cookie, sound, devices) is what the machine
 * has, it spawns the very argv the driver would, through the process door, without loading the
 * validators, the driver or the UI. Anything else, it does nothing and says so: the full path
 * runs (and writes the memo again).
 */
import { computePaths, journalFile } from "../config/paths.ts";
import { containerName, machineNameProblem } from "../config/names.ts";
import { readInputs, readMemo, sameInputs } from "../core/exec_memo.ts";
import { detectBinary, inProject, machineExecArgv } from "../driver/lxd/argv.ts";
import { sessionFingerprints, sessionRecordPath } from "../driver/lxd/session.ts";
import { MACHINE_USER } from "../contract.ts";
import { hostSessionDevices, hostSessionFiles } from "../host/linux/session_files.ts";
import { forwardingSignals, ProcessRunner } from "../process.ts";
import type { GlobalFlags } from "./argv.ts";

/** What the fast path did: nothing (take the full path), or ran the command. */
export type FastExec =
  | { kind: "fallback" }
  | { kind: "ran"; code: number }
  /** The command ended with 1: the full path tells whether the machine was stopped. */
  | { kind: "exit1" }
  | { kind: "failed"; error: unknown };

/** Runs `cmd` in machine `name` when the fast path applies; see the module comment. */
export async function fastExec(
  name: string,
  cmd: string[],
  flags: GlobalFlags,
  env: Record<string, string>,
): Promise<FastExec> {
  let argv: string[];
  try {
    const ready = await prepare(name, cmd, flags, env);
    if (!ready) return { kind: "fallback" };
    argv = ready;
  } catch {
    return { kind: "fallback" }; // the full path reports whatever this was
  }
  try {
    const runner = new ProcessRunner(env.CODCHI_TRACE === "1");
    const code = await forwardingSignals(
      name,
      (onSpawn) =>
        runner.run(argv, { stdin: "inherit", inherit: true, check: false, onSpawn })
          .then((o) => o.code),
    );
    return code === 1 ? { kind: "exit1" } : { kind: "ran", code };
  } catch (error) {
    return { kind: "failed", error };
  }
}

/** The argv to spawn, or undefined when the full path must run. Spawns nothing. */
async function prepare(
  name: string,
  cmd: string[],
  flags: GlobalFlags,
  env: Record<string, string>,
): Promise<string[] | undefined> {
  // Debug output, another OS (tests force one) or a bad name: the full path.
  if (flags.verbose > 0 || env.CODCHI_LOG !== undefined) return undefined;
  if (Deno.build.os === "windows" || (env.CODCHI_HOST_OS ?? "linux") !== "linux") return undefined;
  if (machineNameProblem(name) !== undefined) return undefined;
  const base = computePaths("linux", env);
  const memo = readMemo(base, name);
  // The client the driver would pick is still the one on PATH (lxc first).
  if (!memo || detectBinary(env.PATH) !== memo.bin) return undefined;
  const paths = memo.dataDir === undefined ? base : computePaths("linux", env, memo.dataDir);
  // Synchronous reads (small files; no trip through Deno's thread pool), then one connect.
  if (!sameInputs(readInputs(env, base, paths, name), memo.inputs)) return undefined;
  if (exists(journalFile(paths, name))) return undefined; // an unfinished operation: settle it
  const recorded = text(sessionRecordPath(paths.runtimeDir, containerName(name)));
  // The store's daemon is asked while the session is read (both must hold; it never rejects).
  const alive = daemonAnswers(`${paths.storeDir}/var/nix/daemon-socket/socket`);
  // The session changed since the last push (or was never pushed): the driver pushes it.
  const devices = hostSessionDevices(env, {
    uid: Deno.uid() ?? MACHINE_USER.uid,
    gid: Deno.gid() ?? MACHINE_USER.gid,
  })(name);
  const files = await hostSessionFiles(env)(name);
  const [filesFp, devicesFp] = await sessionFingerprints(files, devices);
  if (!(await alive)) return undefined;
  if (recorded !== `${filesFp} ${devicesFp}`) return undefined;
  const tty = Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
  return machineExecArgv({
    bin: memo.bin,
    aim: (a) => inProject(a, memo.project),
    machine: name,
    argv: cmd,
    tty,
    asUser: true,
    sessionEnv: devices.env,
  });
}

/** Whether anything is at `path` (even a broken link). */
function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The trimmed text of a file, "" when it cannot be read (as the driver's readSessionRecord). */
function text(path: string): string {
  try {
    return Deno.readTextFileSync(path).trim();
  } catch {
    return "";
  }
}

/** Whether the store's daemon accepts a connection (as the store driver's `alive`). */
async function daemonAnswers(path: string): Promise<boolean> {
  try {
    (await Deno.connect({ transport: "unix", path })).close();
    return true;
  } catch {
    return false;
  }
}
