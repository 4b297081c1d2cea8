/** GUIDs: text ⇄ the 16 mixed-endian bytes Windows stores, and name-based UUIDv5. */
import { concatBytes, hexOf } from "../../bytes.ts";

/** Parses "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" (braces optional) into Windows GUID bytes. */
export function guidBytes(text: string): Uint8Array<ArrayBuffer> {
  const hex = text.replace(/[{}-]/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a GUID: ${text}`);
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setUint32(0, parseInt(hex.slice(0, 8), 16), true);
  view.setUint16(4, parseInt(hex.slice(8, 12), 16), true);
  view.setUint16(6, parseInt(hex.slice(12, 16), 16), true);
  for (let i = 0; i < 8; i++) out[8 + i] = parseInt(hex.slice(16 + 2 * i, 18 + 2 * i), 16);
  return out;
}

/** Formats 16 big-endian (RFC 9562) UUID bytes as lowercase "xxxxxxxx-xxxx-…" text. */
export function uuidText(bytes: Uint8Array): string {
  const h = hexOf(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Name-based UUID version 5 (SHA-1) of `name` (UTF-8 text, or the given bytes) in `namespace`. */
export async function uuidV5(namespace: string, name: string | Uint8Array): Promise<string> {
  const ns = namespace.replace(/[{}-]/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(ns)) throw new Error(`not a UUID: ${namespace}`);
  const nsBytes = Uint8Array.from(
    { length: 16 },
    (_, i) => parseInt(ns.slice(2 * i, 2 * i + 2), 16),
  );
  const nameBytes = typeof name === "string" ? new TextEncoder().encode(name) : name;
  const input = concatBytes([nsBytes, nameBytes]);
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-1", input)).slice(0, 16);
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  return uuidText(hash);
}

/** `text` as UTF-16LE bytes (a Windows wide string in memory, without the terminating NUL). */
export function utf16le(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    out[2 * i] = text.charCodeAt(i) & 0xff;
    out[2 * i + 1] = text.charCodeAt(i) >> 8;
  }
  return out;
}
