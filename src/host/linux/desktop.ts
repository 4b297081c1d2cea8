/**
 * Host desktop entries for a machine's apps: a pure planner (apps → files) and the effects
 * that write and remove them. See docs/linux-host.md for the layout.
 */
import { posix } from "node:path";
import type { Paths } from "../../config/paths.ts";
import {
  boolValue,
  type DesktopFile,
  type EntryGroup,
  type EntryKey,
  escapeValue,
  type ExecArg,
  type ExecPart,
  group,
  joinList,
  listValue,
  literalArg,
  MAIN_GROUP,
  parseExec,
  rawValue,
  renderDesktopFile,
  renderExec,
  splitList,
  stringValue,
  unescapeValue,
} from "./desktop_entry.ts";
import { isKnownCategory, isKnownDesktop } from "./desktop_registry.ts";
import { renderMenu } from "./menu.ts";
import { terminalArgv, type TerminalChoice } from "./terminal.ts";

/** One app found in the machine's `applications/` folder; `id` is its desktop file ID minus `.desktop`. */
export interface MachineApp {
  id: string;
  file: DesktopFile;
}

/** What a machine exports: its apps and the icon files available to them. */
export interface AppsFolder {
  apps: MachineApp[];
  /** Host folder the icon paths below are relative to (the folder's `icons/`). */
  iconsRoot: string;
  /** Icon files, relative to `iconsRoot` (e.g. `hicolor/48x48/apps/foo.png`). */
  iconFiles: string[];
  /** Absolute `Icon=` values of the apps that were found on the host: value → host file. */
  absoluteIcons?: Record<string, string>;
}

/** The host folders desktop files go to. */
export type DesktopTargets = Pick<
  Paths,
  "applicationsDir" | "iconsDir" | "menusDir" | "desktopDirectoriesDir"
>;

/** Everything the planner needs. */
export interface ExportInput {
  machine: string;
  /** Absolute path of the codchi binary that entries run. */
  codchi: string;
  targets: DesktopTargets;
  folder: AppsFolder;
  /** The user's terminal (see terminal.ts); absent → the entry says `Terminal=true`. */
  terminal?: TerminalChoice;
}

/** A file to write: text, or a copy of a host file. */
export type PlannedFile = { path: string; text: string } | { path: string; copyFrom: string };

/** Files of one machine's export, in write order (icons and directories before entries and menu). */
export interface ExportPlan {
  machine: string;
  files: PlannedFile[];
  /** Files shared by all machines (the top "Codchi" directory): written, never listed in the manifest. */
  shared: PlannedFile[];
}

/** What was exported for a machine (stored by the core, used for exact removal). */
export interface ExportManifest {
  version: 1;
  machine: string;
  files: string[];
}

const ENTRY_VERSION = "1.4";
const TOP_DIRECTORY = "codchi.directory";
const LOCALISED_STRINGS = ["GenericName", "Comment"];
const DROPPED_CODES = new Set(["k", "d", "D", "n", "N", "v", "m"]);

/** Desktop file name of a machine's app (machine names hold no dots, so names never clash). */
export function appEntryName(machine: string, appId: string): string {
  return `codchi.${machine}.${appId}.desktop`;
}

/** Desktop file name of a machine's terminal entry. */
export function terminalEntryName(machine: string): string {
  return `codchi-terminal.${machine}.desktop`;
}

/** File name of a machine's menu in `applications-merged`. */
export function menuFileName(machine: string): string {
  return `codchi-${machine}.menu`;
}

/** File name of a machine's `.directory` file. */
export function directoryFileName(machine: string): string {
  return `codchi-${machine}.directory`;
}

