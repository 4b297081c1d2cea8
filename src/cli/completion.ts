/** Shell completions (bash, zsh, fish, PowerShell) with machine names read from the config dir. */
import type { Command } from "@commander-js/extra-typings";
import tab from "@bomb.sh/tab/commander";

/** Argument names that take a machine name. */
const MACHINE_ARGS = new Set(["name", "machine", "source", "target", "machines"]);

/**
 * Adds `completion <shell>` (prints the script) and the hidden `complete -- <args…>` (answers the
 * shell) to `program`, and completes machine names from `listNames()`.
 */
export function addCompletion(
  program: Command<[], Record<string, unknown>>,
  listNames: () => string[],
): void {
  // deno-lint-ignore no-explicit-any
  const root = tab(program as any, { completionCommandName: "completion" });
  for (const cmd of [root, ...root.commands.values()]) {
    for (const arg of cmd.arguments.values()) {
      if (!MACHINE_ARGS.has(arg.name)) continue;
      arg.handler = (complete) => {
        for (const n of listNames()) complete(n, "machine");
      };
    }
  }
}

/** Machine names from the machines folder, synchronously (completion must be quick). */
export function machineNamesSync(machinesDir: string): string[] {
  try {
    return [...Deno.readDirSync(machinesDir)].filter((e) => e.isDirectory).map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}
