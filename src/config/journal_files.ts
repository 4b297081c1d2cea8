/**
 * Which journal records exist (journal.ts has the records themselves; paths.ts says where they
 * are): light, so `exec` and `status` can look for unfinished operations without loading the
 * schemas.
 */
import { journalDir, journalFile, type Paths } from "./paths.ts";

export { journalDir, journalFile };

/** The journal key of the store. */
export const STORE_KEY = "_store";

/** Keys of every unfinished record (machines and `_store`). */
export function listJournals(paths: Paths): Promise<string[]> {
  // Synchronous: one small folder, faster than an async op per entry.
  const keys: string[] = [];
  try {
    for (const e of Deno.readDirSync(journalDir(paths))) {
      if (e.isFile && e.name.endsWith(".json")) keys.push(e.name.slice(0, -5));
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) return Promise.reject(e);
  }
  return Promise.resolve(keys.sort());
}

/** Whether `key` has an unfinished record (one stat, no parsing). */
export async function hasJournal(paths: Paths, key: string): Promise<boolean> {
  try {
    await Deno.lstat(journalFile(paths, key));
    return true;
  } catch {
    return false;
  }
}
