/**
 * Completion scripts for the shells @bomb.sh/tab does not know: elvish (asks `codchi complete`
 * at every TAB, as the bash/zsh/fish/PowerShell scripts do) and nushell (`extern` signatures of
 * every command, with machine names from `codchi complete`). Pure: text from a command tree.
 */

/** One option of a command, as a completion script needs it. */
export interface CompletionOption {
  /** Without dashes (`branch`), if any. */
  long?: string;
  /** One character without the dash (`b`), if any. */
  short?: string;
  /** Takes a value (required); optional values count as no value (the shell passes words on). */
  takesValue: boolean;
  description: string;
  /** The values it accepts, when fixed. */
  choices?: string[];
}

/** One positional argument. */
export interface CompletionArg {
  name: string;
  required: boolean;
  variadic: boolean;
  /** Takes the name of an existing machine. */
  machine: boolean;
  choices?: string[];
  description?: string;
}

/** A command (or alias) with its full path below the program (`["module", "add"]`). */
export interface CompletionCommand {
  path: string[];
  description: string;
  options: CompletionOption[];
  args: CompletionArg[];
}

/** The tree of a program: its global options and every (sub)command and alias. */
export interface CompletionTree {
  name: string;
  description: string;
  /** Options of the program itself (`--json`, `-v`…). */
  options: CompletionOption[];
  /** Of those, the ones every command accepts too (global flags). */
  globalOptions: CompletionOption[];
  commands: CompletionCommand[];
}

/** The shells whose scripts are written here. */
export const EXTRA_SHELLS = ["elvish", "nushell"] as const;

/** The completion script of `shell` for `tree`. */
export function extraScript(shell: typeof EXTRA_SHELLS[number], tree: CompletionTree): string {
  return shell === "elvish" ? elvishScript(tree.name) : nushellScript(tree);
}

/**
 * The elvish script: an arg-completer that passes the words typed (as a list, never through a
 * shell string) to `<name> complete --` and turns its answer (`value<TAB>description` lines and a
 * last `:<directive>` line) into candidates; file names when the answer allows files and has none.
 */
export function elvishScript(name: string): string {
  const q = elvishQuote(name);
  return `# elvish completion for ${name}: eval (${name} completion elvish | slurp)
# in ~/.config/elvish/rc.elv (or save it as ~/.config/elvish/lib/${name}.elv and \`use ${name}\`).
use str
set edit:completion:arg-completer[${q}] = {|@words|
  var last = $words[-1]
  var prefix = ''
  var eq = (str:index $last '=')
  if (and (str:has-prefix $last '-') (> $eq 0)) {
    set prefix = $last[..(+ $eq 1)]
  }
  var rest = $words[1..]
  var lines = []
  try {
    set lines = [(e:${name} complete -- $@rest 2>/dev/null)]
  } catch {
    set lines = []
  }
  var directive = 0
  var found = $false
  for line $lines {
    if (str:has-prefix $line ':') {
      set directive = (str:trim-prefix $line ':')
      continue
    }
    if (eq $line '') {
      continue
    }
    var parts = [(str:split "\\t" $line)]
    var value = $parts[0]
    var help = ''
    if (> (count $parts) 1) {
      set help = $parts[1]
    }
    set found = $true
    if (eq $help '') {
      edit:complex-candidate $prefix$value
    } else {
      edit:complex-candidate $prefix$value &display=$prefix$value' ('$help')'
    }
  }
  # Directive bit 4: no file names.
  var nofile = (== (% (/ (- $directive (% $directive 4)) 4) 2) 1)
  if (and (not $found) (not $nofile)) {
    edit:complete-filename $last
  }
}
`;
}

/** `name` as one single-quoted elvish word. */
function elvishQuote(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/**
 * The nushell script: `export extern` for the program and every command and alias (so nushell
 * completes sub-commands and flags itself and shows their descriptions), machine arguments
 * completed by `<name> complete -- exec ""`, fixed choices from their own completer.
 */
export function nushellScript(tree: CompletionTree): string {
  const n = tree.name;
  const machines = `nu-complete ${n} machines`;
  const out: string[] = [
    `# nushell completion for ${n}: ${n} completion nushell | save -f ($nu.default-config-dir | path join ${n}-completions.nu)`,
    `# then add \`use ${n}-completions.nu *\` to config.nu.`,
    "",
    `# The machines ${n} knows (it lists them itself).`,
    `def "${machines}" [] {`,
    `  ^${n} complete -- exec "" | lines | where {|l| $l != "" and not ($l | str starts-with ":") } | each {|l|`,
    `    let p = ($l | split row "\\t")`,
    `    { value: ($p | first), description: ($p | skip 1 | str join " ") }`,
    "  }",
    "}",
  ];
  const choiceDefs = new Map<string, string[]>();
  const choiceRef = (key: string, values: string[]) => {
    const def = `nu-complete ${n} ${key}`;
    choiceDefs.set(def, values);
    return def;
  };
  const flag = (o: CompletionOption, where: string) => {
    let head = o.long ? `--${o.long}` : `-${o.short}`;
    if (o.long && o.short) head += `(-${o.short})`;
    if (o.takesValue) {
      head += ": string";
      if (o.choices?.length) {
        head += `@"${choiceRef(`${where} ${o.long ?? o.short}`, o.choices)}"`;
      }
    }
    return `  ${head}${comment(o.description)}`;
  };
  const sig = (path: string[], description: string, lines: string[]) => {
    out.push("", `# ${oneLine(description)}`, `export extern "${[n, ...path].join(" ")}" [`);
    out.push(...lines, "]");
  };
  sig([], tree.description, tree.options.map((o) => flag(o, "")));
  const globals = new Set(tree.globalOptions.map((o) => o.long ?? o.short));
  for (const c of tree.commands) {
    const where = c.path.join(" ");
    const lines: string[] = [];
    for (const a of c.args) {
      const id = a.name.replace(/[^A-Za-z0-9_]/g, "_");
      const completer = a.machine
        ? `@"${machines}"`
        : a.choices?.length
        ? `@"${choiceRef(`${where} ${a.name}`, a.choices)}"`
        : "";
      const head = a.variadic ? `...${id}` : `${id}${a.required ? "" : "?"}`;
      lines.push(`  ${head}: string${completer}${comment(a.description || a.name)}`);
    }
    const own = c.options.filter((o) => !globals.has(o.long ?? o.short));
    for (const o of [...own, ...tree.globalOptions]) lines.push(flag(o, where));
    sig(c.path, c.description, lines);
  }
  for (const [def, values] of choiceDefs) {
    out.push("", `def "${def}" [] { [${values.map(nuString).join(" ")}] }`);
  }
  return out.join("\n") + "\n";
}

function comment(text: string): string {
  const t = oneLine(text);
  return t ? ` # ${t}` : "";
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** A nushell string literal (double-quoted, escapes for `\` and `"`). */
function nuString(s: string): string {
  return `"${s.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}
