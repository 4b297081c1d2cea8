/**
 * Downloading one release image into the cache: streamed to `<target>.part`, resumed with HTTP
 * Range after an interruption, verified by SHA-256, and only then renamed to `target`.
 */
import { createHash } from "node:crypto";
import { writeAll } from "../bytes.ts";
import type { Reporter } from "../reporter.ts";
import { DiskFullError, isDiskFull, NotFoundError, ToolError } from "../errors.ts";
import type { ImageEntry } from "./manifest.ts";
import { formatBytes } from "./progress.ts";
import { rangeHeader, resumePlan } from "./range.ts";

/** What a download needs besides its URL and entry. */
export interface DownloadDeps {
  fetch?: typeof fetch;
  reporter?: Reporter;
  /** Attempts in one run while bytes keep arriving (default 5). */
  attempts?: number;
  /** A connection that sends nothing for this long is dropped and resumed (default 60 s). */
  idleMs?: number;
}

/** SHA-256 (lowercase hex) of a file, read as a stream. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  const file = await Deno.open(path);
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}

/** The size of a file, or undefined when it does not exist. */
async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await Deno.stat(path)).size;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** The error of a checksum mismatch (exit 6), naming the URL and both sums. */
export function checksumError(url: string, expected: string, got: string): ToolError {
  return new ToolError(
    "download",
    `${url} is not the released file: its SHA-256 is ${got}, expected ${expected}. ` +
      "The file was deleted and nothing was imported.",
    "",
    -1,
    "A mirror or proxy serves other bytes: check CODCHI_RELEASE_URL / release.url, then try again.",
  );
}

/** An error's message with those of its causes (fetch puts the reason in `cause`). */
export function errorChain(e: unknown): string {
  const parts: string[] = [];
  for (let c: unknown = e, i = 0; c !== undefined && c !== null && i < 5; i++) {
    parts.push(c instanceof Error ? c.message : String(c));
    c = c instanceof Error ? c.cause : undefined;
  }
  return parts.join(": ");
}

function networkError(url: string, e: unknown): ToolError {
  const msg = errorChain(e);
  const why = /refused/i.test(msg)
    ? "the connection was refused"
    : /dns|resolve|lookup|name or service/i.test(msg)
    ? "the host name does not resolve"
    : /certificate|tls/i.test(msg)
    ? "the TLS handshake failed"
    : "the network request failed";
  return new ToolError(
    "download",
    `Cannot download ${url}: ${why}.`,
    msg,
    -1,
    "Check the network connection and CODCHI_RELEASE_URL / release.url, then try again.",
  );
}

/**
 * Makes `target` hold the verified file of `entry` from `url`: a cached file with the right sum
 * is used as it is (no request); otherwise the download resumes from `<target>.part`. A wrong
 * sum deletes the download and throws (exit 6); a 404 is a NotFoundError; a full disk a
 * DiskFullError (exit 6). Only verified bytes are ever renamed to `target`.
 */
