/**
 * Desktop Entry files (freedesktop.org Desktop Entry spec 1.4/1.5): parsing, rendering,
 * value escapes, locale keys, and the Exec key's quoting and field codes. Pure.
 */
import { ConfigError } from "../../errors.ts";

/** One `Key[locale]=value` line; `value` is the raw (still escaped) text. */
export interface EntryKey {
  key: string;
  locale?: string;
  value: string;
}

/** One `[Group]` with its keys in file order. */
export interface EntryGroup {
  name: string;
  keys: EntryKey[];
}

/** A parsed desktop file: groups in file order (comments and blank lines are dropped). */
export interface DesktopFile {
  groups: EntryGroup[];
}

/** Main group name. */
export const MAIN_GROUP = "Desktop Entry";

/** What to do about a desktop entry that does not parse (it comes from the machine's packages). */
const ENTRY_HINT = "Fix the app's .desktop file in the machine's modules " +
  "(Desktop Entry Specification); until then it gets no shortcut.";

/** A desktop entry that does not parse: a ConfigError with the fix (callers skip the entry). */
function malformed(message: string): ConfigError {
  return new ConfigError(`Desktop entry: ${message}`, ENTRY_HINT);
}

/** Parses a desktop file; throws a ConfigError naming the line when it is malformed. */
export function parseDesktopFile(text: string): DesktopFile {
  const groups: EntryGroup[] = [];
  let current: EntryGroup | undefined;
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    if (line.startsWith("[")) {
      const m = /^\[([^\[\]]+)\]$/.exec(line);
      if (!m || [...m[1]].some((c) => c < " " || c === "\x7f")) {
        throw malformed(`line ${i + 1}: malformed group header ${JSON.stringify(line)}`);
      }
      if (groups.some((g) => g.name === m[1])) {
        throw malformed(`line ${i + 1}: group [${m[1]}] appears twice`);
      }
      current = { name: m[1], keys: [] };
      groups.push(current);
      return;
    }
    const eq = raw.indexOf("=");
    if (eq < 0) throw malformed(`line ${i + 1}: expected Key=value, got ${JSON.stringify(line)}`);
    if (!current) throw malformed(`line ${i + 1}: key before the first group`);
    const lhs = raw.slice(0, eq).trim();
    const m = /^([A-Za-z0-9-]+)(?:\[([^\]]+)\])?$/.exec(lhs);
    if (!m) throw malformed(`line ${i + 1}: invalid key ${JSON.stringify(lhs)}`);
    current.keys.push({ key: m[1], locale: m[2], value: raw.slice(eq + 1).trimStart() });
  });
  return { groups };
}

/** Renders a desktop file (groups and keys in order, `\n` line ends, final newline). */
export function renderDesktopFile(file: DesktopFile): string {
  return file.groups.map((g) =>
    [`[${g.name}]`, ...g.keys.map((k) => `${k.key}${k.locale ? `[${k.locale}]` : ""}=${k.value}`)]
      .join("\n")
  ).join("\n\n") + "\n";
}

/** The group called `name`, if present. */
export function group(file: DesktopFile, name: string): EntryGroup | undefined {
  return file.groups.find((g) => g.name === name);
}

/** The raw (escaped) value of an unlocalised key. */
export function rawValue(g: EntryGroup | undefined, key: string): string | undefined {
  return g?.keys.find((k) => k.key === key && k.locale === undefined)?.value;
}

/** The unescaped value of an unlocalised string key. */
export function stringValue(g: EntryGroup | undefined, key: string): string | undefined {
  const v = rawValue(g, key);
  return v === undefined ? undefined : unescapeValue(v);
}

/** A boolean key (`true`/`false`), or `fallback` when absent. */
export function boolValue(g: EntryGroup | undefined, key: string, fallback = false): boolean {
  const v = rawValue(g, key);
  return v === undefined ? fallback : v.trim() === "true";
}

/** The items of an unlocalised list key (`a;b;c;`), unescaped. */
export function listValue(g: EntryGroup | undefined, key: string): string[] {
  const v = rawValue(g, key);
  return v === undefined ? [] : splitList(v);
}

/** Undoes the spec's string escapes: `\s \n \t \r \\` (unknown escapes keep their character). */
export function unescapeValue(raw: string): string {
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c !== "\\" || i + 1 >= raw.length) {
      out += c;
      continue;
    }
    const n = raw[++i];
    out += n === "s" ? " " : n === "n" ? "\n" : n === "t" ? "\t" : n === "r" ? "\r" : n;
  }
  return out;
}

/** Escapes a string value for a desktop file (backslash, control characters, leading space). */
export function escapeValue(value: string): string {
  const body = value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll("\t", "\\t")
    .replaceAll("\r", "\\r");
  return body.startsWith(" ") ? `\\s${body.slice(1)}` : body;
}

/** Splits a raw list value on unescaped `;`, unescaping each item; empty items are dropped. */
export function splitList(raw: string): string[] {
  const items: string[] = [];
  let cur = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "\\" && raw[i + 1] === ";") {
      cur += "\\;";
      i++;
    } else if (c === ";") {
      items.push(cur);
      cur = "";
    } else cur += c;
  }
  items.push(cur);
  return items.map((s) => unescapeValue(s.replaceAll("\\;", ";"))).filter((s) => s !== "");
}

