/**
 * `codchi tar`'s archive, streamed: the compression its file name asks for, and tar entries
 * written here (POSIX ustar) for the files codchi adds in front of the machine's own tar stream.
 */
import { UsageError } from "../errors.ts";

/** How the archive is compressed. */
export type TarCompression = "none" | "gzip" | "zstd";

/** The file name endings `codchi tar` accepts, and their compression. */
export const TAR_SUFFIXES: readonly [string, TarCompression][] = [
  [".tar", "none"],
  [".tar.gz", "gzip"],
  [".tar.zst", "zstd"],
];

/** The compression of a target by its name; any other ending is a UsageError (nothing made). */
export function tarCompression(file: string): TarCompression {
  const lower = file.toLowerCase();
  const hit = TAR_SUFFIXES.find(([suffix]) => lower.endsWith(suffix));
  if (!hit) {
    throw new UsageError(
      `Cannot tell the archive format of ${JSON.stringify(file)} from its name.`,
      `End it in ${TAR_SUFFIXES.map(([s]) => s).join(", ")} (no compression, gzip, zstd).`,
    );
  }
  return hit[1];
}

/** One file or folder codchi adds to the archive. */
export interface TarItem {
  /** Relative path inside the archive (`etc/nixos/flake.nix`), no leading `/`. */
  path: string;
  /** File contents; absent for a folder. */
  data?: Uint8Array;
  mode: number;
  /** Modification time, seconds since the epoch. */
  mtime: number;
}

const BLOCK = 512;

/** The ustar header of an item (numeric owner root:root). */
export function tarHeader(item: TarItem): Uint8Array {
  const dir = item.data === undefined;
  const full = dir ? `${item.path.replace(/\/+$/, "")}/` : item.path;
  const bytes = new TextEncoder().encode(full);
  let name = bytes, prefix = new Uint8Array();
  if (bytes.length > 100) {
    // ustar: the path split at a `/` into a prefix (≤155 bytes) and a name (≤100 bytes).
    const cut = full.lastIndexOf("/", full.length - 2);
    const p = new TextEncoder().encode(full.slice(0, cut));
    const n = new TextEncoder().encode(full.slice(cut + 1));
    if (cut < 0 || p.length > 155 || n.length > 100) {
      throw new Error(`tar: path too long for ustar: ${full}`);
    }
    name = n;
    prefix = p;
  }
  const h = new Uint8Array(BLOCK);
  const put = (at: number, value: Uint8Array) => h.set(value, at);
  const octal = (at: number, width: number, n: number) =>
    put(at, new TextEncoder().encode(n.toString(8).padStart(width - 1, "0") + "\0"));
  put(0, name);
  octal(100, 8, item.mode & 0o7777);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, dir ? 0 : item.data!.length);
  octal(136, 12, Math.floor(item.mtime));
  h.fill(0x20, 148, 156); // the checksum counts itself as spaces
  h[156] = dir ? 0x35 : 0x30; // '5' folder, '0' file
  put(257, new TextEncoder().encode("ustar\0"));
  put(263, new TextEncoder().encode("00"));
  put(265, new TextEncoder().encode("root"));
  put(297, new TextEncoder().encode("root"));
  put(345, prefix);
  const sum = h.reduce((a, b) => a + b, 0);
  put(148, new TextEncoder().encode(sum.toString(8).padStart(6, "0") + "\0 "));
  return h;
}

/** An item as archive bytes: its header, its data and the padding to a whole block. */
export function tarItem(item: TarItem): Uint8Array {
  const header = tarHeader(item);
  const size = item.data?.length ?? 0;
  const out = new Uint8Array(BLOCK + Math.ceil(size / BLOCK) * BLOCK);
  out.set(header);
  if (item.data) out.set(item.data, BLOCK);
  return out;
}

/** The folders above `path` (`a/b/c` → `a`, `a/b`), outermost first. */
export function parentDirs(path: string): string[] {
  const parts = path.split("/").slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join("/"));
}
