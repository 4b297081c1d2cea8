/**
 * A writer of Windows shortcut files ([MS-SHLLINK]): header, optional LinkTargetIDList, LinkInfo
 * with the local target path, unicode StringData and the environment-variable extra blocks.
 * Pure: returns the bytes, the caller writes them.
 */
import { concatBytes } from "../../bytes.ts";
import { guidBytes } from "./guid.ts";

/** What a shortcut points at and how it looks. All paths are absolute Windows paths. */
export interface ShellLink {
  /** Absolute path of the program (e.g. `C:\Users\u\AppData\Local\codchi\bin\codchi.exe`). */
  target: string;
  /** The command line after the program (already quoted, see `joinArgs`). */
  arguments?: string;
  /** Shown as the tooltip ("Comment"). */
  description?: string;
  /** Target path relative to the folder of the .lnk file. */
  relativePath?: string;
  /** Start folder of the program. */
  workingDir?: string;
  /** An .ico/.exe/.dll file holding the icon. */
  iconLocation?: string;
  /** Icon index inside `iconLocation`. */
  iconIndex?: number;
  /** The target with environment variables (`%LOCALAPPDATA%\…`), preferred by the shell. */
  targetEnv?: string;
  /** The icon location with environment variables. */
  iconEnv?: string;
  /** Window state: 1 normal, 3 maximized, 7 minimized. */
  showCommand?: 1 | 3 | 7;
  /** Adds a LinkTargetIDList (My Computer → drive → folders → file); LinkInfo is written anyway. */
  withIdList?: boolean;
}

/** LinkFlags bits of the header. */
export const LinkFlags = {
  HasLinkTargetIDList: 0x1,
  HasLinkInfo: 0x2,
  HasName: 0x4,
  HasRelativePath: 0x8,
  HasWorkingDir: 0x10,
  HasArguments: 0x20,
  HasIconLocation: 0x40,
  IsUnicode: 0x80,
  HasExpString: 0x200,
  HasExpIcon: 0x4000,
} as const;

const LINK_CLSID = "{00021401-0000-0000-C000-000000000046}";
const MY_COMPUTER = "{20D04FE0-3AEA-1069-A2D8-08002B30309D}";
const FILE_ATTRIBUTE_DIRECTORY = 0x10;
const FILE_ATTRIBUTE_ARCHIVE = 0x20;
const DRIVE_FIXED = 3;
const ENV_BLOCK_SIGNATURE = 0xa0000001;
const ICON_ENV_BLOCK_SIGNATURE = 0xa0000007;
const MAX_PATH = 260;

/** Encodes a shortcut as MS-SHLLINK bytes; throws on a target that is not an absolute drive path. */
export function encodeShellLink(link: ShellLink): Uint8Array {
  const drive = /^([A-Za-z]):\\/.exec(link.target);
  if (!drive) throw new Error(`shortcut target must be an absolute drive path: ${link.target}`);
  let flags = LinkFlags.HasLinkInfo | LinkFlags.IsUnicode;
  const strings: Uint8Array[] = [];
  const addString = (flag: number, value: string | undefined) => {
    if (value === undefined || value === "") return;
    if (value.length > 0xffff) throw new Error("shortcut string longer than 65535 characters");
    flags |= flag;
    strings.push(countedUtf16(value));
  };
  // StringData order is fixed by the format.
  addString(LinkFlags.HasName, link.description);
  addString(LinkFlags.HasRelativePath, link.relativePath);
  addString(LinkFlags.HasWorkingDir, link.workingDir);
  addString(LinkFlags.HasArguments, link.arguments);
  addString(LinkFlags.HasIconLocation, link.iconLocation);
  const extra: Uint8Array[] = [];
  if (link.targetEnv) {
    flags |= LinkFlags.HasExpString;
    extra.push(envBlock(ENV_BLOCK_SIGNATURE, link.targetEnv));
  }
  if (link.iconEnv) {
    flags |= LinkFlags.HasExpIcon;
    extra.push(envBlock(ICON_ENV_BLOCK_SIGNATURE, link.iconEnv));
  }
  const parts: Uint8Array[] = [];
  if (link.withIdList) {
    flags |= LinkFlags.HasLinkTargetIDList;
    parts.push(idList(link.target));
  }
  parts.push(linkInfo(link.target), ...strings, ...extra, new Uint8Array(4));
  return concat([header(flags, link.iconIndex ?? 0, link.showCommand ?? 1), ...parts]);
}

function header(flags: number, iconIndex: number, showCommand: number): Uint8Array {
  const out = new Uint8Array(76);
  const v = new DataView(out.buffer);
  v.setUint32(0, 76, true);
  out.set(guidBytes(LINK_CLSID), 4);
  v.setUint32(20, flags, true);
  v.setUint32(24, FILE_ATTRIBUTE_ARCHIVE, true);
  // Creation/access/write times (28..51) and file size (52) stay 0: they describe the target.
  v.setInt32(56, iconIndex, true);
  v.setUint32(60, showCommand, true);
  // HotKey (64) and the reserved fields stay 0.
  return out;
}

