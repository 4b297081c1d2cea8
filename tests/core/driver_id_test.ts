/** The driver flake's identity (src/core/driver_id.ts): its tree hash, against node:crypto. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { driverId, treeHash } from "../../src/core/driver_id.ts";

Deno.test("treeHash: SHA-256 over sorted relative paths, sizes, contents and link targets", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/b`);
    await Deno.writeTextFile(`${dir}/b/x.nix`, "{ }\n");
    await Deno.writeTextFile(`${dir}/a.nix`, "é");
    await Deno.symlink("a.nix", `${dir}/c`);
    // The same serialization, hashed by another implementation.
    const h = createHash("sha256");
    h.update("/a.nix\x002\x00");
    h.update("é");
    h.update("/b/x.nix\x004\x00");
    h.update("{ }\n");
    h.update("/c\x00-> a.nix\x00");
    const want = h.digest("hex");
    assert.equal(await treeHash(dir), want);
    assert.equal(await driverId({ kind: "folder", dir }), `sha256:${want}`);
    await Deno.writeTextFile(`${dir}/b/x.nix`, "{ }\n\n");
    assert.notEqual(await treeHash(dir), want);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
