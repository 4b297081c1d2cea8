/**
 * Validated reads without loading the validator every time: the result of a full validation is
 * kept with the file's path and text (in the runtime folder, mode 0600); the same text at the
 * same path is not validated again until codchi itself changes. Any other content, or a missing record,
 * takes the full path (which loads the schema library and reports errors as usual).
 */
import { buildStamp } from "./runtime.ts";
import { writeFileAtomic } from "./store.ts";

/** One remembered validation. */
interface Record<T> {
  build: string;
  file: string;
  /** The file's text when it was validated (`null`: it did not exist). */
  text: string | null;
  value: T;
}

/** A short name for a path (FNV-1a, 2 × 32 bits; the record holds the full path to compare). */
function pathKey(path: string): string {
  let a = 0x811c9dc5, b = 0x01000193;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x811c9dc5) >>> 0;
  }
  return a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0");
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

let buildId: string | undefined;

/**
 * What makes remembered validations stale: the modules that validate, or the binary (a new
 * codchi is a new binary or new modules; no version, which would load deno.json for `status`).
 */
function currentBuild(): string {
  buildId ??= buildStamp(import.meta.dirname, ["schema.ts", "store.ts", "../core/machines.ts"]);
  return buildId;
}

/**
 * The file's text, null when it does not exist; throws on anything else (and bad UTF-8).
 * Synchronous: a machine's records are small (`status` reads them for every machine).
 */
function readText(file: string): string | null {
  try {
    return utf8.decode(Deno.readFileSync(file));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/**
 * Reads `file` as `validate` would (it reads and checks the file itself, loading what it needs),
 * but returns the remembered result when this path held this exact text at a validation by
 * this codchi before. `recordDir` is a folder of codchi's own (the runtime folder).
 */
export async function readValidated<T>(
  recordDir: string,
  file: string,
  validate: () => Promise<T>,
): Promise<T> {
  let text: string | null;
  try {
    text = readText(file);
  } catch {
    return await validate(); // a folder, a loop, bad UTF-8…: the full reader says what is wrong
  }
  const record = `${recordDir}/validated/${pathKey(file)}.json`;
  const build = currentBuild();
  try {
    const r = JSON.parse(Deno.readTextFileSync(record)) as Record<T>;
    if (r.build === build && r.file === file && r.text === text) return r.value;
  } catch { /* no record (or a broken one): validate */ }
  const value = await validate();
  if (!isAbsoluteHere(recordDir)) return value; // a path of another OS (tests): remember nothing
  // Remember only what was validated: the text must not have changed meanwhile.
  let after: string | null | undefined;
  try {
    after = readText(file);
  } catch { /* unreadable now: remember nothing */ }
  if (after === text && value !== undefined) {
    const body: Record<T> = { build, file, text, value };
    await writeFileAtomic(record, JSON.stringify(body), 0o600).catch(() => {});
  }
  return value;
}

/** Forgets what was remembered about `files` (a deleted machine's records). */
export async function forgetValidated(recordDir: string, files: string[]): Promise<void> {
  for (const file of files) {
    await Deno.remove(`${recordDir}/validated/${pathKey(file)}.json`).catch(() => {});
  }
}

function isAbsoluteHere(path: string): boolean {
  return Deno.build.os === "windows" ? /^[A-Za-z]:[\\/]|^\\\\/.test(path) : path.startsWith("/");
}
