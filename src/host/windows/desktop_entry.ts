/** The few parts of a freedesktop.org desktop entry that Windows shortcuts need. Pure. */
import { ConfigError } from "../../errors.ts";

/** An application exported by a machine, as the Windows side needs it. */
export interface DesktopApp {
  /** Desktop file id without ".desktop" (e.g. "org.gnome.gedit"). */
  id: string;
  name: string;
  comment?: string;
  /** The command, split into argv, field codes removed. */
  argv: string[];
  /** Runs in a terminal (a console window on Windows). */
  terminal: boolean;
  /** Icon name or path, as written in the entry. */
  icon?: string;
}

/** Parses a desktop entry; undefined for hidden, NoDisplay, non-Application or Exec-less entries. */
export function parseDesktopEntry(id: string, text: string): DesktopApp | undefined {
  const keys = new Map<string, string>();
  let inMain = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("[")) {
      inMain = line === "[Desktop Entry]";
      continue;
    }
    const eq = line.indexOf("=");
    if (!inMain || eq < 0) continue;
    const key = line.slice(0, eq).trim();
    if (!keys.has(key)) keys.set(key, unescapeValue(line.slice(eq + 1).trim()));
  }
  const yes = (k: string) => keys.get(k) === "true";
  if ((keys.get("Type") ?? "Application") !== "Application") return undefined;
  if (yes("NoDisplay") || yes("Hidden")) return undefined;
  const name = keys.get("Name");
  const exec = keys.get("Exec");
  if (!name || !exec) return undefined;
  let argv: string[];
  try {
    argv = splitExec(exec);
  } catch {
    return undefined; // a malformed Exec (an unterminated quote): the app gets no shortcut
  }
  if (argv.length === 0) return undefined;
  return {
    id,
    name,
    comment: keys.get("Comment") || undefined,
    argv,
    terminal: yes("Terminal"),
    icon: keys.get("Icon") || undefined,
  };
}

/** Undoes the string escapes of desktop entry values (\s \n \t \r \\). */
function unescapeValue(value: string): string {
  const map: Record<string, string> = { s: " ", n: "\n", t: "\t", r: "\r", "\\": "\\" };
  return value.replace(/\\([sntr\\])/g, (_, c: string) => map[c]);
}

/** Splits an Exec value into argv following the spec's quoting; field codes are dropped. */
export function splitExec(exec: string): string[] {
  const args: string[] = [];
  let cur = "";
  let started = false;
  let quoted = false;
  for (let i = 0; i < exec.length; i++) {
    const c = exec[i];
    if (quoted) {
      if (c === "\\" && i + 1 < exec.length && '"`$\\'.includes(exec[i + 1])) cur += exec[++i];
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') {
      quoted = true;
      started = true;
    } else if (c === " " || c === "\t") {
      if (started) args.push(cur);
      cur = "";
      started = false;
    } else {
      cur += c;
      started = true;
    }
  }
  if (quoted) {
    throw new ConfigError(
      `Desktop entry: unterminated quote in Exec: ${exec}`,
      "Fix the app's .desktop file in the machine's modules; until then it gets no shortcut.",
    );
  }
  if (started) args.push(cur);
  return args.flatMap(dropFieldCodes);
}

function dropFieldCodes(arg: string): string[] {
  if (/^%[fFuUdDnNickvm]$/.test(arg)) return [];
  return [arg.replace(/%([fFuUdDnNickvm%])/g, (_, c: string) => (c === "%" ? "%" : ""))];
}
