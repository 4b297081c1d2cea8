/** Getting an image into LXD: a local tarball or a verified release download, imported once. */
import { NotFoundError, ToolError, UsageError } from "../../errors.ts";
import type { ImageProvider } from "../../release/images.ts";
import type { Output, RunOpts } from "../../process.ts";
import type { Reporter } from "../types.ts";
import {
  imageAliasCreateArgv,
  imageDeleteArgv,
  imageImportArgv,
  imageInfoArgv,
  imageListArgv,
  type LxcBinary,
} from "./argv.ts";
import { fileSha256 } from "../../release/download.ts";
import { fileStamp, IMAGE_ENV, imageAlias, type ImageKind, imageSource } from "./images.ts";
import { sha256 as sha256Hex } from "../../config/store.ts";
import { parseImageAliases } from "./parse.ts";

/** What `ensureImage` works with. */
export interface ImageContext {
  kind: ImageKind;
  /** Runs an lxc/incus argv (the driver's error mapping). */
  lxc(argv: string[], opts?: RunOpts): Promise<Output>;
  bin: LxcBinary;
  env: Record<string, string | undefined>;
  /** The release's images (verified before they are handed out). */
  images: ImageProvider;
  importMs: number;
  reporter?: Reporter;
}

/**
 * The LXD alias of the image of `c.kind`, importing it the first time (bounded); a failed
 * import leaves no image behind, and older images of the same kind are deleted.
 */
export async function ensureImage(c: ImageContext): Promise<string> {
  const kind = c.kind;
  const src = imageSource(kind, c.env);
  let file: string;
  let alias: string;
  let sha256 = "";
  if ("file" in src) {
    file = src.file;
    let stat: Deno.FileInfo;
    try {
      stat = await Deno.stat(file);
    } catch {
      throw new NotFoundError(
        `The ${kind} image ${file} does not exist.`,
        `Fix ${IMAGE_ENV[kind]} or unset it.`,
      );
    }
    alias = imageAlias(
      kind,
      await sha256Hex(fileStamp(file, stat.size, stat.mtime?.getTime() ?? 0)),
    );
    if ((await c.lxc(imageInfoArgv(c.bin, alias), { check: false })).code === 0) {
      return alias;
    }
  } else {
    const ref = await c.images.describe("lxd", kind, c.reporter);
    sha256 = ref.entry.sha256;
    alias = imageAlias(kind, sha256);
    if ((await c.lxc(imageInfoArgv(c.bin, alias), { check: false })).code === 0) {
      return alias;
    }
    // Only a file whose SHA-256 matched is returned: nothing unverified reaches LXD.
    file = await c.images.obtain(ref, c.reporter);
  }
  const problem = tarballProblem(await readHead(file));
  if (problem) {
    throw new UsageError(
      `The ${kind} image ${file} is not an LXD image tarball: ${problem}.`,
      `Point ${
        IMAGE_ENV[kind]
      } at a tar (or gzip/xz/zstd/bzip2 tar) with rootfs/ and metadata.yaml.`,
    );
  }
  c.reporter?.step(`Importing the ${kind} image`);
  try {
    await c.lxc(imageImportArgv(c.bin, file, alias), {
      timeoutMs: c.importMs,
    });
  } catch (e) {
    // Another codchi may have imported it meanwhile; else leave no half image behind.
    if ((await c.lxc(imageInfoArgv(c.bin, alias), { check: false })).code === 0) {
      return alias;
    }
    // The same bytes under another alias (LXD's fingerprint is the tarball's SHA-256).
    if (e instanceof ToolError && /same fingerprint/i.test(e.message)) {
      const fp = sha256 || await fileSha256(file);
      await c.lxc(imageAliasCreateArgv(c.bin, alias, fp));
      return alias;
    }
    await c.lxc(imageDeleteArgv(c.bin, alias), { check: false });
    throw e;
  }
  // Images of older tarballs of this kind are of no use any more (containers do not need them).
  const all = parseImageAliases((await c.lxc(imageListArgv(c.bin), { check: false })).text);
  for (const old of all.filter((a) => a.startsWith(`codchi-${kind}-`) && a !== alias)) {
    await c.lxc(imageDeleteArgv(c.bin, old), { check: false });
  }
  return alias;
}

/** The first 512 bytes of a file (a tar header's size). */
async function readHead(file: string): Promise<Uint8Array> {
  const f = await Deno.open(file);
  try {
    const buf = new Uint8Array(512);
    const n = (await f.read(buf)) ?? 0;
    return buf.subarray(0, n);
  } finally {
    f.close();
  }
}

const COMPRESSED: [string, number[]][] = [
  ["gzip", [0x1f, 0x8b]],
  ["xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ["zstd", [0x28, 0xb5, 0x2f, 0xfd]],
  ["bzip2", [0x42, 0x5a, 0x68]],
];

/**
 * Why `head` (a file's first 512 bytes) cannot start an image tarball LXD imports, or undefined:
 * a compressed stream LXD knows, or a tar header ("ustar" at 257). Checked on the host because
 * LXD 5.0's client may hang instead of failing on a file it cannot read.
 */
export function tarballProblem(head: Uint8Array): string | undefined {
  if (head.length === 0) return "the file is empty";
  for (const [, magic] of COMPRESSED) {
    if (magic.every((b, i) => head[i] === b)) return undefined;
  }
  const ustar = new TextDecoder().decode(head.subarray(257, 262));
  return ustar === "ustar" ? undefined : "it is neither a tar archive nor a compressed one";
}