/** Plans every file of a machine's export. Pure. */
export function planExport(input: ExportInput): ExportPlan {
  const { machine, targets } = input;
  const icons: PlannedFile[] = [];
  const entries: PlannedFile[] = [];
  const seenIcons = new Set<string>();
  const addIcons = (copies: PlannedFile[]) => {
    for (const c of copies) if (!seenIcons.has(c.path)) (seenIcons.add(c.path), icons.push(c));
  };
  const included: string[] = [];

  const term = terminalEntry(input);
  entries.push({ path: posix.join(targets.applicationsDir, term.name), text: term.text });
  included.push(term.name);

  const apps = [...input.folder.apps].sort((a, b) => a.id.localeCompare(b.id));
  for (const app of apps) {
    const translated = translateApp(app, input);
    if (!translated) continue;
    addIcons(translated.icons);
    const name = appEntryName(machine, app.id);
    entries.push({
      path: posix.join(targets.applicationsDir, name),
      text: renderDesktopFile(translated.file),
    });
    included.push(name);
  }

  const dirFile: PlannedFile = {
    path: posix.join(targets.desktopDirectoriesDir, directoryFileName(machine)),
    text: directoryEntry(machine, `Apps of the codchi machine ${machine}`),
  };
  const menu: PlannedFile = {
    path: posix.join(targets.menusDir, menuFileName(machine)),
    text: renderMenu({
      top: { name: "Codchi", directory: TOP_DIRECTORY },
      sub: { name: `codchi-${machine}`, directory: directoryFileName(machine) },
      filenames: included,
    }),
  };
  return {
    machine,
    files: [...icons, dirFile, ...entries, menu],
    shared: [{
      path: posix.join(targets.desktopDirectoriesDir, TOP_DIRECTORY),
      text: directoryEntry("Codchi", "Code machines"),
    }],
  };
}

/** The manifest recording a plan's files. */
export function manifestOf(plan: ExportPlan): ExportManifest {
  return { version: 1, machine: plan.machine, files: plan.files.map((f) => f.path) };
}

/** Files of `previous` that `next` no longer has (to delete after writing `next`). */
export function staleFiles(previous: ExportManifest | undefined, next: ExportManifest): string[] {
  if (!previous) return [];
  const keep = new Set(next.files);
  return previous.files.filter((f) => !keep.has(f));
}

/** The argv (unquoted) that an entry runs for `cmd` in `machine`. */
export function codchiExecArgv(codchi: string, machine: string, cmd: string[] = []): string[] {
  return cmd.length ? [codchi, "exec", machine, "--", ...cmd] : [codchi, "exec", machine];
}

function terminalEntry(input: ExportInput): { name: string; text: string } {
  const { machine, codchi, terminal } = input;
  const inner = codchiExecArgv(codchi, machine);
  const argv = terminal ? terminalArgv(terminal, inner) : inner;
  const keys: EntryKey[] = [
    k("Type", "Application"),
    k("Version", ENTRY_VERSION),
    k("Name", escapeValue(`Terminal (${machine})`)),
    k("Comment", escapeValue(`A login shell in the codchi machine ${machine}`)),
    k("Icon", "utilities-terminal"),
    k("Exec", renderExec(argv.map(literalArg))),
    k("Terminal", terminal ? "false" : "true"),
    // Not "TerminalEmulator": tools that pick a terminal by category must never pick this entry.
    k("Categories", joinList(["System", "X-Codchi"])),
    k("X-Codchi-Machine", escapeValue(machine)),
  ];
  return {
    name: terminalEntryName(machine),
    text: renderDesktopFile({ groups: [{ name: MAIN_GROUP, keys }] }),
  };
}

function directoryEntry(name: string, comment: string): string {
  return renderDesktopFile({
    groups: [{
      name: MAIN_GROUP,
      keys: [
        k("Type", "Directory"),
        k("Version", ENTRY_VERSION),
        k("Name", escapeValue(name)),
        k("Comment", escapeValue(comment)),
        k("Icon", "utilities-terminal"),
      ],
    }],
  });
}

