/** Reads a .lnk back through the shell itself (COM `IShellLinkW` + `IPersistFile::Load`). Windows only. */
import { coCreate, hcall, queryInterface, release } from "./com.ts";
import { fromWide, wide } from "./wide.ts";

const CLSID_SHELL_LINK = "{00021401-0000-0000-C000-000000000046}";
const IID_ISHELL_LINK_W = "{000214F9-0000-0000-C000-000000000046}";
const IID_IPERSIST_FILE = "{0000010B-0000-0000-C000-000000000046}";
// IShellLinkW vtable slots
const GET_PATH = 3, GET_DESCRIPTION = 6, GET_WORKING_DIRECTORY = 8, GET_ARGUMENTS = 10;
const GET_SHOW_CMD = 14, GET_ICON_LOCATION = 16;
// IPersistFile vtable slots
const LOAD = 5;

/** A shortcut as the shell reads it. */
export interface ShortcutInfo {
  path: string;
  arguments: string;
  description: string;
  workingDir: string;
  iconLocation: string;
  iconIndex: number;
  showCommand: number;
}

/** Loads `lnkPath` with the shell's own parser; throws when the shell rejects the file. */
export function readShortcut(lnkPath: string): ShortcutInfo {
  const link = coCreate(CLSID_SHELL_LINK, IID_ISHELL_LINK_W);
  const file = queryInterface(link, IID_IPERSIST_FILE);
  try {
    hcall(file, LOAD, `IPersistFile::Load(${lnkPath})`, ["buffer", "u32"], wide(lnkPath), 0);
    const path = new Uint16Array(1024);
    hcall(link, GET_PATH, "GetPath", ["buffer", "i32", "pointer", "u32"], path, 1024, null, 0);
    const args = new Uint16Array(32768);
    hcall(link, GET_ARGUMENTS, "GetArguments", ["buffer", "i32"], args, args.length);
    const description = new Uint16Array(1024);
    hcall(link, GET_DESCRIPTION, "GetDescription", ["buffer", "i32"], description, 1024);
    const workingDir = new Uint16Array(1024);
    hcall(link, GET_WORKING_DIRECTORY, "GetWorkingDirectory", ["buffer", "i32"], workingDir, 1024);
    const icon = new Uint16Array(1024);
    const iconIndex = new Int32Array(1);
    hcall(
      link,
      GET_ICON_LOCATION,
      "GetIconLocation",
      ["buffer", "i32", "buffer"],
      icon,
      1024,
      iconIndex,
    );
    const show = new Int32Array(1);
    hcall(link, GET_SHOW_CMD, "GetShowCmd", ["buffer"], show);
    return {
      path: fromWide(path),
      arguments: fromWide(args),
      description: fromWide(description),
      workingDir: fromWide(workingDir),
      iconLocation: fromWide(icon),
      iconIndex: iconIndex[0],
      showCommand: show[0],
    };
  } finally {
    release(file);
    release(link);
  }
}
