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
 * naming the holder (pid and command it wrote into the file).
 */
export async function acquireLock(
  file: string,
  what: string,
  timeoutMs = lockTimeoutMs(),
  onWait?: (holder: string) => void,
): Promise<Lock> {
  await Deno.mkdir(dirname(file), { recursive: true });
  const f = await Deno.open(file, { read: true, write: true, create: true });
  const deadline = Date.now() + timeoutMs;
  let told = false;
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
  const info = `pid ${Deno.pid}: codchi ${Deno.args.join(" ").slice(0, 200)}`;
  await f.truncate(0);
  await f.write(new TextEncoder().encode(info));
  return {
    release() {
      try {
        f.truncateSync(0);
        f.unlockSync();
      } finally {
        f.close();
      }
    },
  };
}

async function readHolder(file: string): Promise<string> {
  try {
    return (await Deno.readTextFile(file)).trim() || "unknown holder";
  } catch {
    return "unknown holder";
  }
}
