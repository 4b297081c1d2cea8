import { deepEqual, equal } from "node:assert/strict";
import { decodeWslOutput, looksUtf16le } from "../../../src/driver/wsl/decode.ts";

const utf16 = (s: string, bom = false) => {
  const out = new Uint8Array(s.length * 2 + (bom ? 2 : 0));
  let o = 0;
  if (bom) out.set([0xff, 0xfe], (o += 2) - 2);
  for (const c of s) {
    const v = c.charCodeAt(0);
    out[o++] = v & 0xff;
    out[o++] = v >> 8;
  }
  return out;
};

Deno.test("decode: UTF-16LE without BOM, CRLF and CRCRLF become LF", () => {
  equal(decodeWslOutput(utf16("Ubuntu\r\r\nDebian\r\n")), "Ubuntu\nDebian\n");
});

Deno.test("decode: UTF-16LE with BOM, non-ASCII kept", () => {
  equal(decodeWslOutput(utf16("灾难性故障\r\n", true)), "灾难性故障\n");
  equal(looksUtf16le(utf16("x", true)), true);
});

Deno.test("decode: UTF-8 (WSL_UTF8=1) and stray NULs", () => {
  equal(decodeWslOutput(new TextEncoder().encode("ünï\r\nok\0\r\n")), "ünï\nok\n");
  equal(looksUtf16le(new TextEncoder().encode("plain text")), false);
  equal(decodeWslOutput(new Uint8Array()), "");
  deepEqual(decodeWslOutput(new Uint8Array([0x41])), "A");
});
