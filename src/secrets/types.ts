/** The secret store contract: one backend per host, chosen in one place (`selectSecretStore`). */

/** Names of the secret backends. */
export type SecretBackendName = "secret-service" | "dpapi" | "file";

/**
 * Keeps secret values at rest. A `scope` is a machine name, or `"@tokens"` for access tokens of
 * private module repositories. Values are arbitrary unicode strings and round-trip exactly.
 */
export interface SecretStore {
  readonly name: SecretBackendName;
  get(scope: string, key: string): Promise<string | undefined>;
  set(scope: string, key: string, value: string): Promise<void>;
  delete(scope: string, key: string): Promise<void>;
  /** Keys stored for a scope, sorted. */
  list(scope: string): Promise<string[]>;
  /** Removes every key of a scope (machine delete). */
  deleteScope(scope: string): Promise<void>;
}

/** Scope used for access tokens of private module repositories. */
export const TOKEN_SCOPE = "@tokens";
