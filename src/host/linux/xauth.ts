/**
 * Xauthority files (libXau format) and the FamilyWild cookie a machine gets at each exec,
 * so X authorisation never goes stale and works whatever display number the machine uses. Pure.
 */
import { bytesEqual, concatBytes } from "../../bytes.ts";

/** One Xauthority record. Strings are bytes in the file; address may be binary (IP families). */
export interface XauthEntry {
  family: number;
  address: Uint8Array;
  /** Display number as text (empty: any display). */
  number: string;
  /** Auth protocol name, e.g. MIT-MAGIC-COOKIE-1. */
  name: string;
  data: Uint8Array;
}

/** Address families used in Xauthority files. */
export const XauthFamily = {
  internet: 0,
  local: 256,
  wild: 0xffff,
  internet6: 6,
} as const;

/** The cookie protocol codchi forwards. */
export const MIT_MAGIC_COOKIE = "MIT-MAGIC-COOKIE-1";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Parses an Xauthority file; a truncated trailing record is ignored (as libXau does). */
export function parseXauthority(bytes: Uint8Array): XauthEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: XauthEntry[] = [];
  let off = 0;
  const field = (): Uint8Array | undefined => {
    if (off + 2 > bytes.length) return undefined;
    const len = view.getUint16(off);
    off += 2;
    if (off + len > bytes.length) return undefined;
    const v = bytes.slice(off, off + len);
    off += len;
    return v;
  };
  while (off + 2 <= bytes.length) {
    const family = view.getUint16(off);
    off += 2;
    const address = field();
    const number = field();
    const name = field();
    const data = field();
    if (!address || !number || !name || !data) break;
    out.push({ family, address, number: dec.decode(number), name: dec.decode(name), data });
  }
  return out;
}

/** Serialises entries in the Xauthority format. */
export function serializeXauthority(entries: XauthEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const u16 = (n: number) => new Uint8Array([(n >> 8) & 0xff, n & 0xff]);
  const str = (b: Uint8Array) => {
    if (b.length > 0xffff) throw new Error("xauth: field longer than 65535 bytes");
    parts.push(u16(b.length), b);
  };
  for (const e of entries) {
    parts.push(u16(e.family));
    str(e.address);
    str(enc.encode(e.number));
    str(enc.encode(e.name));
    str(e.data);
  }
  return concatBytes(parts);
}

/**
 * The MIT cookie for local display `display` of host `hostname`: a FamilyLocal record for the
 * host, else a FamilyWild one, else a loopback Internet one, with the display's number (or none).
 */
export function findCookie(
  entries: XauthEntry[],
  display: number,
  hostname: string,
): XauthEntry | undefined {
  const num = String(display);
  const cookies = entries.filter((e) =>
    e.name === MIT_MAGIC_COOKIE && (e.number === num || e.number === "")
  );
  const host = enc.encode(hostname);
  const byPref = [
    (e: XauthEntry) => e.family === XauthFamily.local && bytesEqual(e.address, host),
    (e: XauthEntry) => e.family === XauthFamily.wild,
    (e: XauthEntry) =>
      e.family === XauthFamily.internet && bytesEqual(e.address, new Uint8Array([127, 0, 0, 1])),
    (e: XauthEntry) => e.family === XauthFamily.local,
  ];
  for (const pred of byPref) {
    const exact = cookies.find((e) => pred(e) && e.number === num);
    if (exact) return exact;
    const any = cookies.find(pred);
    if (any) return any;
  }
  return undefined;
}

/** The same cookie as a FamilyWild record with no display number: valid for any display. */
export function wildCookie(entry: XauthEntry): XauthEntry {
  return {
    family: XauthFamily.wild,
    address: new Uint8Array(),
    number: "",
    name: entry.name,
    data: entry.data,
  };
}

/**
 * The Xauthority bytes a machine gets for the host's display (`DISPLAY` number) from the host's
 * Xauthority file: one FamilyWild MIT cookie. Undefined when the host file has no cookie for it.
 */
export function machineXauthority(
  hostFile: Uint8Array,
  display: number,
  hostname: string,
): Uint8Array | undefined {
  const cookie = findCookie(parseXauthority(hostFile), display, hostname);
  return cookie ? serializeXauthority([wildCookie(cookie)]) : undefined;
}

/** The host's Xauthority path: `$XAUTHORITY`, else `~/.Xauthority`. */
export function hostXauthorityPath(env: Record<string, string | undefined>): string | undefined {
  if (env.XAUTHORITY) return env.XAUTHORITY;
  return env.HOME ? `${env.HOME.replace(/\/$/, "")}/.Xauthority` : undefined;
}