/** Translates one app's desktop file for the host, or undefined when it is not exported. */
export function translateApp(
  app: MachineApp,
  input: ExportInput,
): { file: DesktopFile; icons: PlannedFile[] } | undefined {
  const main = group(app.file, MAIN_GROUP);
  if (!main) return undefined;
  if (stringValue(main, "Type") !== "Application") return undefined;
  if (boolValue(main, "Hidden") || boolValue(main, "NoDisplay")) return undefined;
  const name = stringValue(main, "Name");
  const exec = rawValue(main, "Exec");
  if (!name || !exec) return undefined;
  const { machine } = input;
  const origIcon = stringValue(main, "Icon");
  let args: ExecArg[];
  try {
    args = translateExec(exec, { name, icon: origIcon });
  } catch {
    return undefined;
  }
  const icon = resolveIcon(origIcon, input);
  const keys: EntryKey[] = [k("Type", "Application"), k("Version", ENTRY_VERSION)];
  keys.push(...localised(main, "Name", (v) => `${v} (${machine})`));
  for (const key of LOCALISED_STRINGS) keys.push(...localised(main, key, (v) => v));
  keys.push(...localisedList(main, "Keywords"));
  if (icon.key) keys.push(k("Icon", escapeValue(icon.key)));
  keys.push(k("Exec", renderExec(wrapArgs(input, args))));
  keys.push(k("Terminal", boolValue(main, "Terminal") ? "true" : "false"));
  const cats = listValue(main, "Categories").filter(isKnownCategory);
  keys.push(k("Categories", joinList([...new Set([...cats, "X-Codchi"])])));
  for (const key of ["OnlyShowIn", "NotShowIn"]) {
    const ds = listValue(main, key).filter(isKnownDesktop);
    if (ds.length) keys.push(k(key, joinList(ds)));
  }
  const wm = stringValue(main, "StartupWMClass");
  if (wm) keys.push(k("StartupWMClass", escapeValue(wm)));

  const actions: EntryGroup[] = [];
  const iconCopies = [...icon.copies];
  for (const id of listValue(main, "Actions")) {
    const g = group(app.file, `Desktop Action ${id}`);
    const aExec = rawValue(g, "Exec");
    const aName = stringValue(g, "Name");
    if (!g || !aExec || !aName || !/^[A-Za-z0-9-]+$/.test(id)) continue;
    let aArgs: ExecArg[];
    try {
      aArgs = translateExec(aExec, { name, icon: stringValue(g, "Icon") ?? origIcon });
    } catch {
      continue;
    }
    const aKeys: EntryKey[] = [...localised(g, "Name", (v) => v)];
    const aIcon = resolveIcon(stringValue(g, "Icon"), input);
    if (aIcon.key) aKeys.push(k("Icon", escapeValue(aIcon.key)));
    iconCopies.push(...aIcon.copies);
    aKeys.push(k("Exec", renderExec(wrapArgs(input, aArgs))));
    actions.push({ name: `Desktop Action ${id}`, keys: aKeys });
  }
  if (actions.length) {
    keys.push(k("Actions", joinList(actions.map((a) => a.name.slice("Desktop Action ".length)))));
  }
  keys.push(k("X-Codchi-Machine", escapeValue(machine)), k("X-Codchi-App", escapeValue(app.id)));
  return { file: { groups: [{ name: MAIN_GROUP, keys }, ...actions] }, icons: iconCopies };
}

/**
 * Rewrites an app's Exec arguments for the host: %f %F %u %U stay for the host's launcher,
 * %i becomes `--icon <icon>` and %c the app's name (both as the machine knows them), %k and the
 * deprecated codes are dropped. Throws on an Exec value that does not parse.
 */
