/**
 * The DPAPI secret backend (Windows): each value encrypted for the current user with
 * `CryptProtectData`, kept base64 in one JSON file (`secretsFile` of `computePaths`).
 * The entropy binds a blob to its scope and key, so blobs moved between entries do not decrypt.
 */
import { writeAtomic } from "../atomic_write.ts";
import { ConfigError } from "../errors.ts";
import type { SecretStore } from "./types.ts";

/** Encrypts and decrypts for the current user (DPAPI on Windows; a fake in tests). */
export interface Protector {
  protect(plain: Uint8Array, entropy: Uint8Array): Uint8Array;
  /** Throws when the blob was changed or belongs to someone else. */
  unprotect(blob: Uint8Array, entropy: Uint8Array): Uint8Array;
}

/** On-disk shape of the secrets file. */
interface SecretsFile {
  version: 1;
  backend: "dpapi";
  /** scope → key → base64 DPAPI blob. */
  scopes: Record<string, Record<string, string>>;
}

const enc = new TextEncoder();
/** First byte of every plain text before encryption: a format version, and never empty input. */
const PLAIN_FORMAT = 1;
const dec = new TextDecoder("utf-8", { fatal: true });

/** The DPAPI protector through Deno FFI (loads crypt32.dll on first use). */
export async function dpapiProtector(): Promise<Protector> {
  const crypt = await import("../host/windows/ffi/crypt.ts");
  return { protect: (p, e) => crypt.protect(p, e, "codchi secret"), unprotect: crypt.unprotect };
}

/** Opens the DPAPI store at `file` (created on first write). */
export async function createDpapiStore(file: string, protector?: Protector): Promise<SecretStore> {
  return new DpapiSecretStore(file, protector ?? await dpapiProtector());
}

/** Entropy of one entry: "codchi\0<scope>\0<key>" in UTF-8. */
export function entryEntropy(scope: string, key: string): Uint8Array {
  return enc.encode(`codchi\0${scope}\0${key}`);
}

/** A `SecretStore` over a JSON file of DPAPI blobs. */
export class DpapiSecretStore implements SecretStore {
  readonly name = "dpapi" as const;
  constructor(readonly file: string, private readonly protector: Protector) {}

  async get(scope: string, key: string): Promise<string | undefined> {
    const b64 = (await this.#read()).scopes[scope]?.[key];
    if (b64 === undefined) return undefined;
    let plain: Uint8Array;
    try {
      plain = this.protector.unprotect(fromBase64(b64), entryEntropy(scope, key));
    } catch {
      throw new ConfigError(
        `The stored secret ${key} of ${scope} cannot be decrypted: ${this.file} was changed, ` +
          `or it was written by another Windows user.`,
        `Set it again: codchi secrets set ${scope} ${key}`,
      );
    }
    try {
      if (plain[0] !== PLAIN_FORMAT) {
        throw new ConfigError(
          `The stored secret ${key} of ${scope} has an unknown format.`,
          `Set it again: codchi secrets set ${scope} ${key}`,
        );
      }
      return dec.decode(plain.subarray(1));
    } finally {
      plain.fill(0);
    }
  }

  async set(scope: string, key: string, value: string): Promise<void> {
    const data = await this.#read();
    const utf8 = enc.encode(value);
    const plain = new Uint8Array(1 + utf8.length);
    plain[0] = PLAIN_FORMAT;
    plain.set(utf8, 1);
    utf8.fill(0);
    const blob = this.protector.protect(plain, entryEntropy(scope, key));
    plain.fill(0);
    (data.scopes[scope] ??= {})[key] = toBase64(blob);
    await this.#write(data);
  }

  async delete(scope: string, key: string): Promise<void> {
    const data = await this.#read();
    if (data.scopes[scope]?.[key] === undefined) return;
    delete data.scopes[scope][key];
    if (Object.keys(data.scopes[scope]).length === 0) delete data.scopes[scope];
    await this.#write(data);
  }

  async list(scope: string): Promise<string[]> {
    return Object.keys((await this.#read()).scopes[scope] ?? {}).sort();
  }

  async deleteScope(scope: string): Promise<void> {
    const data = await this.#read();
    if (!(scope in data.scopes)) return;
    delete data.scopes[scope];
    await this.#write(data);
  }

  async #read(): Promise<SecretsFile> {
    let text: string;
    try {
      text = await Deno.readTextFile(this.file);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return { version: 1, backend: "dpapi", scopes: {} };
      throw e;
    }
    const hint = `Move ${this.file} away and set the secrets again (codchi secrets set).`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ConfigError(`The secrets file ${this.file} is not valid JSON.`, hint);
    }
    if (!isSecretsFile(parsed)) {
      throw new ConfigError(`The secrets file ${this.file} has an unknown layout.`, hint);
    }
    return parsed;
  }

  async #write(data: SecretsFile): Promise<void> {
    await writeAtomic(this.file, JSON.stringify(data, null, 2) + "\n", { mode: 0o600 });
  }
}

function isSecretsFile(v: unknown): v is SecretsFile {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Record<string, unknown>;
  if (o.version !== 1 || o.backend !== "dpapi") return false;
  if (typeof o.scopes !== "object" || o.scopes === null || Array.isArray(o.scopes)) return false;
  return Object.values(o.scopes).every((s) =>
    typeof s === "object" && s !== null && !Array.isArray(s) &&
    Object.values(s).every((b) => typeof b === "string" && /^[A-Za-z0-9+/]*={0,2}$/.test(b))
  );
}

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}
