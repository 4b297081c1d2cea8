/** Getting an image into LXD: a local tarball or a verified release download, imported once. */
import { NotFoundError, NotImplementedError, ToolError } from "../../errors.ts";
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
import { downloadTarget, downloadVerified, fileSha256 } from "./download.ts";
import {
  fileStamp,
  IMAGE_ENV,
  imageAlias,
  type ImageKind,
  imageSource,
  type RELEASE_IMAGES,
  sha256Hex,
} from "./images.ts";
import { parseImageAliases } from "./parse.ts";

/** What `ensureImage` works with. */
export interface ImageContext {
  kind: ImageKind;
  /** Runs an lxc/incus argv (the driver's error mapping). */
  lxc(argv: string[], opts?: RunOpts): Promise<Output>;
  bin: LxcBinary;
  env: Record<string, string | undefined>;
  release: typeof RELEASE_IMAGES;
  fetch: typeof fetch;
  imagesDir: string;
  importMs: number;
  reporter?: Reporter;
}

/**
 * The LXD alias of the image of `c.kind`, importing it the first time (bounded); a failed
 * import leaves no image behind, and older images of the same kind are deleted.
 */
export async function ensureImage(c: ImageContext): Promise<string> {
  const kind = c.kind;
  const src = imageSource(kind, c.env, c.release);
  let file: string;
  let alias: string;
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
    if (!src.sha256) {
      throw new NotImplementedError(
        `This build of codchi has no released ${kind} image to download.`,
        `Point ${IMAGE_ENV[kind]} at a rootfs tarball (scripts/lxd-testbed.sh builds test images).`,
      );
    }
    alias = imageAlias(kind, src.sha256);
    if ((await c.lxc(imageInfoArgv(c.bin, alias), { check: false })).code === 0) {
      return alias;
    }
    const target = downloadTarget(c.imagesDir, kind, src.url, src.sha256);
    file = await downloadVerified(src.url, src.sha256, target, c.reporter, c.fetch);
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
      const fp = "sha256" in src && src.sha256 ? src.sha256 : await fileSha256(file);
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
