/**
 * The remembered hashes of `status` (src/config/hash_memo.ts): the same hashes as reading and
 * hashing, the hash function skipped only for a settled file whose stamp is unchanged, and every
 * change noticed (same size, replaced, removed, a file added to a folder), on real files.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  forgetHashesBelow,
  HashMemo,
  hashMemoFile,
  SETTLE_MS,
} from "../../src/config/hash_memo.ts";
import { fileHash } from "../../src/config/store.ts";
import { treeHash } from "../../src/core/driver_id.ts";

/** A hash function that counts its calls. */
function counting<T extends (p: string) => Promise<string>>(f: T) {
  const c = { calls: 0, f: (p: string) => (c.calls++, f(p)) };
  return c;
}

/** A clock far enough ahead that every file written so far is settled. */
const later = (ms = 0) => () => Date.now() + SETTLE_MS + 5000 + ms;

Deno.test("HashMemo: a settled, unchanged file is not hashed again; every change is noticed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const rec = join(dir, "run", "hashes.json");
    const file = join(dir, "flake.nix");
    await Deno.writeTextFile(file, "{ a = 1; }\n");
    const h = counting(fileHash);
    // Just written: hashed every time, nothing remembered.
    const now = new HashMemo(rec);
    assert.equal(await now.file(file, h.f), await fileHash(file));
    assert.equal(await now.file(file, h.f), await fileHash(file));
    assert.equal(h.calls, 2);
    await now.save();
    assert.throws(() => Deno.statSync(rec));
    // Settled: hashed once, then remembered across runs (the record on disk).
    const a = new HashMemo(rec, later());
    assert.equal(await a.file(file, h.f), await fileHash(file));
    await a.save();
    assert.equal(Deno.statSync(rec).mode! & 0o777, 0o600);
    const b = new HashMemo(rec, later());
    assert.equal(await b.file(file, h.f), await fileHash(file));
    assert.equal(h.calls, 3);
    // The same size, other bytes (a new modification time): noticed. (The time is set apart:
    // two writes within one tick of the file system's clock keep it; SETTLE_MS covers that.)
    const before = Deno.statSync(file).mtime!.getTime();
    await Deno.writeTextFile(file, "{ a = 2; }\n");
    await Deno.utime(file, new Date(), new Date(before + 1000));
    const c = new HashMemo(rec, later(10));
    assert.equal(await c.file(file, h.f), await fileHash(file));
    assert.equal(h.calls, 4);
    await c.save();
    // Replaced by another file (a rename over it) with the old times put back: noticed.
    const old = Deno.statSync(file);
    await Deno.writeTextFile(`${file}.new`, "{ a = 3; }\n");
    await Deno.utime(`${file}.new`, old.atime!, old.mtime!);
    await Deno.rename(`${file}.new`, file);
    const d = new HashMemo(rec, later(20));
    assert.equal(await d.file(file, h.f), await fileHash(file));
    assert.equal(h.calls, 5);
    await d.save();
    // Removed: the hash function says what a missing file is ("").
    await Deno.remove(file);
    const e = new HashMemo(rec, later(30));
    assert.equal(await e.file(file, h.f), "");
    assert.equal(h.calls, 6);
    // A folder where the file belongs: the hash function's error, not a remembered hash.
    await Deno.mkdir(file);
    await assert.rejects(() => new HashMemo(rec, later(40)).file(file, fileHash), /cannot be read/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("HashMemo: a folder's hash is remembered until a file in it changes or is added", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const rec = join(dir, "hashes.json");
    const tree = join(dir, "driver");
    await Deno.mkdir(join(tree, "sub"), { recursive: true });
    await Deno.writeTextFile(join(tree, "flake.nix"), "x");
    await Deno.writeTextFile(join(tree, "sub", "a.nix"), "y");
    const h = counting(treeHash);
    const run = async (ms: number) => {
      const m = new HashMemo(rec, later(ms));
      const v = await m.tree(tree, h.f);
      await m.save();
      assert.equal(v, await treeHash(tree));
      return h.calls;
    };
    assert.equal(await run(0), 1);
    assert.equal(await run(1), 1); // remembered
    const a = join(tree, "sub", "a.nix");
    const before = Deno.statSync(a).mtime!.getTime();
    await Deno.writeTextFile(a, "z"); // same size, deep down (its time set apart, as above)
    await Deno.utime(a, new Date(), new Date(before + 1000));
    assert.equal(await run(10), 2);
    assert.equal(await run(11), 2);
    await Deno.writeTextFile(join(tree, "sub", "b.nix"), "new"); // a file added
    assert.equal(await run(20), 3);
    await Deno.remove(join(tree, "sub", "b.nix")); // and removed
    assert.equal(await run(30), 4);
    assert.equal(await run(31), 4);
    // Another codchi (a record of another build): hashed again.
    const r = JSON.parse(await Deno.readTextFile(rec));
    await Deno.writeTextFile(rec, JSON.stringify({ ...r, build: "other" }));
    assert.equal(await run(40), 5);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("forgetHashesBelow: a deleted machine's entries go, the others and the record stay", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const rec = hashMemoFile(join(dir, "run"));
    const files = ["m/a/flake.nix", "m/a/flake.lock", "m/ab/flake.nix"].map((f) => join(dir, f));
    for (const f of files) {
      await Deno.mkdir(join(f, ".."), { recursive: true });
      await Deno.writeTextFile(f, f);
    }
    const memo = new HashMemo(rec, later());
    for (const f of files) await memo.file(f, fileHash);
    await memo.save();
    const keys = async () => Object.keys(JSON.parse(await Deno.readTextFile(rec)).entries).sort();
    assert.equal((await keys()).length, 3);
    await forgetHashesBelow(rec, join(dir, "m/a"));
    // m/ab shares the prefix "m/a" but is not below m/a/.
    assert.deepEqual(await keys(), [`f:${files[2]}`]);
    // Nothing below: the record is left as it is; no record at all is fine.
    await forgetHashesBelow(rec, join(dir, "m/none"));
    assert.deepEqual(await keys(), [`f:${files[2]}`]);
    await forgetHashesBelow(join(dir, "missing.json"), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
