/**
 * Writing a file whole or not at all: a temp file beside it (`<file>.tmp-<pid>-<random>`, a name
 * the tray's folder watch ignores), renamed over it. A leaf: imports nothing, so every layer and
 * the Wine-tested Windows graph may use it.
 */

/** How `writeAtomic` writes. */
export interface AtomicWriteOptions {
  /** The new file's mode, exactly (whatever the umask; POSIX only); default: 0666 less the umask. */
  mode?: number;
  /** Flush the data to the disk (fsync) before the rename. */
  sync?: boolean;
  /** The mode of the parent folders made for it (default: 0777 less the umask). */
  dirMode?: number;
}

/**
 * Writes `data` to `file` atomically: its folder is made, the bytes go to a temp file in it,
 * which is renamed over `file`. On any failure the temp file is removed, `file` is untouched and
 * the error is thrown as it came.
 */
export async function writeAtomic(
  file: string,
  data: string | Uint8Array,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  await Deno.mkdir(parentOf(file), { recursive: true, mode: opts.dirMode });
  const tmp = `${file}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  try {
    await Deno.writeFile(tmp, bytes as Uint8Array<ArrayBuffer>, {
      createNew: true,
      mode: opts.mode,
    });
  } catch (e) {
    // Someone else's file of that name is left alone; a half-written one of ours is not.
    if (!(e instanceof Deno.errors.AlreadyExists)) await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  try {
    if (opts.sync) {
      const f = await Deno.open(tmp, { write: true });
      try {
        await f.sync();
      } finally {
        f.close();
      }
    }
    await Deno.rename(tmp, file);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/** The folder `file` is in (POSIX or Windows separators). */
export function parentOf(file: string): string {
  const i = Math.max(file.lastIndexOf("/"), file.lastIndexOf("\\"));
  if (i < 0) return ".";
  const dir = file.slice(0, i);
  // "/x" is in "/", "C:\x" in "C:\".
  return dir === "" || /^[A-Za-z]:$/.test(dir) ? file.slice(0, i + 1) : dir;
}
