/** Downloads a released rootfs image once into the images folder, verified by its SHA-256. */
import { createHash } from "node:crypto";
import { posix } from "node:path";
import { ToolError } from "../../errors.ts";
import type { Reporter } from "../types.ts";

/** The file a release image is kept in: named by kind and checksum, so a new release never clashes. */
export function downloadTarget(
  imagesDir: string,
  kind: string,
  url: string,
  sha256: string,
): string {
  const ext = /\.(tar(?:\.[a-z0-9]+)?)$/.exec(new URL(url).pathname)?.[1] ?? "tar";
  return posix.join(imagesDir, `${kind}-${sha256.slice(0, 16)}.${ext}`);
}

/**
 * Downloads `url` to `target` unless it is there already (only verified files are ever renamed
 * into place), reporting progress; a checksum mismatch removes the download and throws.
 */
export async function downloadVerified(
  url: string,
  sha256: string,
  target: string,
  reporter?: Reporter,
  fetchFn: typeof fetch = fetch,
): Promise<string> {
  try {
    await Deno.stat(target);
    return target;
  } catch { /* not downloaded yet */ }
  await Deno.mkdir(posix.dirname(target), { recursive: true });
  reporter?.step(`Downloading ${posix.basename(new URL(url).pathname)}`);
  const res = await fetchFn(url);
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new ToolError(
      "download",
      `Downloading ${url} failed: HTTP ${res.status}.`,
      "",
      res.status,
      "Check the network connection, then try again.",
    );
  }
  const total = Number(res.headers.get("content-length") ?? 0);
  const part = `${target}.part`;
  const hash = createHash("sha256");
  const file = await Deno.open(part, { write: true, create: true, truncate: true });
  let done = 0;
  try {
    for await (const chunk of res.body) {
      hash.update(chunk);
      let off = 0;
      while (off < chunk.length) off += await file.write(chunk.subarray(off));
      done += chunk.length;
      reporter?.progress(done, total, "B");
    }
  } finally {
    file.close();
  }
  const got = hash.digest("hex");
  if (got !== sha256.toLowerCase()) {
    await Deno.remove(part).catch(() => {});
    throw new ToolError(
      "download",
      `The download of ${url} is corrupt or not the released file (SHA-256 ${got}, expected ${sha256}).`,
      "",
      -1,
      "Try again; if it persists, report it: the release may have been replaced.",
    );
  }
  await Deno.rename(part, target);
  return target;
}

/** SHA-256 (hex) of a file, read as a stream. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  const file = await Deno.open(path);
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}
