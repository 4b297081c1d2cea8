/** `codchi-release.json`: the images of one release, their files, sizes and SHA-256 (pure). */

/** The driver families that get images. */
export type ImageFamily = "lxd" | "wsl";
/** The two images of a family. */
export type ImageKind = "store" | "machine";

/** One image file of a release. */
export interface ImageEntry {
  /** File name relative to the release folder (no folders). */
  file: string;
  /** Lowercase hex SHA-256 of the file. */
  sha256: string;
  /** Size in bytes. */
  size: number;
}

/** A parsed release manifest. */
export interface ReleaseManifest {
  version: string;
  images: Partial<Record<ImageFamily, Partial<Record<ImageKind, ImageEntry>>>>;
}

/** The file name of the manifest inside a release folder. */
export const MANIFEST_FILE = "codchi-release.json";

/** Image file endings a release may hold (what LXD and `wsl --import` read). */
export const IMAGE_EXTENSIONS = [".tar", ".tar.gz", ".tar.xz", ".tar.zst"];

const FAMILIES: ImageFamily[] = ["lxd", "wsl"];
const KINDS: ImageKind[] = ["store", "machine"];

/** Why `name` cannot be an image file name of a release, or undefined. */
export function fileNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(name) || name.includes("..")) {
    return "it must be a plain file name (letters, digits, . _ + -), no folders";
  }
  if (!IMAGE_EXTENSIONS.some((e) => name.endsWith(e))) {
    return `it must end in ${IMAGE_EXTENSIONS.join(", ")}`;
  }
  return undefined;
}

/** Whether `s` is a lowercase or uppercase 64-digit hex SHA-256. */
export function isSha256(s: unknown): s is string {
  return typeof s === "string" && /^[0-9a-fA-F]{64}$/.test(s);
}

/**
 * Parses and checks a manifest's text; returns the manifest or the list of problems (each naming
 * the JSON path), never a half-checked object.
 */
export function parseManifest(text: string): ReleaseManifest | { problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { problems: [`not JSON: ${(e as Error).message}`] };
  }
  const problems: string[] = [];
  if (!isObject(raw)) return { problems: ["the top level must be an object"] };
  for (const k of Object.keys(raw)) {
    if (k !== "version" && k !== "images") problems.push(`unknown key "${k}"`);
  }
  if (typeof raw.version !== "string" || !raw.version) problems.push(`"version" must be a string`);
  const images: ReleaseManifest["images"] = {};
  if (!isObject(raw.images)) problems.push(`"images" must be an object`);
  else {
    for (const [fam, kinds] of Object.entries(raw.images)) {
      if (!FAMILIES.includes(fam as ImageFamily)) {
        problems.push(`images.${fam}: unknown family (known: ${FAMILIES.join(", ")})`);
        continue;
      }
      if (!isObject(kinds)) {
        problems.push(`images.${fam} must be an object`);
        continue;
      }
      const out: Partial<Record<ImageKind, ImageEntry>> = {};
      for (const [kind, entry] of Object.entries(kinds)) {
        const at = `images.${fam}.${kind}`;
        if (!KINDS.includes(kind as ImageKind)) {
          problems.push(`${at}: unknown image (known: ${KINDS.join(", ")})`);
          continue;
        }
        const e = parseEntry(entry, at, problems);
        if (e) out[kind as ImageKind] = e;
      }
      images[fam as ImageFamily] = out;
    }
  }
  if (problems.length) return { problems };
  return { version: raw.version as string, images };
}

function parseEntry(v: unknown, at: string, problems: string[]): ImageEntry | undefined {
  if (!isObject(v)) {
    problems.push(`${at} must be an object with file, sha256 and size`);
    return undefined;
  }
  const before = problems.length;
  for (const k of Object.keys(v)) {
    if (!["file", "sha256", "size"].includes(k)) problems.push(`${at}: unknown key "${k}"`);
  }
  const fileProblem = typeof v.file === "string" ? fileNameProblem(v.file) : "it is missing";
  if (fileProblem) problems.push(`${at}.file: ${fileProblem}`);
  if (!isSha256(v.sha256)) problems.push(`${at}.sha256 must be 64 hex digits`);
  if (typeof v.size !== "number" || !Number.isSafeInteger(v.size) || v.size < 0) {
    problems.push(`${at}.size must be a whole number of bytes`);
  }
  if (problems.length > before) return undefined;
  return {
    file: v.file as string,
    sha256: (v.sha256 as string).toLowerCase(),
    size: v.size as number,
  };
}

/** The manifest's text as the release helper writes it (stable key order, trailing newline). */
export function renderManifest(m: ReleaseManifest): string {
  const images: Record<string, Record<string, ImageEntry>> = {};
  for (const fam of FAMILIES) {
    const kinds = m.images[fam];
    if (!kinds) continue;
    images[fam] = {};
    for (const kind of KINDS) {
      const e = kinds[kind];
      if (e) images[fam][kind] = { file: e.file, sha256: e.sha256, size: e.size };
    }
  }
  return JSON.stringify({ version: m.version, images }, null, 2) + "\n";
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
