/** copyTree / removeTree with a `check` stop between entries (what makes Ctrl-C act at once). */
import { equal, ok as assert, rejects } from "node:assert/strict";
import { copyTree, removeTree } from "../../src/core/files.ts";

class Stop extends Error {}

async function tree(root: string, dirs: number, files: number): Promise<void> {
  for (let d = 0; d < dirs; d++) {
    await Deno.mkdir(`${root}/d${d}`, { recursive: true });
    for (let f = 0; f < files; f++) await Deno.writeTextFile(`${root}/d${d}/f${f}`, "x");
  }
}

async function count(dir: string): Promise<number> {
  let n = 0;
  for await (const e of Deno.readDir(dir)) {
    n += e.isDirectory ? 1 + await count(`${dir}/${e.name}`) : 1;
  }
  return n;
}

/** A check that throws on its `n`-th call. */
function stopAt(n: number): { check: () => void; calls: () => number } {
  let calls = 0;
  return {
    check: () => {
      if (++calls >= n) throw new Stop();
    },
    calls: () => calls,
  };
}

Deno.test("copyTree: a check that throws stops the copy at that entry", async () => {
  const root = await Deno.makeTempDir();
  try {
    await tree(`${root}/src`, 10, 50); // 510 entries
    const s = stopAt(20);
    await rejects(() => copyTree(`${root}/src`, `${root}/dst`, s.check), Stop);
    equal(s.calls(), 20);
    const copied = await count(`${root}/dst`);
    assert(copied < 20, `stopped after ${copied} entries`);
    // Without a stop, everything is copied.
    await copyTree(`${root}/src`, `${root}/all`, () => {});
    equal(await count(`${root}/all`), 510);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("removeTree: with a check it removes entry by entry and stops at once", async () => {
  const root = await Deno.makeTempDir();
  try {
    await tree(`${root}/home`, 10, 50);
    const s = stopAt(20);
    await rejects(() => removeTree(`${root}/home`, s.check), Stop);
    const left = await count(`${root}/home`);
    assert(left >= 510 - 20 && left < 510, `${left} entries left`);
    // Run again: finished; a missing tree is fine.
    await removeTree(`${root}/home`, () => {});
    await rejects(() => Deno.lstat(`${root}/home`), Deno.errors.NotFound);
    await removeTree(`${root}/home`, () => {});
    // A symlink is removed, not followed.
    await tree(`${root}/keep`, 1, 3);
    await Deno.mkdir(`${root}/h2`);
    await Deno.symlink(`${root}/keep`, `${root}/h2/link`);
    await removeTree(`${root}/h2`, () => {});
    equal(await count(`${root}/keep`), 4);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
