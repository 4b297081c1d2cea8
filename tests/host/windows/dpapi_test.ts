import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { ConfigError } from "../../../src/errors.ts";
import { DpapiSecretStore, entryEntropy, type Protector } from "../../../src/secrets/dpapi.ts";

/** A stand-in for DPAPI: XOR with a key stream and a checksum over plain text and entropy. */
const fakeProtector: Protector = {
  protect(plain, entropy) {
    const out = new Uint8Array(plain.length + 4);
    plain.forEach((b, i) => (out[i] = b ^ (0x5a + i) & 0xff));
    new DataView(out.buffer).setUint32(plain.length, sum(plain, entropy));
    return out;
  },
  unprotect(blob, entropy) {
    const plain = blob.slice(0, -4).map((b, i) => b ^ (0x5a + i) & 0xff);
    if (
      new DataView(blob.buffer, blob.byteOffset).getUint32(blob.length - 4) !== sum(plain, entropy)
    ) {
      throw new Error("bad blob");
    }
    return plain;
  },
};
function sum(a: Uint8Array, b: Uint8Array): number {
  let h = 2166136261;
  for (const x of [...a, 0xff, ...b]) h = Math.imul(h ^ x, 16777619) >>> 0;
  return h;
}

async function withStore(fn: (s: DpapiSecretStore, file: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(
      new DpapiSecretStore(`${dir}/sub/secrets.dpapi.json`, fakeProtector),
      `${dir}/sub/secrets.dpapi.json`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const hostile = `quo"te 'single' $HOME \`tick\` back\\slash\nnew line ünï ✓ 🚀`;

Deno.test("set, get, list, delete, deleteScope", () =>
  withStore(async (s, file) => {
    equal(await s.get("java", "TOKEN"), undefined);
    await s.set("java", "TOKEN", hostile);
    await s.set("java", "A", "1");
    await s.set("@tokens", "github.com", "ghp_x");
    equal(await s.get("java", "TOKEN"), hostile);
    deepEqual(await s.list("java"), ["A", "TOKEN"]);
    const text = await Deno.readTextFile(file);
    ok(!text.includes("ghp_x") && !text.includes("HOME"), "values are not in the file");
    deepEqual(Object.keys(JSON.parse(text).scopes).sort(), ["@tokens", "java"]);
    await s.delete("java", "A");
    deepEqual(await s.list("java"), ["TOKEN"]);
    await s.deleteScope("java");
    deepEqual(await s.list("java"), []);
    equal(await s.get("@tokens", "github.com"), "ghp_x");
  }));

Deno.test("a changed blob is an error that says what to do, without the value", () =>
  withStore(async (s, file) => {
    await s.set("java", "TOKEN", "secret-value");
    const data = JSON.parse(await Deno.readTextFile(file));
    const blob = Uint8Array.from(atob(data.scopes.java.TOKEN), (c) => c.charCodeAt(0));
    blob[0] ^= 1;
    data.scopes.java.TOKEN = btoa(String.fromCharCode(...blob));
    await Deno.writeTextFile(file, JSON.stringify(data));
    await rejects(s.get("java", "TOKEN"), (e: unknown) => {
      ok(e instanceof ConfigError);
      ok(e.hint?.includes("codchi secrets set java TOKEN"));
      ok(!e.message.includes("secret-value"));
      return true;
    });
  }));

Deno.test("a blob moved to another entry does not decrypt (entropy binds scope and key)", () =>
  withStore(async (s, file) => {
    await s.set("a", "K", "v");
    const data = JSON.parse(await Deno.readTextFile(file));
    data.scopes.b = { K: data.scopes.a.K };
    await Deno.writeTextFile(file, JSON.stringify(data));
    await rejects(s.get("b", "K"), ConfigError);
    deepEqual(entryEntropy("a", "K"), new TextEncoder().encode("codchi\0a\0K"));
  }));

Deno.test("a corrupt file is an error, never replaced by an empty store", () =>
  withStore(async (s, file) => {
    await s.set("a", "K", "v");
    await Deno.writeTextFile(file, "{not json");
    await rejects(s.get("a", "K"), ConfigError);
    await rejects(s.set("a", "L", "w"), ConfigError);
    equal(await Deno.readTextFile(file), "{not json");
    await Deno.writeTextFile(file, JSON.stringify({ version: 2, backend: "dpapi", scopes: {} }));
    await rejects(s.list("a"), ConfigError);
  }));
