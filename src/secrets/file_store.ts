/**
 * The file secret backend: one JSON file readable by the user alone (mode 0600, folder 0700),
 * written atomically (temp file + rename), with a warning at every write. Used only where no OS
 * keychain exists (a headless server) or when `CODCHI_SECRET_BACKEND=file` asks for it.
 */
import { z } from "zod";
import { writeAtomic } from "../atomic_write.ts";
import { ConfigError } from "../errors.ts";
import { registerSecret } from "../process.ts";
import type { SecretStore } from "./types.ts";

/** Current version of the file's layout. */
export const SECRETS_FILE_VERSION = 1;

const fileSchema = z.strictObject({
  version: z.literal(SECRETS_FILE_VERSION),
  secrets: z.record(z.string(), z.record(z.string(), z.string())),
});

/** Contents of the secrets file: scope → key → value. */
export type SecretsData = Record<string, Record<string, string>>;

/** Parses the file's text; throws a ConfigError (never falls back to empty) when it is broken. */
export function parseSecretsFile(text: string, path: string): SecretsData {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw brokenFile(path, (e as Error).message);
  }
  const res = fileSchema.safeParse(json);
  if (!res.success) throw brokenFile(path, z.prettifyError(res.error));
  return res.data.secrets;
}

/** Serializes the data, scopes and keys sorted, so equal contents give equal files. */
export function renderSecretsFile(data: SecretsData): string {
  const secrets: SecretsData = {};
  for (const scope of Object.keys(data).sort()) {
    const keys = Object.keys(data[scope]).sort();
    if (keys.length === 0) continue;
    secrets[scope] = Object.fromEntries(keys.map((k) => [k, data[scope][k]]));
  }
  return JSON.stringify({ version: SECRETS_FILE_VERSION, secrets }, null, 2) + "\n";
}

function brokenFile(path: string, why: string): ConfigError {
  return new ConfigError(
    `The secrets file ${path} cannot be read: ${why}`,
    "Repair it by hand or move it away (its secrets are then asked for again).",
  );
}

/** The warning printed at every write of the file backend. */
export function fileBackendWarning(path: string, reason: string): string {
  return `Secrets are kept unencrypted in ${path} (readable by you alone): ${reason}`;
}

/** Secret store on one JSON file. `warn` is called at every write, `reason` says why this backend. */
export class FileSecretStore implements SecretStore {
  readonly name = "file" as const;
  constructor(
    readonly path: string,
    private readonly warn: (message: string) => void,
    private readonly reason = "no OS keychain was found.",
  ) {}

  async get(scope: string, key: string): Promise<string | undefined> {
    const value = (await this.#read())[scope]?.[key];
    if (value !== undefined) registerSecret(value);
    return value;
  }

  async set(scope: string, key: string, value: string): Promise<void> {
    registerSecret(value);
    const data = await this.#read();
    if (data[scope]?.[key] === value) return;
    (data[scope] ??= {})[key] = value;
    await this.#write(data);
  }

  async delete(scope: string, key: string): Promise<void> {
    const data = await this.#read();
    if (data[scope]?.[key] === undefined) return;
    delete data[scope][key];
    await this.#write(data);
  }

  async list(scope: string): Promise<string[]> {
    return Object.keys((await this.#read())[scope] ?? {}).sort();
  }

  async deleteScope(scope: string): Promise<void> {
    const data = await this.#read();
    if (data[scope] === undefined) return;
    delete data[scope];
    await this.#write(data);
  }

  async #read(): Promise<SecretsData> {
    let text: string;
    try {
      text = await Deno.readTextFile(this.path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return {};
      throw e;
    }
    const data = parseSecretsFile(text, this.path);
    for (const keys of Object.values(data)) Object.values(keys).forEach(registerSecret);
    return data;
  }

  async #write(data: SecretsData): Promise<void> {
    this.warn(fileBackendWarning(this.path, this.reason));
    await writePrivateFile(this.path, renderSecretsFile(data));
  }
}

/** Writes `text` to `path` atomically with mode 0600 (its folder created with mode 0700). */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  await writeAtomic(path, text, { mode: 0o600, dirMode: 0o700, sync: true });
}
