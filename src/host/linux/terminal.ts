/**
 * The user's terminal emulator and how to make it run a command: `$TERMINAL`, then the desktop's
 * default, then known terminals. Pure, with `which` and the desktop defaults injected.
 */
import { posix } from "node:path";
import { findOnPath, isExecutableFile, type Runner } from "../../process.ts";

/** A terminal and the argv prefix that makes it run a command (the command follows it). */
export interface TerminalChoice {
  /** Executable name or path. */
  command: string;
  /** Everything before the command's argv, starting with `command`. */
  prefix: string[];
  /** The terminal takes the command as ONE shell-quoted string after the prefix. */
  single?: boolean;
  /** Where the choice came from. */
  source: "TERMINAL" | "xdg-terminal-exec" | "desktop" | "alternative" | "known";
}

/** Defaults read from the desktop, each optional (absent when unknown or not cheap to read). */
export interface DesktopTerminalDefaults {
  /** `gsettings get org.gnome.desktop.default-applications.terminal exec` (unquoted). */
  gnomeExec?: string;
  /** `… exec-arg` (unquoted). */
  gnomeExecArg?: string;
  /** KDE: `TerminalApplication` of `[General]` in `kdeglobals`. */
  kdeTerminal?: string;
  /** Where the `x-terminal-emulator` alternative points (resolved path). */
  alternative?: string;
}

/** argv prefixes (after the executable) that run the rest of the command line. */
const KNOWN: [string, string[]][] = [
  ["xdg-terminal-exec", []],
  ["kgx", ["--"]],
  ["gnome-terminal", ["--"]],
  ["ptyxis", ["--"]],
  ["konsole", ["-e"]],
  ["xfce4-terminal", ["-x"]],
  ["mate-terminal", ["-x"]],
  ["terminator", ["-x"]],
  ["kitty", []],
  ["alacritty", ["-e"]],
  ["foot", []],
  ["wezterm", ["start", "--"]],
  ["ghostty", ["-e"]],
  ["tilix", ["-e"]],
  ["qterminal", ["-e"]],
  ["lxterminal", ["-e"]],
  ["urxvt", ["-e"]],
  ["rxvt-unicode", ["-e"]],
  ["st", ["-e"]],
  ["xterm", ["-e"]],
  ["uxterm", ["-e"]],
  ["x-terminal-emulator", ["-e"]],
];
const KNOWN_MAP = new Map(KNOWN);
/** Terminals whose `-e` takes ONE string (so the command must be a single shell-free word). */
const SINGLE_STRING = new Set(["tilix", "qterminal", "lxterminal"]);

/** The known terminals, in the order they are tried. */
export const KNOWN_TERMINALS: readonly string[] = KNOWN.map(([n]) => n).filter((n) =>
  n !== "xdg-terminal-exec" && n !== "x-terminal-emulator"
);

function isSingle(command: string, prefix: string[]): boolean {
  return SINGLE_STRING.has(posix.basename(command)) && prefix.length === 2 && prefix[1] === "-e";
}

/** argv prefix for a terminal executable (by its base name; unknown ones get `-e`). */
export function prefixFor(command: string, execArg?: string): string[] {
  const base = posix.basename(command);
  const known = KNOWN_MAP.get(base);
  if (known) return [command, ...known];
  return execArg ? [command, execArg] : [command, "-e"];
}

/**
 * Chooses the terminal: `$TERMINAL` (split on spaces; a known name gets its argv form),
 * `xdg-terminal-exec`, the desktop's default (GNOME or KDE settings, by `XDG_CURRENT_DESKTOP`),
 * the `x-terminal-emulator` alternative, then the first known terminal `which` finds.
 */
export function chooseTerminal(
  env: Record<string, string | undefined>,
  which: (name: string) => string | undefined,
  defaults: DesktopTerminalDefaults = {},
): TerminalChoice | undefined {
  const fromTerminal = (env.TERMINAL ?? "").trim();
  if (fromTerminal) {
    const [cmd, ...rest] = fromTerminal.split(/\s+/);
    if (which(cmd) || cmd.startsWith("/")) {
      const prefix = rest.length ? [cmd, ...rest] : prefixFor(cmd);
      return { command: cmd, prefix, single: isSingle(cmd, prefix), source: "TERMINAL" };
    }
  }
  if (which("xdg-terminal-exec")) {
    return {
      command: "xdg-terminal-exec",
      prefix: ["xdg-terminal-exec"],
      source: "xdg-terminal-exec",
    };
  }
  const desktops = (env.XDG_CURRENT_DESKTOP ?? "").toUpperCase().split(":");
  const kde = desktops.includes("KDE");
  const candidates = kde
    ? [[defaults.kdeTerminal, undefined], [defaults.gnomeExec, defaults.gnomeExecArg]]
    : [[defaults.gnomeExec, defaults.gnomeExecArg], [defaults.kdeTerminal, undefined]];
  for (const [cmd, arg] of candidates) {
    if (cmd && which(cmd)) {
      const known = KNOWN_MAP.has(posix.basename(cmd));
      const prefix = prefixFor(cmd, known ? undefined : arg);
      return { command: cmd, prefix, single: isSingle(cmd, prefix), source: "desktop" };
    }
  }
  if (defaults.alternative && which("x-terminal-emulator")) {
    const real = posix.basename(defaults.alternative);
    const prefix = KNOWN_MAP.has(real) && !SINGLE_STRING.has(real)
      ? ["x-terminal-emulator", ...KNOWN_MAP.get(real)!]
      : ["x-terminal-emulator", "-e"];
    return { command: "x-terminal-emulator", prefix, source: "alternative" };
  }
  for (const name of KNOWN_TERMINALS) {
    if (which(name)) {
      const prefix = prefixFor(name);
      return { command: name, prefix, single: isSingle(name, prefix), source: "known" };
    }
  }
  return undefined;
}

