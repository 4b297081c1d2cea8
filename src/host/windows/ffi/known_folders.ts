/** Known Folder API (`SHGetKnownFolderPath`): the user's real folders, never guessed. Windows only. */
import { guidBytes } from "../guid.ts";
import { hex, PointerCell, readWide } from "./wide.ts";
import { ToolError } from "../../../errors.ts";

/** The Known Folder ids codchi uses. */
export const KNOWN_FOLDERS = {
  Programs: "{A77F5D77-2E2B-44C3-A6A2-ABA601054A51}",
  StartMenu: "{625B53C3-AB48-4EC1-BA1F-A1EF4146FC19}",
  Startup: "{B97D20BB-F46A-4C97-BA10-5E3608430854}",
  RoamingAppData: "{3EB685DB-65F9-4CF6-A03A-E3EF65729F3D}",
  LocalAppData: "{F1B32785-6FBA-4FCF-9D55-7B8E7F157091}",
  Profile: "{5E6C858F-0E22-4760-9AFE-EA3317B67173}",
  Desktop: "{B4BFCC3A-DB2C-424C-B029-7FE99A87C641}",
} as const;

/** Name of a Known Folder codchi uses. */
export type KnownFolder = keyof typeof KNOWN_FOLDERS;

const KF_FLAG_CREATE = 0x00008000;

let libs: ReturnType<typeof open> | undefined;
function open() {
  return {
    shell32: Deno.dlopen(
      "shell32.dll",
      {
        SHGetKnownFolderPath: { parameters: ["buffer", "u32", "pointer", "buffer"], result: "i32" },
      } as const,
    ),
    ole32: Deno.dlopen(
      "ole32.dll",
      {
        CoTaskMemFree: { parameters: ["pointer"], result: "void" },
      } as const,
    ),
  };
}

/** The path of a Known Folder (created when missing); throws with the HRESULT on failure. */
export function knownFolder(folder: KnownFolder): string {
  libs ??= open();
  const out = new PointerCell();
  const hr = libs.shell32.symbols.SHGetKnownFolderPath(
    guidBytes(KNOWN_FOLDERS[folder]),
    KF_FLAG_CREATE,
    null,
    out.buf,
  );
  const ptr = out.value;
  try {
    if (hr !== 0 || !ptr) {
      throw new ToolError("windows", `SHGetKnownFolderPath(${folder}) failed: ${hex(hr)}`);
    }
    return readWide(ptr);
  } finally {
    if (ptr) libs.ole32.symbols.CoTaskMemFree(ptr);
  }
}

/**
 * The environment `computePaths("windows", …)` needs, from the Known Folder API; pass it over
 * `Deno.env.toObject()` so redirected folders win over stale variables.
 */
export function knownFolderEnv(): { USERPROFILE: string; APPDATA: string; LOCALAPPDATA: string } {
  return {
    USERPROFILE: knownFolder("Profile"),
    APPDATA: knownFolder("RoamingAppData"),
    LOCALAPPDATA: knownFolder("LocalAppData"),
  };
}
