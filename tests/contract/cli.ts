/**
 * Helpers shared by the CLI-level driver tests (tests/lxd/, tests/wsl/) and the lifecycle
 * contract: running codchi, reading its status, looking at host paths.
 */
import { equal } from "node:assert/strict";
import type { CliResult, TestHome } from "../support/cli.ts";

/** Arguments that break any shell joining. */
export const NASTY = [
  "two words",
  "it's",
  '"double"',
  "$(touch /tmp/pwned)",
  "`touch /tmp/pwned`",
  "*",
  "line one\nline two",
  "ünïcødé ✓ 日本",
  "-n",
  "--help",
  "",
  "a\\b",
  "$HOME",
];

/** Runs codchi and asserts exit 0 (stderr in the message). */
export async function ok(home: TestHome, args: string[], env?: Record<string, string>) {
  const res = await home.run(args, { env });
  equal(res.code, 0, `codchi ${args.join(" ")} exited ${res.code}:\n${res.stderr}`);
  return res;
}

/** `codchi exec <m> -- argv` captured. */
export function execIn(home: TestHome, machine: string, argv: string[]): Promise<CliResult> {
  return home.run(["exec", machine, "--", ...argv]);
}

/** `codchi status --json` rows by name. */
export async function statusOf(
  home: TestHome,
): Promise<Record<string, { status: string; running: boolean; home: string }>> {
  const rows = JSON.parse((await ok(home, ["--json", "status"])).stdout) as {
    name: string;
    status: string;
    running: boolean;
    home: string;
  }[];
  return Object.fromEntries(rows.map((r) => [r.name, r] as const));
}

/** Whether a host path exists (without following a last symlink). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Every file and folder below `dir` (absolute paths; empty when it does not exist). */
export async function filesBelow(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    let entries: Deno.DirEntry[] = [];
    try {
      entries = await Array.fromAsync(Deno.readDir(d));
    } catch {
      return;
    }
    for (const e of entries) {
      out.push(`${d}/${e.name}`);
      if (e.isDirectory) await walk(`${d}/${e.name}`);
    }
  };
  await walk(dir);
  return out;
}
