/**
 * Windows Terminal: one JSON fragment per machine with one profile that opens its shell, and the
 * profiles Terminal generates for the machine's and the store's WSL distros hidden. Pure.
 */
import { win32 } from "node:path";
import { joinArgs } from "./cmdline.ts";
import { utf16le, uuidV5 } from "./guid.ts";
import { machineTitle } from "./shortcuts.ts";

/** codchi's own UUIDv5 namespace for terminal profile GUIDs (fixed forever: changing it duplicates profiles). */
export const PROFILE_NAMESPACE = "5c0a6c44-2b8e-4f4e-9d1c-8a4b3f0d2e61";

/**
 * The namespace of the profiles Windows Terminal generates for WSL distros: their GUID is the
 * UUIDv5 of the distro's name as UTF-16LE bytes in it. WSL hides that generated profile this
 * way for the profiles it writes itself (GeneratedProfilesTerminalNamespace in microsoft/WSL
 * src/windows/common/wslutil.h, used in LxssUserSession.cpp _CreateTerminalProfile); checked
 * against the GUIDs Windows Terminal lists for Debian, Ubuntu and Alpine (WslDistroGenerator.cpp).
 */
export const WSL_GENERATED_PROFILES_NAMESPACE = "2bde4a90-d05f-401c-9492-e40884ead1d8";

/** The GUID of the profile Windows Terminal generates for a WSL distro, in braces. */
export async function generatedWslProfileGuid(distro: string): Promise<string> {
  return `{${await uuidV5(WSL_GENERATED_PROFILES_NAMESPACE, utf16le(distro))}}`;
}

/** The fragment file of a machine inside the codchi fragments folder. */
export function fragmentPath(fragmentsDir: string, machine: string): string {
  return win32.join(fragmentsDir, `${machine}.json`);
}

/** The stable profile GUID of a machine, in braces as Windows Terminal writes it. */
export async function profileGuid(machine: string): Promise<string> {
  return `{${await uuidV5(PROFILE_NAMESPACE, `codchi-machine:${machine}`)}}`;
}

/** Renders the fragment JSON (valid JSON, two-space indent, trailing newline). */
export async function renderFragment(
  machine: string,
  codchiExe: string,
  icon?: string,
  prefixArgs: readonly string[] = [],
): Promise<string> {
  const profile: Record<string, string> = {
    guid: await profileGuid(machine),
    name: machineTitle(machine),
    commandline: joinArgs([codchiExe, ...prefixArgs, "exec", machine]),
    icon: icon ?? codchiExe,
    startingDirectory: "~",
  };
  // Windows Terminal also generates a profile for every WSL distro: the machine's would show it
  // twice, the store's should not show at all. Fragments may update existing profiles by GUID.
  const hide = async (distro: string) => ({
    updates: await generatedWslProfileGuid(distro),
    hidden: true,
  });
  const profiles = [profile, await hide(`codchi-${machine}`), await hide("codchistore")];
  return JSON.stringify({ profiles }, null, 2) + "\n";
}
