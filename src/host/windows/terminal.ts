/** Windows Terminal: one JSON fragment per machine with one profile that opens its shell. Pure. */
import { win32 } from "node:path";
import { joinArgs } from "./cmdline.ts";
import { uuidV5 } from "./guid.ts";
import { machineTitle } from "./shortcuts.ts";

/** codchi's own UUIDv5 namespace for terminal profile GUIDs (fixed forever: changing it duplicates profiles). */
export const PROFILE_NAMESPACE = "5c0a6c44-2b8e-4f4e-9d1c-8a4b3f0d2e61";

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
  return JSON.stringify({ profiles: [profile] }, null, 2) + "\n";
}