export function translateExec(raw: string, ctx: { name: string; icon?: string }): ExecArg[] {
  const out: ExecArg[] = [];
  for (const arg of parseExec(raw)) {
    if (arg.parts.length === 1 && "code" in arg.parts[0]) {
      const c = arg.parts[0].code;
      if (c === "i") {
        if (ctx.icon) out.push(literalArg("--icon"), literalArg(ctx.icon));
      } else if (c === "c") out.push(literalArg(ctx.name));
      else if (["f", "F", "u", "U"].includes(c)) out.push(arg);
      continue;
    }
    const parts = arg.parts.flatMap((p): ExecPart[] => {
      if ("text" in p) return [p];
      if (p.code === "c") return [{ text: ctx.name }];
      if (p.code === "f" || p.code === "u") return [p];
      if (DROPPED_CODES.has(p.code) || p.code === "i") return [];
      return [{ text: `%${p.code}` }];
    });
    const text = parts.map((p) => ("text" in p ? p.text : "")).join("");
    const codes = parts.filter((p) => "code" in p);
    // An argument needing quotes cannot carry a field code (the spec forbids codes in quotes).
    if (codes.length && /[\s"'\\><~|&;$*?#()`]/.test(text)) out.push(literalArg(text));
    else if (parts.length) out.push({ parts, quoted: false });
  }
  return out;
}

function wrapArgs(input: ExportInput, args: ExecArg[]): ExecArg[] {
  return [...[input.codchi, "exec", input.machine, "--"].map(literalArg), ...args];
}

/** Host icon name for an app's `Icon=` value, and the icon files to copy for it. */
export function resolveIcon(
  value: string | undefined,
  input: ExportInput,
): { key?: string; copies: PlannedFile[] } {
  if (!value) return { copies: [] };
  const { machine, targets, folder } = input;
  const base = posix.dirname(targets.iconsDir);
  if (value.startsWith("/")) {
    const host = folder.absoluteIcons?.[value];
    const m = /^(.*?)(\.(png|svg|xpm))?$/i.exec(posix.basename(value))!;
    if (!host || !m[2]) return { copies: [] };
    const name = `codchi.${machine}.${m[1]}`;
    return {
      key: name,
      copies: [{ path: posix.join(base, name + m[2].toLowerCase()), copyFrom: host }],
    };
  }
  const name = `codchi.${machine}.${value}`;
  const matches = folder.iconFiles.map((rel) => ({ rel, m: iconPathMatch(rel, value) }))
    .filter((x) => x.m !== undefined);
  const themed = matches.filter((x) => x.m!.theme === "hicolor" && x.m!.size);
  if (themed.length) {
    return {
      key: name,
      copies: themed.map(({ rel, m }) => ({
        path: posix.join(targets.iconsDir, m!.size!, m!.context!, name + m!.ext),
        copyFrom: posix.join(folder.iconsRoot, rel),
      })),
    };
  }
  const best = matches.sort((a, b) => iconScore(b.m!) - iconScore(a.m!))[0];
  if (!best) return { key: value, copies: [] };
  return {
    key: name,
    copies: [{
      path: posix.join(base, name + best.m!.ext),
      copyFrom: posix.join(folder.iconsRoot, best.rel),
    }],
  };
}

interface IconMatch {
  theme?: string;
  size?: string;
  context?: string;
  ext: string;
}

function iconPathMatch(rel: string, name: string): IconMatch | undefined {
  const parts = rel.split("/");
  const file = parts[parts.length - 1];
  const m = /^(.*)(\.(png|svg|xpm))$/i.exec(file);
  if (!m || m[1] !== name) return undefined;
  const ext = m[2].toLowerCase();
  if (parts.length === 4) return { theme: parts[0], size: parts[1], context: parts[2], ext };
  return { ext };
}

function iconScore(m: IconMatch): number {
  if (m.ext === ".svg") return 100000;
  const size = /^(\d+)x\d+/.exec(m.size ?? "");
  return (size ? Number(size[1]) : 1) + (m.ext === ".png" ? 1 : 0);
}

function k(key: string, value: string, locale?: string): EntryKey {
  return locale ? { key, locale, value } : { key, value };
}

function localised(g: EntryGroup, key: string, f: (v: string) => string): EntryKey[] {
  return g.keys.filter((x) => x.key === key).map((x) =>
    k(key, escapeValue(f(unescapeValue(x.value))), x.locale)
  );
}

function localisedList(g: EntryGroup, key: string): EntryKey[] {
  return g.keys.filter((x) => x.key === key).map((x) =>
    k(key, joinList(splitList(x.value)), x.locale)
  ).filter((x) => x.value !== "");
}