/** LinkInfo with a VolumeID (fixed drive, no label) and the local base path, ANSI and unicode. */
function linkInfo(target: string): Uint8Array {
  const headerSize = 0x24; // with the two unicode offsets
  const volume = volumeId();
  const ansiPath = ansiZ(target);
  const suffix = new Uint8Array(1); // CommonPathSuffix: empty
  const unicodePath = utf16Z(target);
  const unicodeSuffix = new Uint8Array(2);
  const volumeAt = headerSize;
  const pathAt = volumeAt + volume.length;
  const suffixAt = pathAt + ansiPath.length;
  const unicodePathAt = suffixAt + suffix.length;
  const unicodeSuffixAt = unicodePathAt + unicodePath.length;
  const size = unicodeSuffixAt + unicodeSuffix.length;
  const head = new Uint8Array(headerSize);
  const v = new DataView(head.buffer);
  v.setUint32(0, size, true);
  v.setUint32(4, headerSize, true);
  v.setUint32(8, 1, true); // VolumeIDAndLocalBasePath
  v.setUint32(12, volumeAt, true);
  v.setUint32(16, pathAt, true);
  v.setUint32(20, 0, true); // no CommonNetworkRelativeLink
  v.setUint32(24, suffixAt, true);
  v.setUint32(28, unicodePathAt, true);
  v.setUint32(32, unicodeSuffixAt, true);
  return concat([head, volume, ansiPath, suffix, unicodePath, unicodeSuffix]);
}

function volumeId(): Uint8Array {
  const out = new Uint8Array(17); // 16-byte header + empty label
  const v = new DataView(out.buffer);
  v.setUint32(0, out.length, true);
  v.setUint32(4, DRIVE_FIXED, true);
  v.setUint32(8, 0, true); // serial number unknown
  v.setUint32(12, 16, true); // label right after the header
  return out;
}

/** LinkTargetIDList: My Computer, the drive, then one file-entry item per path element. */
function idList(target: string): Uint8Array {
  const elements = target.slice(3).split("\\").filter((e) => e !== "");
  const items = [
    rootItem(),
    driveItem(target.slice(0, 3).toUpperCase()),
    ...elements.map((name, i) => fileItem(name, i < elements.length - 1)),
  ];
  const body = concat([...items, new Uint8Array(2)]);
  const out = new Uint8Array(2 + body.length);
  new DataView(out.buffer).setUint16(0, body.length, true);
  out.set(body, 2);
  return out;
}

function withSize(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + data.length);
  new DataView(out.buffer).setUint16(0, out.length, true);
  out.set(data, 2);
  return out;
}

function rootItem(): Uint8Array {
  const data = new Uint8Array(18);
  data[0] = 0x1f; // root folder item
  data[1] = 0x50; // sort index: My Computer
  data.set(guidBytes(MY_COMPUTER), 2);
  return withSize(data);
}

function driveItem(root: string): Uint8Array {
  const data = new Uint8Array(23);
  data[0] = 0x2f; // volume item with a drive letter
  data.set(new TextEncoder().encode(root), 1);
  return withSize(data);
}

/** A file entry item with a primary (ANSI) name and a version-3 extension block for the long name. */
function fileItem(name: string, isDir: boolean): Uint8Array {
  const primary = ansiZ(name);
  const pad = primary.length % 2 === 0 ? new Uint8Array(0) : new Uint8Array(1);
  const fixed = new Uint8Array(12);
  const fv = new DataView(fixed.buffer);
  fixed[0] = isDir ? 0x31 : 0x32;
  // fixed[1] unknown, file size (2..5) and modification time (6..9) stay 0.
  fv.setUint16(10, isDir ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_ARCHIVE, true);
  const longName = utf16Z(name);
  const extSize = 20 + longName.length + 2;
  const ext = new Uint8Array(extSize);
  const ev = new DataView(ext.buffer);
  ev.setUint16(0, extSize, true);
  ev.setUint16(2, 3, true); // extension version 3
  ev.setUint32(4, 0xbeef0004, true);
  // creation (8..11) and access (12..15) times stay 0
  ev.setUint16(16, 0x14, true); // version-3 identifier
  // 18..19: size of a localized name, 0 for none
  ext.set(longName, 20);
  // The last two bytes point back at the start of this block, as the format asks.
  const firstExtOffset = 2 + fixed.length + primary.length + pad.length;
  ev.setUint16(extSize - 2, firstExtOffset, true);
  return withSize(concat([fixed, primary, pad, ext]));
}

function envBlock(signature: number, value: string): Uint8Array {
  if (value.length >= MAX_PATH) throw new Error(`environment path too long: ${value}`);
  const out = new Uint8Array(0x314);
  const v = new DataView(out.buffer);
  v.setUint32(0, out.length, true);
  v.setUint32(4, signature, true);
  out.set(ansiZ(value), 8);
  out.set(utf16Z(value), 8 + MAX_PATH);
  return out;
}

/** UTF-16LE with a 16-bit character count in front and no terminator (StringData). */
function countedUtf16(s: string): Uint8Array {
  const out = new Uint8Array(2 + s.length * 2);
  const v = new DataView(out.buffer);
  v.setUint16(0, s.length, true);
  for (let i = 0; i < s.length; i++) v.setUint16(2 + 2 * i, s.charCodeAt(i), true);
  return out;
}

/** NUL-terminated UTF-16LE. */
export function utf16Z(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 2 + 2);
  const v = new DataView(out.buffer);
  for (let i = 0; i < s.length; i++) v.setUint16(2 * i, s.charCodeAt(i), true);
  return out;
}

/** NUL-terminated 8-bit text: ASCII kept, anything else becomes "?" (the unicode copy is exact). */
function ansiZ(s: string): Uint8Array {
  const out = new Uint8Array(s.length + 1);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[i] = c < 0x80 ? c : 0x3f;
  }
  return out;
}

const concat = concatBytes;
