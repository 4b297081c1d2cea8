/**
 * What the top level knows of every command without loading it: names, aliases, the usage term
 * and a one-line description (for help, suggestions and dispatch). Each command's module is
 * imported only when that command runs; tests/cli/commands_test.ts keeps this table true to them.
 */
import type { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { VERSION } from "../version.ts";

/** Builds a command's commander tree (its module is loaded on demand). */
export type CommandBuilder = (ctx: Context) => Command<unknown[], Record<string, unknown>>;

/** One top-level command. */
export interface CommandInfo {
  name: string;
  aliases: string[];
  /** The help term after the name: `[options]` and the arguments. */
  args: string;
  description: string;
  hidden?: boolean;
  /** Loads the command's builder; absent for the completion commands (added by completion.ts). */
  load?: () => Promise<CommandBuilder>;
}

/** codchi's one-line description. */
export const DESCRIPTION =
  "codchi turns a NixOS module from a git repo into a running code machine on your desktop.";

/** The completion command's description (also set on the real command). */
export const COMPLETION_DESCRIPTION =
  "print the shell completion script (bash, zsh, fish, powershell, elvish or nushell)";

// deno-lint-ignore no-explicit-any
const b = (f: any) => f as CommandBuilder;

/** Every top-level command, in help order. */
export const COMMANDS: CommandInfo[] = [
  {
    name: "status",
    aliases: [],
    args: "",
    description: "show every machine: config status, running, home folder (the default command)",
    load: async () => b((await import("./status.ts")).statusCommand),
  },
  {
    name: "init",
    aliases: [],
    args: "[options] <name> [url] [module-paths...]",
    description: "create a code machine from a NixOS module in a git repo (or an empty one)",
    load: async () => b((await import("./init.ts")).initCommand),
  },
  {
    name: "clone",
    aliases: [],
    args: "[options] <name> <url> [module-paths...]",
    description:
      "create a machine whose module is a git checkout in its home (cloned by the store's git, owned by the machine user); -N clones without building",
    load: async () => b((await import("./clone.ts")).cloneCommand),
  },
  {
    name: "exec",
    aliases: ["run"],
    args: "<name> [cmd...]",
    description: "run a command in a machine as its user, in a login session (default: a shell)",
    load: async () => b((await import("./exec.ts")).execCommand),
  },
  {
    name: "rebuild",
    aliases: [],
    args: "[options] <name>",
    description: "update the modules (unless --no-update), build and activate the machine",
    load: async () => b((await import("./rebuild.ts")).rebuildCommand),
  },
  {
    name: "delete",
    aliases: ["rm"],
    args: "[options] <name>",
    description: "delete a machine: container, config, home folder, shortcuts, secrets",
    load: async () => b((await import("./delete.ts")).deleteCommand),
  },
  {
    name: "duplicate",
    aliases: ["dup"],
    args: "<source> <target>",
    description: "copy a machine with its config, flake.lock, home folder and secrets",
    load: async () => b((await import("./duplicate.ts")).duplicateCommand),
  },
  {
    name: "gc",
    aliases: [],
    args: "[options] [machines...]",
    description: "delete old system generations (optionally older than N days), then gc the store",
    load: async () => b((await import("./gc.ts")).gcCommand),
  },
  {
    name: "module",
    aliases: ["mod"],
    args: "",
    description: "manage a machine's modules",
    load: async () => b((await import("./module.ts")).moduleCommand),
  },
  {
    name: "secrets",
    aliases: [],
    args: "",
    description: "manage a machine's secrets (kept in the OS keychain)",
    load: async () => b((await import("./secrets.ts")).secretsCommand),
  },
  {
    name: "tar",
    aliases: [],
    args: "[options] <name> <file>",
    description:
      "export the machine as a standalone NixOS: state, home and /etc/nixos flake (.tar, .tar.gz, .tar.zst)",
    load: async () => b((await import("./tar.ts")).tarCommand),
  },
  {
    name: "export",
    aliases: [],
    args: "[options] <name> <file>",
    description:
      "build the machine's configuration as a VM image (qcow2, raw, vmdk, vhdx, ova, iso) and write it to a file",
    load: async () => b((await import("./export_image.ts")).exportCommand),
  },
  {
    name: "usb",
    aliases: [],
    args: "",
    description: "hand host USB devices to a machine (kept in machine.json, re-applied at start)",
    load: async () => b((await import("./usb.ts")).usbCommand),
  },
  {
    name: "remote",
    aliases: [],
    args: "",
    description: "remote LXD/Incus servers the machines can run on (set `remote` in config.json)",
    load: async () => b((await import("./remote.ts")).remoteCommand),
  },
  {
    name: "store",
    aliases: [],
    args: "",
    description: "the shared Nix store container (codchistore)",
    load: async () => b((await import("./store.ts")).storeCommand),
  },
  {
    name: "recover",
    aliases: [],
    args: "<name>",
    description: "re-create a machine's container from the machine image, keeping its home",
    load: async () => b((await import("./store.ts")).recoverCommand),
  },
  {
    name: "doctor",
    aliases: [],
    args: "",
    description: "check this host: driver, daemon, permissions, display, sound, secrets",
    load: async () => b((await import("./doctor.ts")).doctorCommand),
  },
  {
    name: "uninstall",
    aliases: [],
    args: "[options]",
    description:
      "remove every machine, the store, images, shortcuts, secrets and codchi's folders " +
      "(not the codchi program itself: see the README)",
    load: async () => b((await import("./uninstall.ts")).uninstallCommand),
  },
  { name: "completion", aliases: [], args: "<shell>", description: COMPLETION_DESCRIPTION },
  {
    name: "complete",
    aliases: [],
    args: "[args...]",
    description: "answer the shell (used by the completion scripts)",
    hidden: true,
  },
  {
    name: "tray",
    aliases: [],
    args: "",
    description: "run the tray icon (started by the desktop session)",
    hidden: true,
    load: async () => b((await import("./tray.ts")).trayCommand),
  },
];

/** The entry for a command name or alias, if any. */
export function findCommand(name: string): CommandInfo | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases.includes(name));
}