export async function downloadVerified(
  url: string,
  entry: ImageEntry,
  target: string,
  deps: DownloadDeps = {},
): Promise<string> {
  const doFetch = deps.fetch ?? fetch;
  const r = deps.reporter;
  if ((await sizeOf(target)) !== undefined) {
    if ((await fileSha256(target)) === entry.sha256) return target;
    r?.warn(`The cached ${target} is damaged; downloading it again.`);
    await Deno.remove(target);
  }
  const dir = target.replace(/[\\/][^\\/]*$/, "");
  await Deno.mkdir(dir, { recursive: true });
  const part = `${target}.part`;
  r?.step(`Downloading ${entry.file} (${formatBytes(entry.size)})`);
  const attempts = deps.attempts ?? 5;
  let discarded = false;
  for (let attempt = 1;; attempt++) {
    let have = (await sizeOf(part)) ?? 0;
    if (have > entry.size) {
      await Deno.remove(part);
      have = 0;
    }
    if (have < entry.size || entry.size === 0) {
      const got = await fetchInto(url, part, have, entry.size, doFetch, r, deps.idleMs ?? 60_000);
      if (got === "discard") {
        if (discarded) {
          throw new ToolError("download", `${url} does not answer range requests sensibly.`);
        }
        discarded = true;
        await Deno.remove(part).catch(() => {});
        continue;
      }
      if (got === "cut") {
        if (attempt >= attempts) {
          throw new ToolError(
            "download",
            `The download of ${url} was interrupted ${attempt} times.`,
            "",
            -1,
            "Run the command again: it resumes where the download stopped.",
          );
        }
        r?.debug(`download: the connection was cut; resuming (attempt ${attempt + 1})`);
        continue;
      }
    }
    const sum = await fileSha256(part);
    if (sum !== entry.sha256) {
      await Deno.remove(part).catch(() => {});
      throw checksumError(url, entry.sha256, sum);
    }
    await Deno.rename(part, target);
    return target;
  }
}

/**
 * One request: writes the answer's body to `part` (appending after `have` bytes when the server
 * honours the range). "cut" when the connection broke after some bytes, "discard" when the
 * partial file must go, "done" when the whole body arrived.
 */
async function fetchInto(
  url: string,
  part: string,
  have: number,
  size: number,
  doFetch: typeof fetch,
  r: Reporter | undefined,
  idleMs: number,
): Promise<"done" | "cut" | "discard"> {
  const ctl = new AbortController();
  let timer = setTimeout(() => ctl.abort(), idleMs);
  const range = rangeHeader(have);
  let res: Response;
  try {
    res = await doFetch(url, { headers: range ? { range } : {}, signal: ctl.signal });
  } catch (e) {
    clearTimeout(timer);
    throw networkError(url, e);
  }
  const plan = resumePlan(res.status, res.headers.get("content-range"), have, size);
  if (plan.action === "fail" || !res.body) {
    clearTimeout(timer);
    await res.body?.cancel();
    if (res.status === 404 || res.status === 410) {
      throw new NotFoundError(
        `The release has no file at ${url} (HTTP ${res.status}).`,
        "Check CODCHI_RELEASE_URL / release.url: the folder must hold the images its codchi-release.json names.",
      );
    }
    throw new ToolError("download", `Downloading ${url} failed: HTTP ${res.status}.`);
  }
  if (plan.action === "discard") {
    clearTimeout(timer);
    await res.body.cancel();
    return "discard";
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(part, {
      write: true,
      create: true,
      append: plan.action === "append",
      truncate: plan.action !== "append",
    });
  } catch (e) {
    clearTimeout(timer);
    await res.body.cancel();
    throw e;
  }
  let done = plan.action === "append" ? have : 0;
  let moved = 0;
  try {
    for await (const chunk of res.body) {
      clearTimeout(timer);
      timer = setTimeout(() => ctl.abort(), idleMs);
      await writeAll(file, chunk);
      done += chunk.length;
      moved += chunk.length;
      r?.progress(done, size, "B");
    }
  } catch (e) {
    if (isDiskFull(e)) {
      file.close();
      await Deno.remove(part).catch(() => {});
      throw new DiskFullError(
        `The disk is full: ${part} could not be written (${formatBytes(size)} needed).`,
        "Free some space (or set XDG_CACHE_HOME to a bigger disk), then try again.",
      );
    }
    if (e instanceof Deno.errors.PermissionDenied) throw e;
    if (moved === 0 && !ctl.signal.aborted) throw networkError(url, e);
    return "cut";
  } finally {
    clearTimeout(timer);
    try {
      file.close();
    } catch { /* closed above */ }
  }
  // A body that ended before its Content-Length is a cut connection too.
  const announced = Number(res.headers.get("content-length") ?? NaN);
  return Number.isFinite(announced) && moved < announced ? "cut" : "done";
}
