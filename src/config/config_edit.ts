/**
 * Changing one key of config.json (the tray's switches): the file as it is must be valid, the
 * result is validated with the same schema every command reads it with, and written atomically;
 * the user's other keys stay as written (no defaults filled in).
 */
import { ConfigError } from "../errors.ts";
import { CONFIG_VERSION, type GlobalConfig, GlobalConfigSchema } from "./schema.ts";
import { decodeUtf8, parseJson, readOwnFile, writeJson } from "./store.ts";

/** Sets `path` (e.g. `["windows", "vpnkit"]`) of config.json to `value`; returns the new config. */
export async function setConfigKey(
  file: string,
  path: readonly string[],
  value: unknown,
): Promise<GlobalConfig> {
  if (path.length === 0) throw new Error("setConfigKey: empty key path");
  const bytes = await readOwnFile(file);
  let raw: Record<string, unknown> = { version: CONFIG_VERSION };
  if (bytes !== undefined) {
    const text = decodeUtf8(file, bytes);
    // A broken or foreign file is refused as every command refuses it; never rewritten.
    parseJson(file, text, GlobalConfigSchema);
    raw = JSON.parse(text.replace(/^\uFEFF/, ""));
  }
  let at: Record<string, unknown> = raw;
  for (const key of path.slice(0, -1)) {
    const next = at[key] ?? {};
    if (typeof next !== "object" || next === null || Array.isArray(next)) {
      throw new ConfigError(
        `${file}: key "${path.join(".")}" cannot be set: "${key}" is not an object.`,
        `Edit ${file} by hand.`,
      );
    }
    at = at[key] = next as Record<string, unknown>;
  }
  at[path[path.length - 1]] = value;
  const text = JSON.stringify(raw, null, 2) + "\n";
  const parsed = parseJson(file, text, GlobalConfigSchema);
  await writeJson(file, raw);
  return parsed;
}
