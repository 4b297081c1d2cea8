/** Host file trees: copy (links, modes and, as root, owners kept) and remove. */
import { join } from "node:path";
import { DiskFullError, isDiskFull, PrerequisiteError } from "../errors.ts";

/**
 * Copies `src` to `dst` recursively; a missing `src` copies nothing. A full disk is a
 * DiskFullError naming `dst` and the size of `src` (the caller removes the partial copy).
 */
export async function copyTree(src: string, dst: string, check?: () => void): Promise<void> {
  let st: Deno.FileInfo;
  try {
    st = await Deno.lstat(src);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  try {
    await copyEntry(src, dst, st, Deno.build.os !== "windows" && Deno.uid() === 0, check);
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
  check?: () => void,
): Promise<void> {
  check?.();
  if (st.isSymlink) {
    await Deno.symlink(await Deno.readLink(src), dst);
  } else if (st.isDirectory) {
    await Deno.mkdir(dst, { recursive: true });
    for await (const e of Deno.readDir(src)) {
      const s = join(src, e.name);
      await copyEntry(s, join(dst, e.name), await Deno.lstat(s), keepOwner, check);
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

/**
 * Removes a tree; a missing one is fine. Read-only folders of our own (Nix store paths are
 * `r-x`) are made writable first, which only root could skip; what belongs to another user (made
 * inside a container under a mapped id) is a PrerequisiteError that says how to remove it. With
 * `check` (which throws to stop), the tree is removed entry by entry, calling it before each, so
 * a Ctrl-C stops a large removal at once.
 */
export async function removeTree(path: string, check?: () => void): Promise<void> {
  const remove = () => check ? removeEntry(path, check) : Deno.remove(path, { recursive: true });
  try {
    await remove();
    return;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    if (!(e instanceof Deno.errors.PermissionDenied)) throw e;
  }
  await makeOwnFoldersWritable(path);
  try {
    await remove();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    if (!(e instanceof Deno.errors.PermissionDenied)) throw e;
    throw new PrerequisiteError(
      `Some files below ${path} cannot be removed by this user (made inside a container by ` +
        `another user id).`,
      `Remove them as root: sudo rm -rf -- '${path.replaceAll("'", `'\\''`)}'`,
    );
  }
}

async function removeEntry(path: string, check: () => void): Promise<void> {
  check();
  const st = await Deno.lstat(path);
  if (st.isDirectory) {
    const names: string[] = [];
    for await (const e of Deno.readDir(path)) names.push(e.name);
    for (const n of names) {
      await removeEntry(join(path, n), check).catch((e) => {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      });
    }
  }
  await Deno.remove(path);
}

/** chmod u+rwx on every folder below `path` that this user owns (symlinks are not followed). */
async function makeOwnFoldersWritable(path: string): Promise<void> {
  const me = Deno.uid();
  const walk = async (dir: string): Promise<void> => {
    const st = await Deno.lstat(dir).catch(() => undefined);
    if (!st?.isDirectory) return;
    if (st.uid === me && st.mode !== null && (st.mode & 0o700) !== 0o700) {
      await Deno.chmod(dir, (st.mode & 0o7777) | 0o700).catch(() => {});
    }
    let entries: Deno.DirEntry[] = [];
    try {
      entries = await Array.fromAsync(Deno.readDir(dir));
    } catch { /* unreadable: removal reports it */ }
    for (const e of entries) if (e.isDirectory) await walk(join(dir, e.name));
  };
  await walk(path);
}
