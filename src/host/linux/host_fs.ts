/** Small file effects shared by the Linux host pieces: atomic writes, store-aware symlinks. */
import { posix } from "node:path";
import * as atomic from "../../atomic_write.ts";

/** Writes `data` to `path` atomically (src/atomic_write.ts) with exactly `mode` (default 0644). */
export async function writeAtomic(path: string, data: Uint8Array | string, mode = 0o644) {
  await atomic.writeAtomic(path, data, { mode });
}

/** Removes a file; a missing file is fine. */
export async function removeIfExists(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/**
 * Resolves `path` on the host, following symlinks one component at a time. An absolute link
 * target under `/nix/` is read below `nixRoot` (the host folder that is the store's `/nix`),
 * so links into the machine's store resolve on the host. Returns undefined when unresolvable.
 */
export async function resolveHostPath(path: string, nixRoot?: string): Promise<string | undefined> {
  let todo = posix.normalize(path).split("/").filter((s) => s !== "");
  let done = "/";
  for (let hops = 0; todo.length > 0;) {
    const next = posix.join(done, todo.shift()!);
    let info: Deno.FileInfo;
    try {
      info = await Deno.lstat(next);
    } catch {
      return undefined;
    }
    if (!info.isSymlink) {
      done = next;
      continue;
    }
    if (++hops > 40) return undefined;
    let target = await Deno.readLink(next);
    if (target.startsWith("/")) {
      if (nixRoot && (target === "/nix" || target.startsWith("/nix/"))) {
        target = posix.join(nixRoot, target.slice(4));
      }
      done = "/";
    }
    todo = [...target.split("/").filter((s) => s !== ""), ...todo];
  }
  return done;
}

/** Lists files below `dir` (relative paths, following links via `resolveHostPath`). */
export async function listFiles(dir: string, nixRoot?: string, depth = 8): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string, level: number) => {
    const real = await resolveHostPath(posix.join(dir, rel), nixRoot);
    if (!real || level > depth) return;
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(real));
    } catch {
      return;
    }
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) await walk(child, level + 1);
      else if (e.isFile) out.push(child);
      else if (e.isSymlink) {
        const target = await resolveHostPath(posix.join(dir, child), nixRoot);
        const info = target ? await Deno.stat(target).catch(() => undefined) : undefined;
        if (info?.isDirectory) await walk(child, level + 1);
        else if (info?.isFile) out.push(child);
      }
    }
  };
  await walk("", 0);
  return out.sort();
}
