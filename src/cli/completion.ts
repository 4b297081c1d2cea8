/**
 * Shell completions (bash, zsh, fish, PowerShell from @bomb.sh/tab; elvish and nushell from
 * completion_scripts.ts) with machine names read from the config dir.
 */
import type { Command, CommandUnknownOpts } from "@commander-js/extra-typings";
import tab from "@bomb.sh/tab/commander";
import { machineNameProblem } from "../config/names.ts";
import {
  type CompletionArg,
  type CompletionCommand,
  type CompletionOption,
  type CompletionTree,
  EXTRA_SHELLS,
  extraScript,
} from "./completion_scripts.ts";

/** Argument names that take the name of an existing machine. */
const MACHINE_ARGS = new Set(["name", "machine", "source", "machines"]);

/**
 * Stand-in for bash-completion's `_get_comp_words_by_ref`, which the generated bash script calls:
 * without the bash-completion package the script would otherwise complete nothing useful.
 */
export const BASH_PRELUDE =
  `# codchi: minimal stand-in when the bash-completion package is not loaded
if ! declare -F _get_comp_words_by_ref >/dev/null 2>&1; then
    _get_comp_words_by_ref() {
        cur="\${COMP_WORDS[COMP_CWORD]}"
        prev="\${COMP_WORDS[COMP_CWORD-1]}"
        words=("\${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    }
fi
`;

/**
 * Adds `completion <shell>` (prints the script) and the hidden `complete -- <args…>` (answers the
 * shell) to `program`, and completes machine names from `listNames()`.
 */
export function addCompletion(
  program: Command<[], Record<string, unknown>>,
  listNames: () => string[],
  write: (script: string) => void = (s) => console.log(s),
): void {
  // deno-lint-ignore no-explicit-any
  const root = tab(program as any, { completionCommandName: "completion" });
  addAliases(root, program as unknown as Command);
  for (const cmd of [root, ...root.commands.values()]) {
    for (const arg of cmd.arguments.values()) {
      if (!MACHINE_ARGS.has(arg.name)) continue;
      arg.handler = (complete) => {
        for (const n of listNames()) complete(n, "machine");
      };
    }
  }
  const completion = (program as unknown as Command).commands.find((c) =>
    c.name() === "completion"
  );
  completion?.registeredArguments[0]?.choices([...TAB_SHELLS, ...EXTRA_SHELLS]);
  const shellArg = root.commands.get("completion")?.arguments.get("shell");
  if (shellArg) {
    shellArg.handler = (complete: (value: string, description: string) => void) => {
      for (const s of [...TAB_SHELLS, ...EXTRA_SHELLS]) complete(s, "");
    };
  }
  completion?.addHelpText(
    "after",
    "\nExamples:\n  source <(codchi completion bash)\n" +
      "  codchi completion fish > ~/.config/fish/completions/codchi.fish\n" +
      "  eval (codchi completion elvish | slurp)\n" +
      "  codchi completion nushell | save -f ($nu.default-config-dir | path join codchi-completions.nu)",
  ).action((...args: unknown[]) => {
    const shell = String(args[0]);
    const name = program.name();
    if ((EXTRA_SHELLS as readonly string[]).includes(shell)) {
      const tree = completionTree(program as unknown as CommandUnknownOpts);
      return write(extraScript(shell as typeof EXTRA_SHELLS[number], tree).replace(/\n$/, ""));
    }
    const script = captureLog(() => root.setup(name, name, shell));
    write(shell === "bash" ? `${BASH_PRELUDE}\n${safeBash(script, name)}` : script);
  });
}

/** The shells @bomb.sh/tab writes scripts for. */
const TAB_SHELLS = ["bash", "zsh", "fish", "powershell"];

/** Global flags: accepted after any command too (src/cli/argv.ts scans for them everywhere). */
const GLOBAL_FLAGS = new Set(["json", "verbose", "quiet"]);

