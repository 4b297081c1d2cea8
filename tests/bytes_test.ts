/** src/bytes.ts: concatenation with 0, 1 and many parts, empty parts kept in order. */
import { deepEqual, notEqual } from "node:assert/strict";
import { concatBytes } from "../src/bytes.ts";

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
