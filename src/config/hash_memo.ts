/**
 * SHA-256 hashes of files and folders remembered by their stamps (inode, size, modification and
 * change times, from one synchronous stat each), so `status` does not read and hash every
 * machine's flake files and the driver flake each time. Kept in the runtime folder (mode 0600).
 * A stamp counts only when its file last changed more than SETTLE_MS before it was taken (a
 * change within the file system's timestamp granularity could keep the stamp); anything else,
 * anything unreadable and any other codchi is hashed again, by the caller's own function.
 */
import { buildStamp } from "./runtime.ts";
import { writeFileAtomic } from "./store.ts";

/** How long ago a file must have changed for its stamp to be trusted. */
export const SETTLE_MS = 2000;

/** The record on disk: per path, the stamp and the hash made from it. */
interface Record {
  build: string;
  entries: { [path: string]: { stamp: string; hash: string } };
}

/** The stamp of a regular file or a symlink (undefined: none to trust). */
function stampOf(info: Deno.FileInfo, settledBefore: number): string | undefined {
  const m = info.mtime?.getTime();
  const c = info.ctime?.getTime();
  if (m === undefined || c === undefined || info.ino === null) return undefined;
  if (Math.max(m, c) >= settledBefore) return undefined; // changed just now: not yet
  return `${info.ino}:${info.size}:${m}:${c}:${info.mode ?? ""}`;
}

/**
 * The stamps of everything below `dir` (sorted, symlinks not followed), as `treeHash` walks it;
 * undefined when something there is unsettled or unreadable.
 */
function treeStamp(dir: string, settledBefore: number): string | undefined {
  const out: string[] = [];
  const walk = (d: string, rel: string): boolean => {
    const entries = [...Deno.readDirSync(d)].sort((a, b) => a.name < b.name ? -1 : 1);
    for (const e of entries) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory) {
        if (!walk(`${d}/${e.name}`, r)) return false;
      } else if (e.isFile || e.isSymlink) {
        const s = stampOf(Deno.lstatSync(`${d}/${e.name}`), settledBefore);
        if (s === undefined) return false;
        out.push(`${e.isFile ? "f" : "l"}${r}\0${s}`);
      }
    }
    return true;
  };
  try {
    return walk(dir, "") ? out.join("\n") : undefined;
  } catch {
    return undefined;
  }
}

/** Where the remembered hashes of a runtime folder are kept. */
export function hashMemoFile(runtimeDir: string): string {
  return `${runtimeDir}/hashes.json`;
}

/**
 * Drops every remembered hash of a file or folder below `dir` (a deleted machine's: no record
 * keeps naming its files); a missing or unreadable record is fine.
 */
export async function forgetHashesBelow(recordFile: string, dir: string): Promise<void> {
  let r: Record | undefined;
  try {
    r = JSON.parse(await Deno.readTextFile(recordFile));
  } catch {
    return;
  }
  if (!r || typeof r.entries !== "object" || !r.entries) return;
  const below = Object.keys(r.entries).filter((k) => k.slice(2).startsWith(`${dir}/`));
  if (below.length === 0) return;
  for (const k of below) delete r.entries[k];
  await writeFileAtomic(recordFile, JSON.stringify(r), 0o600);
}

/** Remembered hashes, loaded from `recordFile`; `save()` writes back what changed. */
export class HashMemo {
  #record: Record;
  #changed = false;
  readonly #build: string;

  /** `now`: the clock (tests move it on). */
  constructor(readonly recordFile: string, private readonly now: () => number = Date.now) {
    this.#build = buildStamp(import.meta.dirname, [
      "hash_memo.ts",
      "store.ts",
      "../core/driver_id.ts",
    ]);
    let r: Record | undefined;
    try {
      r = JSON.parse(Deno.readTextFileSync(recordFile));
    } catch { /* none yet, or unreadable: start empty */ }
    this.#record = r?.build === this.#build && typeof r.entries === "object" && r.entries
      ? r
      : { build: this.#build, entries: {} };
  }

  /** The hash of file `path` by `hash` (e.g. config/store.ts `fileHash`), or the remembered one. */
  file(path: string, hash: (path: string) => Promise<string>): Promise<string> {
    let stamp: string | undefined;
    try {
      const info = Deno.statSync(path);
      if (info.isFile) stamp = stampOf(info, this.now() - SETTLE_MS);
    } catch { /* missing or unreadable: the caller's function says what it is */ }
    return this.#cached(`f:${path}`, stamp, () => hash(path));
  }

  /** The hash of the folder `dir` by `hash` (e.g. core/driver_id.ts `treeHash`), or the remembered one. */
  tree(dir: string, hash: (dir: string) => Promise<string>): Promise<string> {
    return this.#cached(`t:${dir}`, treeStamp(dir, this.now() - SETTLE_MS), () => hash(dir));
  }

  async #cached(key: string, stamp: string | undefined, hash: () => Promise<string>) {
    const had = this.#record.entries[key];
    if (stamp !== undefined && had?.stamp === stamp) return had.hash;
    const value = await hash();
    if (stamp !== undefined) {
      this.#record.entries[key] = { stamp, hash: value };
      this.#changed = true;
    } else if (had) {
      delete this.#record.entries[key];
      this.#changed = true;
    }
    return value;
  }

  /** Writes the record when something changed (a failure only costs speed). */
  async save(): Promise<void> {
    if (!this.#changed || !this.recordFile.startsWith("/")) return;
    this.#changed = false;
    await writeFileAtomic(this.recordFile, JSON.stringify(this.#record), 0o600).catch(() => {});
  }
}