/** The visible command tree of `program` (commands and aliases) for the completion scripts. */
export function completionTree(program: CommandUnknownOpts): CompletionTree {
  const optionsOf = (cmd: CommandUnknownOpts): CompletionOption[] =>
    cmd.createHelp().visibleOptions(cmd).map((o) => ({
      long: o.long?.replace(/^--/, ""),
      short: o.short?.replace(/^-/, ""),
      takesValue: o.required,
      description: o.description,
      choices: o.argChoices,
    }));
  const argsOf = (cmd: CommandUnknownOpts): CompletionArg[] =>
    cmd.registeredArguments.map((a) => ({
      name: a.name(),
      required: a.required,
      variadic: a.variadic,
      machine: MACHINE_ARGS.has(a.name()),
      choices: a.argChoices,
      description: a.description,
    }));
  const commands: CompletionCommand[] = [];
  const walk = (cmd: CommandUnknownOpts, prefixes: string[][]) => {
    for (const c of cmd.createHelp().visibleCommands(cmd)) {
      const paths = prefixes.flatMap((p) => [c.name(), ...c.aliases()].map((n) => [...p, n]));
      for (const path of paths) {
        commands.push({
          path,
          description: c.description(),
          options: optionsOf(c),
          args: argsOf(c),
        });
      }
      walk(c, paths);
    }
  };
  walk(program, [[]]);
  const options = optionsOf(program);
  return {
    name: program.name(),
    description: program.description(),
    options,
    globalOptions: options.filter((o) => GLOBAL_FLAGS.has(o.long ?? "")),
    commands,
  };
}

/**
 * Makes the generated bash script safe: the words typed are passed to codchi as an argv array
 * instead of through `eval` (TAB after `codchi exec $(touch x) ` must not run `touch`), and the
 * directive constants are plain variables, so sourcing the script twice prints no errors.
 */
export function safeBash(script: string, name: string): string {
  const build = /requestComp="[^"\n]* complete -- \$\{words\[@\]:1\}"/;
  const empty = /requestComp="\$requestComp ''"/;
  const run = /out=\$\(eval "\$requestComp" 2>\/dev\/null\)/;
  for (const re of [build, empty, run]) {
    if (!re.test(script)) throw new Error(`completion: unexpected bash template (${re})`);
  }
  return script
    .replace(build, `local -a requestArgs=(complete -- "\${words[@]:1}")`)
    .replace(empty, `requestArgs+=("")`)
    .replace(run, `out=$(${name} "\${requestArgs[@]}" 2>/dev/null)`)
    .replace(/^readonly (ShellCompDirective\w+=)/gm, "$1");
}

/** Registers every alias path (`rm`, `run`, `mod ls`…) as a completion command too. */
// deno-lint-ignore no-explicit-any
function addAliases(root: any, program: Command): void {
  const walk = (cmd: Command, canonical: string, variants: string[]) => {
    for (const c of cmd.commands as Command[]) {
      if ((c as unknown as { _hidden?: boolean })._hidden) continue;
      const canon = canonical ? `${canonical} ${c.name()}` : c.name();
      const names = [c.name(), ...c.aliases()];
      const paths = variants.flatMap((v) => names.map((n) => v ? `${v} ${n}` : n));
      const target = root.commands.get(canon);
      if (target) {
        for (const p of paths) {
          if (p === canon || root.commands.has(p)) continue;
          const copy = root.command(p, target.description);
          copy.options = target.options;
          copy.arguments = target.arguments;
        }
      }
      walk(c, canon, paths);
    }
  };
  walk(program, "", [""]);
}

function captureLog(fn: () => void): string {
  const orig = console.log;
  const parts: string[] = [];
  console.log = (...a: unknown[]) => void parts.push(a.map(String).join(" "));
  try {
    fn();
  } finally {
    console.log = orig;
  }
  return parts.join("\n");
}

/** Names of the machines (valid name, with a machine.json), synchronously: completion must be quick. */
export function machineNamesSync(machinesDir: string): string[] {
  try {
    return [...Deno.readDirSync(machinesDir)]
      .filter((e) => e.isDirectory && !machineNameProblem(e.name) && isFile(machinesDir, e.name))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

function isFile(machinesDir: string, name: string): boolean {
  try {
    return Deno.statSync(`${machinesDir}/${name}/machine.json`).isFile;
  } catch {
    return false;
  }
}