/** Commands that only group subcommands (run alone, they print their help and exit 2). */
export const GROUPS = new Set(["module", "secrets", "store", "remote"]);

/** The global options, as the help lists them. */
export const GLOBAL_OPTIONS: [string, string][] = [
  ["-V, --version", "print the version"],
  ["--json", "machine-readable output on stdout"],
  ["-v, --verbose", "more output (repeat for more)"],
  ["-q, --quiet", "only errors"],
  ["-h, --help", "show help"],
];

const EXAMPLES = [
  "codchi init java https://github.com/acme/app nixosModules.jvm",
  "codchi exec java -- idea-community",
  "codchi status --json",
];

function term(c: CommandInfo): string {
  return [c.name, ...c.aliases.slice(0, 1)].join("|") + (c.args ? ` ${c.args}` : "");
}

/** Wraps `text` at `width` columns on spaces. */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join("\n");
}

/** `codchi --help`: rendered from the table, so it needs no command module. */
export function rootHelp(): string {
  const cmds = COMMANDS.filter((c) => !c.hidden).map((c) => [term(c), c.description]);
  cmds.push(["help [command]", "display help for command"]);
  const width = Math.max(...[...GLOBAL_OPTIONS, ...cmds].map(([t]) => t.length)) + 2;
  const rows = (items: string[][]) => items.map(([t, d]) => `  ${t.padEnd(width)}${d}`);
  return [
    "Usage: codchi [options] [command]",
    "",
    wrap(DESCRIPTION, 80),
    "",
    "Options:",
    ...rows(GLOBAL_OPTIONS),
    "",
    "Commands:",
    ...rows(cmds),
    "",
    "Examples:",
    ...EXAMPLES.map((e) => `  ${e}`),
    "",
    "Run `codchi doctor` to check this host.",
    "",
  ].join("\n");
}

/** `codchi --json --help`: the same as data. */
export function rootHelpJson(): unknown {
  return {
    name: "codchi",
    version: VERSION,
    description: DESCRIPTION,
    usage: "codchi [options] [command]",
    options: GLOBAL_OPTIONS.map(([flags, description]) => ({ flags, description })),
    commands: COMMANDS.filter((c) => !c.hidden).map((c) => ({
      name: c.name,
      aliases: c.aliases,
      usage: `codchi ${term(c)}`,
      description: c.description,
    })),
    examples: EXAMPLES,
  };
}

/** Edit distance with transpositions (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/** The visible command names (and aliases) closest to `word`, if any is close enough. */
export function suggestCommands(word: string): string[] {
  const names = COMMANDS.filter((c) => !c.hidden).flatMap((c) => [c.name, ...c.aliases]);
  names.push("help");
  let best = 3;
  let found: string[] = [];
  for (const n of names) {
    const dist = editDistance(word, n);
    const similar = (Math.max(word.length, n.length) - dist) / Math.max(word.length, n.length);
    if (similar <= 0.4) continue;
    if (dist < best) [best, found] = [dist, [n]];
    else if (dist === best) found.push(n);
  }
  return found;
}
