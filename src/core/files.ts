/** Host file trees: copy (links, modes and, as root, owners kept) and remove. */
import { join } from "node:path";

/** Copies `src` to `dst` recursively; a missing `src` copies nothing. */
export async function copyTree(src: string, dst: string): Promise<void> {
  let st: Deno.FileInfo;
  try {
    st = await Deno.lstat(src);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  await copyEntry(src, dst, st, Deno.build.os !== "windows" && Deno.uid() === 0);
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
