/** An in-memory secret store, for tests of code that talks to a `SecretStore`. */
import type { SecretBackendName, SecretStore } from "./types.ts";

/** Keeps secrets in a Map; `name` may impersonate any backend. */
export class MemorySecretStore implements SecretStore {
  /** scope → key → value, open for tests to inspect. */
  readonly data = new Map<string, Map<string, string>>();
  constructor(readonly name: SecretBackendName = "file") {}

  get(scope: string, key: string): Promise<string | undefined> {
    return Promise.resolve(this.data.get(scope)?.get(key));
  }

  set(scope: string, key: string, value: string): Promise<void> {
    if (!this.data.has(scope)) this.data.set(scope, new Map());
    this.data.get(scope)!.set(key, value);
    return Promise.resolve();
  }

  delete(scope: string, key: string): Promise<void> {
    this.data.get(scope)?.delete(key);
    return Promise.resolve();
  }

  list(scope: string): Promise<string[]> {
    return Promise.resolve([...(this.data.get(scope)?.keys() ?? [])].sort());
  }

  deleteScope(scope: string): Promise<void> {
    this.data.delete(scope);
    return Promise.resolve();
  }
}
