import { assert, assertEquals, assertRejects } from "./_assert.ts";
import { ConfigError } from "../../src/errors.ts";
import {
  FileSecretStore,
  parseSecretsFile,
  renderSecretsFile,
} from "../../src/secrets/file_store.ts";
import { hostileSecrets } from "./hostile_values.ts";

async function withStore(
  fn: (store: FileSecretStore, path: string, warnings: string[]) => Promise<void>,
) {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/data/codchi/secrets.json`;
  const warnings: string[] = [];
  try {
    await fn(
      new FileSecretStore(path, (m) => warnings.push(m), "no keychain (test)."),
      path,
      warnings,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("file store: set, get, replace, list, delete, deleteScope", () =>
  withStore(async (store, _path, warnings) => {
    assertEquals(store.name, "file");
    assertEquals(await store.get("m", "A"), undefined);
    assertEquals(await store.list("m"), []);
    await store.set("m", "B", "one");
    await store.set("m", "A", "two");
    await store.set("other", "A", "three");
    assertEquals(await store.get("m", "B"), "one");
    await store.set("m", "B", "replaced");
    assertEquals(await store.get("m", "B"), "replaced");
    assertEquals(await store.list("m"), ["A", "B"]);
    await store.delete("m", "B");
    assertEquals(await store.list("m"), ["A"]);
    await store.deleteScope("m");
    assertEquals(await store.list("m"), []);
    assertEquals(await store.get("other", "A"), "three");
    assertEquals(warnings.length, 6);
    assert(warnings.every((w) => w.includes("unencrypted") && w.includes("no keychain (test).")));
  }));

Deno.test("file store: writes only when something changes (no needless warning)", () =>
  withStore(async (store, _path, warnings) => {
    await store.set("m", "A", "v");
    await store.set("m", "A", "v");
    await store.delete("m", "nope");
    await store.deleteScope("nope");
    assertEquals(warnings.length, 1);
  }));

Deno.test("file store: the file is 0600, its folder 0700, whatever the umask; no temp files left", () =>
  withStore(async (store, path) => {
    const old = Deno.umask(0o000);
    try {
      await store.set("m", "A", "v");
      await store.set("m", "B", "w");
    } finally {
      Deno.umask(old);
    }
    assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
    assertEquals((await Deno.stat(path.replace(/\/[^/]+$/, ""))).mode! & 0o777, 0o700);
    const names = [...Deno.readDirSync(path.replace(/\/[^/]+$/, ""))].map((e) => e.name);
    assertEquals(names, ["secrets.json"]);
  }));

Deno.test("file store: hostile values round-trip exactly, also through a new instance", () =>
  withStore(async (store, path) => {
    const secrets = hostileSecrets(5, 40);
    for (const [k, v] of Object.entries(secrets)) await store.set("m", k, v);
    const again = new FileSecretStore(path, () => {});
    for (const [k, v] of Object.entries(secrets)) assertEquals(await again.get("m", k), v);
    assertEquals(await again.list("m"), Object.keys(secrets).sort());
  }));

Deno.test("file store: a corrupt file is a ConfigError and is never overwritten", () =>
  withStore(async (store, path) => {
    await store.set("m", "A", "v");
    await Deno.writeTextFile(path, "{ not json");
    await assertRejects(() => store.get("m", "A"), ConfigError);
    await assertRejects(() => store.set("m", "A", "w"), ConfigError);
    assertEquals(await Deno.readTextFile(path), "{ not json");
    await Deno.writeTextFile(path, JSON.stringify({ version: 1, secrets: { m: { A: 1 } } }));
    await assertRejects(() => store.list("m"), ConfigError);
    await Deno.writeTextFile(path, JSON.stringify({ version: 2, secrets: {} }));
    await assertRejects(() => store.list("m"), ConfigError);
  }));

Deno.test("file format: render is sorted and drops empty scopes; parse reads it back", () => {
  const text = renderSecretsFile({ b: { y: "1", x: "2" }, a: {}, c: { z: "" } });
  assertEquals(
    text,
    '{\n  "version": 1,\n  "secrets": {\n    "b": {\n      "x": "2",\n      "y": "1"\n    },\n    "c": {\n      "z": ""\n    }\n  }\n}\n',
  );
  assertEquals(parseSecretsFile(text, "f"), { b: { x: "2", y: "1" }, c: { z: "" } });
});
