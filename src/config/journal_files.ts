/**
 * Where the journal records are and which exist (journal.ts has the records themselves): light,
 * so `exec` and `status` can look for unfinished operations without loading the schemas.
 */
import { posix, win32 } from "../path.ts";
import type { Paths } from "./paths.ts";

/** node:path's `join` of this platform. */
function join(...parts: string[]): string {
  return (Deno.build.os === "windows" ? win32 : posix).join(...parts);
}

/** The journal key of the store. */
export const STORE_KEY = "_store";

/** Folder of the journal records. */
export function journalDir(paths: Paths): string {
  return join(paths.configDir, "journal");
}

/** The record file of a machine (or of `STORE_KEY`). */
export function journalFile(paths: Paths, key: string): string {
  return join(journalDir(paths), `${key}.json`);
}

/** Keys of every unfinished record (machines and `_store`). */
export async function listJournals(paths: Paths): Promise<string[]> {
  const keys: string[] = [];
  try {
    for await (const e of Deno.readDir(journalDir(paths))) {
      if (e.isFile && e.name.endsWith(".json")) keys.push(e.name.slice(0, -5));
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return keys.sort();
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
