/** Reading and writing codchi's files: validated, atomic, never silently replaced. */
import { dirname } from "../path.ts";
import type { z } from "zod";
import { ConfigError } from "../errors.ts";

/** Reads and validates a JSON file; `undefined` when it does not exist. */
export async function readJson<T extends z.ZodType>(
  file: string,
  schema: T,
): Promise<z.infer<T> | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  return parseJson(file, text, schema);
}

/** Validates JSON text of `file`; errors name the file, the key and the fix. */
export function parseJson<T extends z.ZodType>(file: string, text: string, schema: T): z.infer<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(
      `${file} is not valid JSON: ${(e as Error).message}`,
      `Fix the file by hand (codchi never overwrites it), or move it away to start from defaults.`,
    );
  }
  const res = schema.safeParse(raw);
  if (!res.success) {
    const problems = res.error.issues.map(describeIssue);
    throw new ConfigError(
      `${file} is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
      `Edit ${file} to fix the key(s) above; codchi leaves the file untouched.`,
    );
  }
  return res.data;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const at = issue.path.length ? issue.path.map(String).join(".") : "(top level)";
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => `"${k}"`).join(", ");
    return `unknown key ${keys} at ${at}: remove it or check its spelling`;
  }
  return `key "${at}": ${issue.message}`;
}

/** Writes `data` atomically: a temp file in the same folder, then rename. */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  mode?: number,
): Promise<void> {
  await Deno.mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data, { mode });
    else await Deno.writeFile(tmp, data, { mode });
    await Deno.rename(tmp, file);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
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
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** SHA-256 of a file, or "" when it does not exist. */
export async function fileHash(file: string): Promise<string> {
  try {
    return await sha256(await Deno.readFile(file));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return "";
    throw e;
  }
}
