/**
 * `selectSecretStore`: the ONE place a secret backend is chosen. Windows → DPAPI; Linux → the
 * Secret Service when the session bus has (or can start) org.freedesktop.secrets, else a file;
 * `CODCHI_SECRET_BACKEND=file|secret-service|dpapi` forces one.
 */
import type { Env, HostOs, Paths } from "../config/paths.ts";
import { PrerequisiteError, UsageError } from "../errors.ts";
import { sessionBusSocket } from "./dbus_address.ts";
import { FileSecretStore } from "./file_store.ts";
import { secretServiceAvailable, SecretServiceStore } from "./secret_service.ts";
import type { SecretBackendName, SecretStore } from "./types.ts";

export type { SecretBackendName, SecretStore } from "./types.ts";
export { TOKEN_SCOPE } from "./types.ts";

/** The variable that forces a backend. */
export const BACKEND_ENV = "CODCHI_SECRET_BACKEND";

const BACKENDS: readonly SecretBackendName[] = ["secret-service", "dpapi", "file"];

/** Effects `selectSecretStore` needs, injectable for tests. */
export interface SelectDeps {
  /** Whether a path exists (the session bus socket). */
  exists(path: string): Promise<boolean>;
  /** Whether the bus at a socket has, or can start, org.freedesktop.secrets. */
  hasSecretService(socket: string): Promise<boolean>;
  /** Builds the DPAPI store (imported lazily, so Linux never loads Windows FFI code). */
  dpapi(file: string): Promise<SecretStore>;
}

/** The backend asked for by `CODCHI_SECRET_BACKEND`, or undefined; a UsageError for a bad one. */
export function forcedBackend(env: Env): SecretBackendName | undefined {
  const v = env[BACKEND_ENV]?.trim();
  if (!v) return undefined;
  if ((BACKENDS as readonly string[]).includes(v)) return v as SecretBackendName;
  throw new UsageError(
    `${BACKEND_ENV}=${JSON.stringify(v)} is not a secret backend.`,
    `Use one of: ${BACKENDS.join(", ")} (or unset it to let codchi choose).`,
  );
}

/**
 * Chooses and builds the secret store for this host (`paths.secretsFile` is the file backend's
 * file). `warn` receives the file backend's warning at every write.
 */
export async function selectSecretStore(
  os: HostOs,
  env: Env,
  paths: Pick<Paths, "secretsFile">,
  warn: (message: string) => void,
  deps: SelectDeps = realDeps,
): Promise<SecretStore> {
  const forced = forcedBackend(env);
  const file = (reason: string) =>
    new FileSecretStore(fileBackendPath(paths.secretsFile), warn, reason);
  if (forced === "file") return file(`${BACKEND_ENV}=file asks for this backend.`);
  if (forced === "dpapi" || (forced === undefined && os === "windows")) {
    if (os !== "windows") {
      throw new UsageError(`${BACKEND_ENV}=dpapi works on Windows only.`, "Unset it.");
    }
    return await deps.dpapi(paths.secretsFile);
  }
  const socket = sessionBusSocket(env);
  const usable = socket !== undefined && await deps.exists(socket) &&
    await deps.hasSecretService(socket);
  if (usable) return new SecretServiceStore(socket!);
  if (forced === "secret-service") {
    throw new PrerequisiteError(
      socket === undefined || !(await deps.exists(socket))
        ? "No D-Bus session bus was found (DBUS_SESSION_BUS_ADDRESS, $XDG_RUNTIME_DIR/bus)."
        : "The session bus has no Secret Service (org.freedesktop.secrets).",
      `Start gnome-keyring or KWallet in your session, or unset ${BACKEND_ENV}.`,
    );
  }
  return file(
    "no Secret Service (org.freedesktop.secrets) was found on the D-Bus session bus. " +
      "Start gnome-keyring or KWallet in your session to keep them encrypted.",
  );
}

/**
 * The file backend's file: `secretsFile`, except that a DPAPI file name (`*.dpapi.json`, Windows)
 * becomes `*.json`, so forcing the file backend never clobbers the DPAPI blobs.
 */
export function fileBackendPath(secretsFile: string): string {
  return secretsFile.replace(/\.dpapi\.json$/, ".json");
}

const realDeps: SelectDeps = {
  async exists(path) {
    try {
      await Deno.stat(path);
      return true;
    } catch {
      return false;
    }
  },
  hasSecretService: (socket) => secretServiceAvailable(socket),
  async dpapi(file) {
    const { createDpapiStore } = await import("./dpapi.ts");
    return await createDpapiStore(file);
  },
};
