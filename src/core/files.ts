/** Host file trees: copy (links, modes and, as root, owners kept) and remove. */
import { join } from "node:path";
import { DiskFullError, isDiskFull } from "../errors.ts";

/**
 * Copies `src` to `dst` recursively; a missing `src` copies nothing. A full disk is a
 * DiskFullError naming `dst` and the size of `src` (the caller removes the partial copy).
 */
export async function copyTree(src: string, dst: string): Promise<void> {
  let st: Deno.FileInfo;
  try {
    st = await Deno.lstat(src);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  try {
    await copyEntry(src, dst, st, Deno.build.os !== "windows" && Deno.uid() === 0);
  } catch (e) {
    if (!isDiskFull(e)) throw e;
    const mib = (await treeSize(src) / 1048576).toFixed(1);
    throw new DiskFullError(
      `The disk is full: copying ${src} to ${dst} needs ${mib} MiB.`,
      `Free at least ${mib} MiB on the disk of ${dst}, then run the command again.`,
      { cause: e },
    );
  }
}

/** Bytes of the regular files below `path` (symlinks not followed). */
export async function treeSize(path: string): Promise<number> {
  const st = await Deno.lstat(path).catch(() => undefined);
  if (!st) return 0;
  if (!st.isDirectory) return st.isFile ? st.size : 0;
  let total = 0;
  for await (const e of Deno.readDir(path)) total += await treeSize(join(path, e.name));
  return total;
}

async function copyEntry(
  src: string,
  dst: string,
  st: Deno.FileInfo,
  keepOwner: boolean,
): Promise<void> {
  if (st.isSymlink) {
    await Deno.symlink(await Deno.readLink(src), dst);
  } else if (st.isDirectory) {
    await Deno.mkdir(dst, { recursive: true });
    for await (const e of Deno.readDir(src)) {
      const s = join(src, e.name);
      await copyEntry(s, join(dst, e.name), await Deno.lstat(s), keepOwner);
    }
    if (st.mode !== null) await Deno.chmod(dst, st.mode & 0o7777);
  } else if (st.isFile) {
    await Deno.copyFile(src, dst);
  } else {
    return; // sockets, fifos and devices are not copied
  }
  if (keepOwner && !st.isSymlink && st.uid !== null && st.gid !== null) {
    await Deno.chown(dst, st.uid, st.gid);
  }
}

/** Removes a tree; a missing one is fine. */
export async function removeTree(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}
