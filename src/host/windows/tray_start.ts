/**
 * Starting the tray from a CLI call when it does not run yet (Windows): the tray holds a
 * session-wide lock for its life (tray_run.ts), so "running" is "the lock is held", and a tray
 * started twice by racing CLI calls ends at once in the second one: one instance.
 */
import { acquireInstanceLock } from "./ffi/mutex.ts";
import type { Launcher } from "./launcher.ts";

/** The tray's lock name (tray_run.ts's default). */
export const TRAY_LOCK = "codchi-tray";

/** True when a tray (any process of this session) holds `lockName`. */
export function trayRunning(lockName = TRAY_LOCK): boolean {
  const lock = acquireInstanceLock(lockName);
  lock?.release();
  return !lock;
}

/** The argv that starts the tray without a console window. */
export function trayArgv(launcher: Launcher): string[] {
  return [launcher.codchiw, ...(launcher.prefixArgs ?? []), "tray"];
}

/** Starts the tray detached unless one runs; true when it was started. */
export async function ensureTray(opts: {
  launcher: Launcher;
  spawnDetached(argv: string[]): Promise<void>;
  lockName?: string;
}): Promise<boolean> {
  if (trayRunning(opts.lockName)) return false;
  await opts.spawnDetached(trayArgv(opts.launcher));
  return true;
}
