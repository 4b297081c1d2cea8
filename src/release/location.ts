/** Where a release is: the default GitHub release of this version, or a mirror (pure). */
import { posix, win32 } from "node:path";
import { UsageError } from "../errors.ts";

/** The project's GitHub repository; releases are its tags `v<version>`. */
export const RELEASE_REPO = "https://github.com/codchi-dev/codchi";

/** A release folder: reached over HTTP(S), or a folder on this host. */
export type ReleaseLocation =
  | { kind: "http"; base: string; origin: string }
  | { kind: "folder"; dir: string; origin: string };

/** The GitHub release folder of `version` (its assets are served below it). */
export function defaultReleaseUrl(version: string): string {
  return `${RELEASE_REPO}/releases/download/v${version}/`;
}

/**
 * The release location from `CODCHI_RELEASE_URL`, else config.json's `release.url`, else the
 * project's release of `version`. Accepts `https://`, `http://`, `file://` URLs and absolute
 * folder paths; anything else is a UsageError naming where the value came from.
 */
export function releaseLocation(
  envUrl: string | undefined,
  configUrl: string | undefined,
  version: string,
  os: "linux" | "windows" = "linux",
): ReleaseLocation {
  if (envUrl) return parseLocation(envUrl, "CODCHI_RELEASE_URL", os);
  if (configUrl) return parseLocation(configUrl, `"release.url" in config.json`, os);
  return { kind: "http", base: defaultReleaseUrl(version), origin: "the project's release" };
}

/** Parses one release location value; `origin` names where it came from (for messages). */
export function parseLocation(
  value: string,
  origin: string,
  os: "linux" | "windows" = "linux",
): ReleaseLocation {
  const bad = (why: string) =>
    new UsageError(
      `${origin} = ${JSON.stringify(value)} is not a release location: ${why}.`,
      "Use an https:// or http:// URL, a file:// URL, or an absolute folder path.",
    );
  const path = os === "windows" ? win32 : posix;
  if (path.isAbsolute(value) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    return { kind: "folder", dir: path.normalize(value), origin };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad("neither a URL nor an absolute path");
  }
  if (url.username || url.password) throw bad("credentials in the URL are not supported");
  if (url.search || url.hash) throw bad("a query or fragment is not part of a folder URL");
  if (url.protocol === "file:") {
    const dir = filePath(url, os);
    if (!dir) throw bad("the file URL names no local folder");
    return { kind: "folder", dir, origin };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw bad(`the scheme ${url.protocol} is not supported`);
  }
  const base = url.href.endsWith("/") ? url.href : `${url.href}/`;
  return { kind: "http", base, origin };
}

/** Where `file` (a plain file name) of the release is: a URL or a host path. */
export function releaseFile(
  loc: ReleaseLocation,
  file: string,
  os: "linux" | "windows" = "linux",
): string {
  if (loc.kind === "http") return new URL(encodeURIComponent(file), loc.base).href;
  return (os === "windows" ? win32 : posix).join(loc.dir, file);
}

/** The host path of a `file:` URL (`C:\x` and UNC shares on Windows), or undefined. */
export function filePath(url: URL, os: "linux" | "windows"): string | undefined {
  let p: string;
  try {
    p = decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
  const host = url.hostname === "localhost" ? "" : url.hostname;
  if (os === "windows") {
    const back = p.replace(/\//g, "\\");
    if (host) return `\\\\${host}${back}`;
    return /^\\[A-Za-z]:/.test(back) ? win32.normalize(back.slice(1)) : undefined;
  }
  if (host || p.includes("\0")) return undefined;
  return posix.normalize(p);
}
