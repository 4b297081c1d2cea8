import { equal, notEqual, ok, rejects, throws } from "node:assert/strict";
import { win32 } from "node:path";
import { ConfigError } from "../../src/errors.ts";
import { protect, unprotect } from "../../src/host/windows/ffi/crypt.ts";
import { createDpapiStore } from "../../src/secrets/dpapi.ts";

const enc = new TextEncoder();
const hostile = `quo"te 'single' $HOME \`tick\` back\\slash\nnew line ünï ✓ 🚀 ${"x".repeat(5000)}`;

Deno.test("DPAPI protects and unprotects for this user; entropy must match", () => {
  const blob = protect(enc.encode("s3cret"), enc.encode("salt"));
  ok(!new TextDecoder("latin1").decode(blob).includes("s3cret"));
  equal(new TextDecoder().decode(unprotect(blob, enc.encode("salt"))), "s3cret");
  throws(() => unprotect(blob, enc.encode("other")));
  const changed = blob.slice();
  changed[changed.length - 1] ^= 0xff;
  throws(() => unprotect(changed, enc.encode("salt")));
});

Deno.test("the DPAPI secret store round-trips values and rejects a tampered blob", async () => {
  const dir = await Deno.makeTempDir();
  const file = win32.join(dir, "codchi", "secrets.dpapi.json");
  try {
    const store = await createDpapiStore(file);
    equal(store.name, "dpapi");
    await store.set("java", "TOKEN", hostile);
    await store.set("java", "EMPTY", "");
    await store.set("@tokens", "github.com", "ghp_wine");
    equal(await store.get("java", "TOKEN"), hostile);
    equal(await store.get("java", "EMPTY"), "");
    equal(await store.get("@tokens", "github.com"), "ghp_wine");
    const text = await Deno.readTextFile(file);
    // Markers base64 cannot produce by chance: `_` is not in its alphabet, nor are 40 x in a row
    // likely (the hostile value carries 5000); a short word like "quo" occasionally is.
    ok(!text.includes("ghp_wine") && !text.includes("x".repeat(40)), "no plain text in the file");
    // A fresh store over the same file reads the same values (nothing kept in memory).
    equal(await (await createDpapiStore(file)).get("java", "TOKEN"), hostile);

    const data = JSON.parse(text);
    const blob = Uint8Array.from(atob(data.scopes.java.TOKEN), (c) => c.charCodeAt(0));
    blob[blob.length - 5] ^= 0x01;
    let s = "";
    for (const b of blob) s += String.fromCharCode(b);
    notEqual(btoa(s), data.scopes.java.TOKEN);
    data.scopes.java.TOKEN = btoa(s);
    await Deno.writeTextFile(file, JSON.stringify(data));
    await rejects(store.get("java", "TOKEN"), ConfigError);
    equal(await store.get("@tokens", "github.com"), "ghp_wine"); // the others still decrypt
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
