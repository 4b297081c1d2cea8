/** A per-machine lock: two codchi processes on one machine serialize; waits are bounded. */
import { dirname } from "../path.ts";
import { ConflictError } from "../errors.ts";

/** A held lock; release it when done. */
export interface Lock {
  release(): void;
}

/**
 * Bounded wait for a lock, in milliseconds: `CODCHI_LOCK_TIMEOUT_MS` when set, else `fallback`
 * (30 s; long work such as a rebuild waits longer for the one before it).
 */
export function lockTimeoutMs(fallback = 30_000): number {
  const v = Number(Deno.env.get("CODCHI_LOCK_TIMEOUT_MS"));
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/**
 * Takes the lock at `file` (flock), waiting at most `timeoutMs`; then fails with a ConflictError
 * naming the holder (pid and command it wrote into the file). The holder may remove the file
 * (`codchi delete` does): a lock won on a file that is no longer at `file` is given up and taken
 * again on the file there now, so two processes never both hold "the" lock.
 */
export async function acquireLock(
  file: string,
  what: string,
  timeoutMs = lockTimeoutMs(),
  onWait?: (holder: string) => void,
): Promise<Lock> {
  const deadline = Date.now() + timeoutMs;
  let told = false;
  let f: Deno.FsFile;
  while (true) {
    await Deno.mkdir(dirname(file), { recursive: true });
    try {
      f = await Deno.open(file, { read: true, write: true, create: true });
    } catch (e) {
      // Windows: a lock file pending deletion cannot be opened until its last holder closes it.
      const pending = Deno.build.os === "windows" && e instanceof Deno.errors.PermissionDenied;
      if (!pending || Date.now() >= deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    while (!(await f.tryLock(true))) {
      const holder = await readHolder(file);
      if (!told) {
        onWait?.(holder);
        told = true;
      }
      if (Date.now() >= deadline) {
        f.close();
        throw new ConflictError(
          `${what} is busy: another codchi process holds its lock (${holder}).`,
          `Wait for it to finish, or stop it (pid above), then try again.`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (await samePath(f, file)) break;
    f.unlockSync();
    f.close();
  }
  const info = `pid ${Deno.pid}: codchi ${Deno.args.join(" ").slice(0, 200)}`;
  await f.truncate(0);
  await f.write(new TextEncoder().encode(info));
  return {
    release() {
      const remove = TO_REMOVE.delete(file);
      const windows = Deno.build.os === "windows";
      try {
        // POSIX: removed while still held; a waiter that then wins the old file takes the new one.
        if (remove && !windows) removeSync(file);
        f.truncateSync(0);
        f.unlockSync();
      } finally {
        f.close();
      }
      // Windows cannot tell files apart by inode here: removed once let go (a waiter that opens
      // it meanwhile keeps it; one that finds it pending deletion tries again).
      if (remove && windows) removeSync(file);
    },
  };
}

/** Whether the open file `f` is (still) the file at `path` (same device and inode). */
async function samePath(f: Deno.FsFile, path: string): Promise<boolean> {
  if (Deno.build.os === "windows") return true; // no inode numbers; files in use cannot be removed
  try {
    const [a, b] = [await f.stat(), await Deno.stat(path)];
    return a.ino === b.ino && a.dev === b.dev;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** Lock files to remove when their lock is released (`removeOnRelease`). */
const TO_REMOVE = new Set<string>();

/**
 * Makes the release of the lock at `file` (held by this process) remove the file too: for a
 * machine that is gone (`codchi delete`). Safe against waiters: see `acquireLock`.
 */
export function removeOnRelease(file: string): void {
  TO_REMOVE.add(file);
}

function removeSync(file: string): void {
  try {
    Deno.removeSync(file);
  } catch { /* gone already, or in use (Windows): harmless, the next delete retries */ }
}

async function readHolder(file: string): Promise<string> {
  try {
    return (await Deno.readTextFile(file)).trim() || "unknown holder";
  } catch {
    return "unknown holder";
  }
}