/** The full argv that opens `choice` running `cmd`. */
export function terminalArgv(choice: TerminalChoice, cmd: string[]): string[] {
  return choice.single ? [...choice.prefix, shellJoin(cmd)] : [...choice.prefix, ...cmd];
}

/** Joins argv into one POSIX shell command line (single quotes where needed). */
export function shellJoin(argv: string[]): string {
  return argv.map((a) =>
    /^[A-Za-z0-9_\-+=.,:/@%^]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`
  )
    .join(" ");
}

/** Strips GVariant string quoting from `gsettings get` output (`'gnome-terminal'` → gnome-terminal). */
export function parseGsettingsString(out: string): string | undefined {
  const t = out.trim();
  const m = /^'((?:[^'\\]|\\.)*)'$/.exec(t);
  const v = m ? m[1].replace(/\\(.)/g, "$1") : t;
  return v === "" ? undefined : v;
}

/** `TerminalApplication` from a kdeglobals file's `[General]` group. */
export function parseKdeTerminal(kdeglobals: string): string | undefined {
  let inGeneral = false;
  for (const raw of kdeglobals.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("[")) inGeneral = line === "[General]";
    else if (inGeneral) {
      const m = /^TerminalApplication\s*=\s*(.+)$/.exec(line);
      if (m) return m[1].trim().split(/\s+/)[0];
    }
  }
  return undefined;
}

/** A `which` over `PATH`, for production use (stat only, no process). */
export function pathWhich(path = Deno.env.get("PATH") ?? ""): (name: string) => string | undefined {
  return (name) =>
    name.includes("/")
      ? (isExecutableFile(name) ? name : undefined)
      : findOnPath(name, path, isExecutableFile);
}

/**
 * Reads the desktop's terminal defaults cheaply: the `x-terminal-emulator` alternative and
 * kdeglobals are files; gsettings (one process each key) is asked only on GNOME-like desktops.
 */
export async function readTerminalDefaults(
  env: Record<string, string | undefined>,
  runner: Runner,
  which: (name: string) => string | undefined = pathWhich(env.PATH ?? ""),
): Promise<DesktopTerminalDefaults> {
  const out: DesktopTerminalDefaults = {};
  out.alternative = await Deno.realPath("/etc/alternatives/x-terminal-emulator").catch(() =>
    undefined
  );
  const configHome = env.XDG_CONFIG_HOME || (env.HOME ? posix.join(env.HOME, ".config") : "");
  if (configHome) {
    const kde = await Deno.readTextFile(posix.join(configHome, "kdeglobals")).catch(() => "");
    out.kdeTerminal = parseKdeTerminal(kde);
  }
  const desktops = (env.XDG_CURRENT_DESKTOP ?? "").toUpperCase().split(":");
  const gnomeLike = ["GNOME", "UNITY", "BUDGIE", "CINNAMON", "MATE", "PANTHEON"].some((d) =>
    desktops.includes(d)
  );
  if (gnomeLike && which("gsettings")) {
    const schema = "org.gnome.desktop.default-applications.terminal";
    const get = async (key: string) => {
      const r = await runner.run(["gsettings", "get", schema, key], {
        check: false,
        timeoutMs: 2000,
      });
      return r.code === 0 ? parseGsettingsString(r.text) : undefined;
    };
    out.gnomeExec = await get("exec");
    if (out.gnomeExec) out.gnomeExecArg = await get("exec-arg");
  }
  return out;
}

/** The user's terminal, from the real environment (see `chooseTerminal`). */
export async function detectTerminal(
  env: Record<string, string | undefined>,
  runner: Runner,
): Promise<TerminalChoice | undefined> {
  const which = pathWhich(env.PATH ?? "");
  return chooseTerminal(env, which, await readTerminalDefaults(env, runner, which));
}

/**
 * argv that starts `argv` detached from codchi (its own session, stdio on /dev/null, not waited
 * for), so the tray or a desktop action does not block on a terminal window until it is closed.
 */
export function detachedArgv(argv: string[]): string[] {
  return ["sh", "-c", 'exec setsid -f "$@" </dev/null >/dev/null 2>&1', "codchi-detach", ...argv];
}
