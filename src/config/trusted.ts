/**
 * Validated reads without loading the validator every time: the result of a full validation is
 * kept per file path and content hash (in the runtime folder); the same bytes at the same path
 * are not validated again until codchi itself changes. Any other content, or a missing record,
 * takes the full path (which loads the schema library and reports errors as usual).
 */
import { VERSION } from "../version.ts";
import { sha256, writeFileAtomic } from "./store.ts";

/** One remembered validation. */
interface Record<T> {
  build: string;
  file: string;
  hash: string;
  value: T;
}

/** Content hash of a missing file (a missing file's meaning is validated and kept too). */
const ABSENT = "absent";

let buildId: string | undefined;

/**
 * What makes remembered validations stale: the version, plus the modification times of the
 * modules that validate (a checkout) or of the binary (a compiled codchi).
 */
function currentBuild(): string {
  if (buildId) return buildId;
  const stamps: number[] = [];
  for (const m of ["./schema.ts", "./store.ts", "../core/machines.ts"]) {
    const url = new URL(m, import.meta.url);
    if (url.protocol !== "file:") continue;
    try {
      stamps.push(Deno.statSync(url).mtime?.getTime() ?? 0);
    } catch { /* compiled: not on disk */ }
  }
  if (stamps.length === 0) {
    try {
      stamps.push(Deno.statSync(Deno.execPath()).mtime?.getTime() ?? 0);
    } catch { /* no stamp: the version alone */ }
  }
  buildId = `${VERSION}:${stamps.join(",")}`;
  return buildId;
}

async function readBytes(file: string): Promise<Uint8Array | undefined> {
  try {
    return await Deno.readFile(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/**
 * Reads `file` as `validate` would (it reads and checks the file itself, loading what it needs),
 * but returns the remembered result when this path held these exact bytes at a validation by
 * this codchi before. `recordDir` is a folder of codchi's own (the runtime folder).
 */
export async function readValidated<T>(
  recordDir: string,
  file: string,
  validate: () => Promise<T>,
): Promise<T> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readBytes(file);
  } catch {
    return await validate(); // a folder, a loop…: the full reader says what is wrong
  }
  const hash = bytes ? await sha256(bytes) : ABSENT;
  const record = `${recordDir}/validated/${(await sha256(file)).slice(0, 32)}.json`;
  const build = currentBuild();
  try {
    const r = JSON.parse(await Deno.readTextFile(record)) as Record<T>;
    if (r.build === build && r.file === file && r.hash === hash) return r.value;
  } catch { /* no record (or a broken one): validate */ }
  const value = await validate();
  if (!isAbsoluteHere(recordDir)) return value; // a path of another OS (tests): remember nothing
  // Remember only what was validated: the bytes must not have changed meanwhile.
  const after = await readBytes(file).catch(() => new Uint8Array());
  const same = after ? await sha256(after) === hash : hash === ABSENT;
  if (same && value !== undefined) {
    const body: Record<T> = { build, file, hash, value };
    await writeFileAtomic(record, JSON.stringify(body), 0o600).catch(() => {});
  }
  return value;
}

function isAbsoluteHere(path: string): boolean {
  return Deno.build.os === "windows" ? /^[A-Za-z]:[\\/]|^\\\\/.test(path) : path.startsWith("/");
}
