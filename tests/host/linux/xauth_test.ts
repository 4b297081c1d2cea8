import assert from "node:assert/strict";
import {
  findCookie,
  machineXauthority,
  parseXauthority,
  serializeXauthority,
  wildCookie,
  type XauthEntry,
  XauthFamily,
} from "../../../src/host/linux/xauth.ts";

const enc = new TextEncoder();
const cookie = (n: number) => new Uint8Array(16).fill(n);
const entry = (
  family: number,
  address: string | Uint8Array,
  number: string,
  data: Uint8Array,
  name = "MIT-MAGIC-COOKIE-1",
): XauthEntry => ({
  family,
  address: typeof address === "string" ? enc.encode(address) : address,
  number,
  name,
  data,
});

Deno.test("serialize/parse round-trip and the byte layout", () => {
  const e = entry(XauthFamily.local, "box", "0", cookie(7));
  const bytes = serializeXauthority([e]);
  // family(2) + len(2)+3 + len(2)+1 + len(2)+18 + len(2)+16
  assert.equal(bytes.length, 2 + 5 + 3 + 20 + 18);
  assert.deepEqual([...bytes.slice(0, 4)], [0x01, 0x00, 0x00, 0x03]);
  assert.deepEqual(parseXauthority(bytes), [e]);
  // A truncated trailing record is ignored.
  assert.deepEqual(parseXauthority(bytes.slice(0, bytes.length - 3)), []);
});

Deno.test("findCookie prefers this host's local entry for the display", () => {
  const entries = [
    entry(XauthFamily.local, "other", "0", cookie(1)),
    entry(XauthFamily.internet, new Uint8Array([127, 0, 0, 1]), "0", cookie(2)),
    entry(XauthFamily.local, "box", "1", cookie(3)),
    entry(XauthFamily.local, "box", "0", cookie(4)),
    entry(XauthFamily.local, "box", "0", cookie(5), "XDM-AUTHORIZATION-1"),
  ];
  assert.deepEqual(findCookie(entries, 0, "box")!.data, cookie(4));
  assert.deepEqual(findCookie(entries, 1, "box")!.data, cookie(3));
  assert.deepEqual(findCookie(entries, 0, "elsewhere")!.data, cookie(2));
  assert.equal(findCookie(entries, 9, "box"), undefined);
  const wild = [entry(XauthFamily.wild, "", "", cookie(6))];
  assert.deepEqual(findCookie(wild, 4, "box")!.data, cookie(6));
});

Deno.test("machineXauthority writes one FamilyWild entry with no display number", () => {
  const host = serializeXauthority([entry(XauthFamily.local, "box", "3", cookie(9))]);
  const out = parseXauthority(machineXauthority(host, 3, "box")!);
  assert.deepEqual(out, [wildCookie(entry(XauthFamily.local, "box", "3", cookie(9)))]);
  assert.equal(out[0].family, 0xffff);
  assert.equal(out[0].number, "");
  assert.equal(machineXauthority(host, 4, "box"), undefined);
});
