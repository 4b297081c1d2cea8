/** src/bytes.ts: concatenation (0, 1, many parts), equality, writing everything through short writes. */
import { deepEqual, equal, notEqual } from "node:assert/strict";
import { bytesEqual, concatBytes, hexOf, writeAll } from "../src/bytes.ts";

Deno.test("concatBytes: none, one (a copy), many with empty parts between", () => {
  deepEqual(concatBytes([]), new Uint8Array());
  const one = new Uint8Array([7, 8]);
  const copy = concatBytes([one]);
  deepEqual(copy, one);
  notEqual(copy, one, "the single part must be copied, not returned");
  deepEqual(
    concatBytes([
      new Uint8Array([1]),
      new Uint8Array(),
      new Uint8Array([2, 3]),
      new Uint8Array([4]),
    ]),
    new Uint8Array([1, 2, 3, 4]),
  );
});

Deno.test("bytesEqual: same bytes only; length and every position count", () => {
  equal(bytesEqual(new Uint8Array(), new Uint8Array()), true);
  equal(bytesEqual(new Uint8Array([127, 0, 0, 1]), new Uint8Array([127, 0, 0, 1])), true);
  equal(bytesEqual(new Uint8Array([127, 0, 0, 1]), new Uint8Array([127, 0, 0])), false);
  equal(bytesEqual(new Uint8Array([127, 0, 0]), new Uint8Array([127, 0, 0, 1])), false);
  equal(bytesEqual(new Uint8Array([1, 2, 3]), new Uint8Array([0, 2, 3])), false);
  equal(bytesEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4])), false);
});

Deno.test("writeAll: keeps writing after short writes, in order; nothing for no bytes", async () => {
  const got: number[][] = [];
  // A writer that takes at most 2 bytes a call, as a pipe or terminal may.
  const w = {
    write: (p: Uint8Array) => {
      got.push([...p.subarray(0, 2)]);
      return Promise.resolve(Math.min(2, p.length));
    },
  };
  await writeAll(w, new Uint8Array([1, 2, 3, 4, 5]));
  deepEqual(got, [[1, 2], [3, 4], [5]]);
  got.length = 0;
  await writeAll(w, new Uint8Array());
  deepEqual(got, []);
  // And a real file: every byte lands.
  const file = await Deno.makeTempFile();
  try {
    const data = new Uint8Array(300_000).map((_, i) => i % 251);
    const f = await Deno.open(file, { write: true });
    try {
      await writeAll(f, data);
    } finally {
      f.close();
    }
    deepEqual(await Deno.readFile(file), data);
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("hexOf: two lowercase digits a byte, none for no bytes", () => {
  deepEqual(hexOf(new Uint8Array()), "");
  deepEqual(hexOf(Uint8Array.of(0, 1, 15, 16, 171, 255)), "00010f10abff");
});