/** Renders list items as a raw list value (`a;b;`), escaping `;` and string escapes. */
export function joinList(items: string[]): string {
  return items.map((s) => escapeValue(s).replaceAll(";", "\\;") + ";").join("");
}

// ---- Exec key ------------------------------------------------------------------------------

/** A piece of one Exec argument: literal text or a field code such as `f` for `%f`. */
export type ExecPart = { text: string } | { code: string };

/** One Exec argument: its pieces and whether it was written in double quotes. */
export interface ExecArg {
  parts: ExecPart[];
  quoted: boolean;
}

/** Field codes the spec defines (deprecated ones included, so they can be dropped). */
export const FIELD_CODES = new Set([
  "f",
  "F",
  "u",
  "U",
  "i",
  "c",
  "k",
  "d",
  "D",
  "n",
  "N",
  "v",
  "m",
]);

/**
 * Parses an Exec value (raw, as in the file) into arguments: string escapes first, then the
 * Exec quoting rules (double quotes, backslash before `"` `` ` `` `$` `\` inside them), then
 * field codes in unquoted arguments (`%%` is a literal `%` everywhere). Throws on bad quoting.
 */
export function parseExec(raw: string): ExecArg[] {
  const s = unescapeValue(raw);
  const args: ExecArg[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && (s[i] === " " || s[i] === "\t")) i++;
    if (i >= s.length) break;
    if (s[i] === '"') {
      let text = "";
      i++;
      for (;;) {
        if (i >= s.length) throw malformed(`Exec: unterminated quote in ${JSON.stringify(s)}`);
        const c = s[i];
        if (c === '"') break;
        if (c === "\\" && i + 1 < s.length && '"`$\\'.includes(s[i + 1])) {
          text += s[i + 1];
          i += 2;
          continue;
        }
        text += c;
        i++;
      }
      i++;
      if (i < s.length && s[i] !== " " && s[i] !== "\t") {
        throw malformed(`Exec: a quoted argument must be a whole argument in ${JSON.stringify(s)}`);
      }
      args.push({
        parts: text === "" ? [{ text: "" }] : [{ text: text.replaceAll("%%", "%") }],
        quoted: true,
      });
      continue;
    }
    const parts: ExecPart[] = [];
    let text = "";
    while (i < s.length && s[i] !== " " && s[i] !== "\t") {
      if (s[i] === "%" && i + 1 < s.length) {
        const n = s[i + 1];
        i += 2;
        if (n === "%") text += "%";
        else {
          if (text) parts.push({ text });
          text = "";
          parts.push({ code: n });
        }
        continue;
      }
      text += s[i++];
    }
    if (text) parts.push({ text });
    args.push({ parts, quoted: false });
  }
  return args;
}

const RESERVED = /[\s"'\\><~|&;$*?#()`]/;

/** Quotes one literal argument for an Exec value (unescaped form; `%` doubled). */
export function quoteExecArg(arg: string): string {
  const pct = arg.replaceAll("%", "%%");
  if (arg !== "" && !RESERVED.test(arg)) return pct;
  return `"${pct.replace(/["`$\\]/g, (c) => `\\${c}`)}"`;
}

/** Renders arguments as a raw Exec value (quoted per the Exec rules, then string-escaped). */
export function renderExec(args: ExecArg[]): string {
  const words = args.map((a) => {
    const hasCode = a.parts.some((p) => "code" in p);
    if (!hasCode) return quoteExecArg(a.parts.map((p) => ("text" in p ? p.text : "")).join(""));
    return a.parts.map((p) => ("code" in p ? `%${p.code}` : p.text.replaceAll("%", "%%"))).join("");
  });
  return escapeValue(words.join(" "));
}

/** A literal Exec argument. */
export function literalArg(text: string): ExecArg {
  return { parts: [{ text }], quoted: false };
}

/**
 * What a launcher would run for an Exec value: field codes replaced (files for %f/%F,
 * urls for %u/%U, `--icon` for %i, the name for %c, the entry path for %k).
 */
export function expandExec(
  raw: string,
  ctx: { files?: string[]; urls?: string[]; icon?: string; name?: string; location?: string } = {},
): string[] {
  const out: string[] = [];
  for (const arg of parseExec(raw)) {
    const codes = arg.parts.filter((p) => "code" in p).map((p) => (p as { code: string }).code);
    if (codes.length === 1 && arg.parts.length === 1) {
      const c = codes[0];
      if (c === "F") out.push(...(ctx.files ?? []));
      else if (c === "U") out.push(...(ctx.urls ?? ctx.files ?? []));
      else if (c === "i") out.push(...(ctx.icon ? ["--icon", ctx.icon] : []));
      else if (c === "f" && ctx.files?.length) out.push(ctx.files[0]);
      else if (c === "u" && (ctx.urls ?? ctx.files)?.length) out.push((ctx.urls ?? ctx.files)![0]);
      else if (c === "c" && ctx.name !== undefined) out.push(ctx.name);
      else if (c === "k" && ctx.location !== undefined) out.push(ctx.location);
      continue;
    }
    let s = "";
    for (const p of arg.parts) {
      if ("text" in p) s += p.text;
      else if (p.code === "f") s += ctx.files?.[0] ?? "";
      else if (p.code === "u") s += (ctx.urls ?? ctx.files)?.[0] ?? "";
      else if (p.code === "c") s += ctx.name ?? "";
      else if (p.code === "k") s += ctx.location ?? "";
    }
    out.push(s);
  }
  return out;
}
