/** Reading and writing codchi's files: validated, atomic, never silently replaced. */
import { dirname } from "../path.ts";
import { hexOf } from "../bytes.ts";
import type { z } from "zod";
import { ConfigError, DiskFullError, isDiskFull } from "../errors.ts";

/**
 * Decodes bytes as strict UTF-8 (a leading BOM is dropped); throws a ConfigError naming `file`
 * and the byte offset of the first invalid sequence, never the content.
 */
export function decodeUtf8(file: string, bytes: Uint8Array): string {
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    throw new ConfigError(
      `${file} is not valid UTF-8 (bad byte at offset ${bad}).`,
      `Save ${file} as UTF-8 (codchi never rewrites it).`,
    );
  }
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/** Offset of the first byte that is not part of valid UTF-8 (RFC 3629), or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n: number, min: number;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}

/**
 * Reads a file codchi owns as bytes; `undefined` when it does not exist. A folder, a symlink
 * loop or an unreadable file where a file belongs is a ConfigError naming it.
 */
export async function readOwnFile(file: string): Promise<Uint8Array | undefined> {
  try {
    return await Deno.readFile(file);
  } catch (e) {
    return notThere(file, e);
  }
}

/** `readOwnFile`, synchronously (for small files). */
export function readOwnFileSync(file: string): Uint8Array | undefined {
  try {
    return Deno.readFileSync(file);
  } catch (e) {
    return notThere(file, e);
  }
}

/** `undefined` for a missing file; any other read error is a ConfigError naming the file. */
function notThere(file: string, e: unknown): undefined {
  if (e instanceof Deno.errors.NotFound) return undefined;
  throw new ConfigError(
    `${file} cannot be read as a file: ${fileProblem(e)}.`,
    `Move ${file} away or replace it with a regular file.`,
    { cause: e },
  );
}

/** Short reason for a file-system error, without any file content. */
export function fileProblem(e: unknown): string {
  if (e instanceof Deno.errors.IsADirectory) return "it is a folder";
  if (e instanceof Deno.errors.FilesystemLoop) return "it is a symlink loop";
  if (e instanceof Deno.errors.PermissionDenied) return "permission denied";
  const msg = e instanceof Error ? e.message : String(e);
  if (/is a directory/i.test(msg)) return "it is a folder";
  if (/too many levels of symbolic links|symlink loop|ELOOP/i.test(msg)) {
    return "it is a symlink loop";
  }
  return msg.split(":")[0].slice(0, 80);
}

/** Reads and validates a JSON file; `undefined` when it does not exist. */
export async function readJson<T extends z.ZodType>(
  file: string,
  schema: T,
): Promise<z.infer<T> | undefined> {
  const bytes = await readOwnFile(file);
  if (bytes === undefined) return undefined;
  return parseJson(file, decodeUtf8(file, bytes), schema);
}

/** Line and column (1-based) of character offset `pos` in `text`. */
export function lineColumn(text: string, pos: number): { line: number; column: number } {
  const before = text.slice(0, pos);
  const line = before.split("\n").length;
  return { line, column: pos - before.lastIndexOf("\n") };
}

/** Validates JSON text of `file`; errors name the file, the key and the fix, never the content. */
export function parseJson<T extends z.ZodType>(file: string, text: string, schema: T): z.infer<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    const pos = /position (\d+)/.exec((e as Error).message)?.[1];
    const where = pos === undefined ? text.trim() === "" ? " (the file is empty)" : "" : (() => {
      const { line, column } = lineColumn(text, Number(pos));
      return ` (at line ${line}, column ${column})`;
    })();
    throw new ConfigError(
      `${file} is not valid JSON${where}.`,
      `Fix the file by hand (codchi never overwrites it), or move it away to start from defaults.`,
      { cause: e },
    );
  }
  const res = schema.safeParse(raw);
  if (!res.success) {
    const newer = newerVersion(raw, res.error.issues);
    if (newer) {
      throw new ConfigError(
        `${file} was written by a newer codchi (format version ${newer.found}; this codchi ` +
          `reads version ${newer.known}).`,
        "Update codchi to use it; codchi leaves the file untouched.",
      );
    }
    const problems = res.error.issues.map(describeIssue);
    throw new ConfigError(
      `${file} is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
      `Edit ${file} to fix the key(s) above; codchi leaves the file untouched.`,
    );
  }
  return res.data;
}

/**
 * The file's format version and the one this codchi knows, when the file is refused because its
 * `version` is higher (a file from a newer codchi); undefined otherwise.
 */
export function newerVersion(
  raw: unknown,
  issues: readonly z.core.$ZodIssue[],
): { found: number; known: number } | undefined {
  if (typeof raw !== "object" || raw === null || !("version" in raw)) return undefined;
  const found = raw.version;
  if (typeof found !== "number") return undefined;
  for (const issue of issues) {
    if (issue.code !== "invalid_value" || issue.path.join(".") !== "version") continue;
    const known = issue.values.filter((v): v is number => typeof v === "number");
    if (known.length && found > Math.max(...known)) return { found, known: Math.max(...known) };
  }
  return undefined;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const at = issue.path.length ? issue.path.map(String).join(".") : "(top level)";
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => `"${k}"`).join(", ");
    return `unknown key ${keys} at ${at}: remove it or check its spelling`;
  }
  return `key "${at}": ${issue.message}`;
}

/**
 * Writes `data` atomically (src/atomic_write.ts, `mode` exact when given); a full disk is a
 * DiskFullError saying how many bytes it needed.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  mode?: number,
): Promise<void> {
  // Loaded when writing: status's fast path, which loads this module, writes nothing.
  const { writeAtomic } = await import("../atomic_write.ts");
  try {
    await writeAtomic(file, data, { mode });
  } catch (e) {
    if (isDiskFull(e)) {
      const size = typeof data === "string" ? new TextEncoder().encode(data).length : data.length;
      throw new DiskFullError(
        `The disk is full: writing ${file} needs ${size} bytes.`,
        `Free some space on the disk of ${dirname(file)}, then run the command again.`,
        { cause: e },
      );
    }
    throw e;
  }
}

/** Writes a value as pretty JSON, atomically. */
export async function writeJson(file: string, value: unknown, mode?: number): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value, null, 2) + "\n", mode);
}

/** SHA-256 hex of bytes or text. */
export async function sha256(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return hexOf(new Uint8Array(digest));
}

/** SHA-256 of a file, or "" when it does not exist. */
export async function fileHash(file: string): Promise<string> {
  // Synchronous: a flake's files are small; no trip through Deno's thread pool (status reads many).
  const bytes = readOwnFileSync(file);
  return bytes === undefined ? "" : await sha256(bytes);
}
