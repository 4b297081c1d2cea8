/** Start-menu shortcuts of a machine: one .lnk per app in `Programs\Codchi - <machine>\`. Pure. */
import { win32 } from "node:path";
import { joinArgs } from "./cmdline.ts";
import type { DesktopApp } from "./desktop_entry.ts";
import { envForm, type Launcher } from "./launcher.ts";
import type { ShellLink } from "./lnk.ts";

/** One shortcut to write. */
export interface ShortcutFile {
  /** Full path of the .lnk file. */
  path: string;
  link: ShellLink;
}

/** Inputs of `planShortcuts`. */
export interface ShortcutInput {
  machine: string;
  apps: readonly DesktopApp[];
  /** App id → .ico file on the host (apps without one use codchi's own icon). */
  icons: ReadonlyMap<string, string>;
  launcher: Launcher;
  /** The user's Programs folder (Known Folder `FOLDERID_Programs`). */
  programsDir: string;
  /** For the `%LOCALAPPDATA%` forms stored next to the plain paths. */
  env: { LOCALAPPDATA?: string; APPDATA?: string };
  /** Start folder of the programs (the user's home). */
  workingDir?: string;
}

/** Title of a machine's start-menu folder and terminal profile. */
export function machineTitle(machine: string): string {
  return `Codchi - ${machine}`;
}

/** The start-menu folder of a machine. */
export function shortcutFolder(programsDir: string, machine: string): string {
  return win32.join(programsDir, machineTitle(machine));
}

const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)$/i;

/** A file name (without extension) for `name` that Windows accepts. */
export function safeFileName(name: string): string {
  let s = [...name].map((c) => (c < " " || '<>:"/\\|?*'.includes(c) ? "_" : c)).join("")
    .replace(/[. ]+$/, "").trim();
  s = s.slice(0, 100).replace(/[. ]+$/, "");
  if (s === "") s = "app";
  return RESERVED.test(s) ? `${s}_` : s;
}

/** The command line codchi runs for an app: `[prefix…] exec <machine> -- <argv…>`. */
export function execArguments(
  machine: string,
  argv: readonly string[],
  prefix: readonly string[] = [],
): string {
  return joinArgs([...prefix, "exec", machine, "--", ...argv]);
}

/** Plans every shortcut of a machine, sorted by path; names that collide get the app id added. */
export function planShortcuts(input: ShortcutInput): ShortcutFile[] {
  const folder = shortcutFolder(input.programsDir, input.machine);
  const apps = [...input.apps].sort((a, b) => a.id.localeCompare(b.id));
  const count = new Map<string, number>();
  for (const app of apps) {
    const k = safeFileName(app.name).toLowerCase();
    count.set(k, (count.get(k) ?? 0) + 1);
  }
  const files = apps.map((app): ShortcutFile => {
    let base = safeFileName(app.name);
    if ((count.get(base.toLowerCase()) ?? 0) > 1) base = safeFileName(`${app.name} (${app.id})`);
    const target = app.terminal ? input.launcher.codchi : input.launcher.codchiw;
    const icon = input.icons.get(app.id);
    return {
      path: win32.join(folder, `${base}.lnk`),
      link: {
        target,
        targetEnv: envForm(target, input.env),
        relativePath: win32.relative(folder, target),
        arguments: execArguments(input.machine, app.argv, input.launcher.prefixArgs),
        description: app.comment ?? `${app.name} (${input.machine})`,
        workingDir: input.workingDir,
        iconLocation: icon ?? target,
        iconEnv: icon ? envForm(icon, input.env) : undefined,
        showCommand: 1,
      },
    };
  });
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** Files recorded by the last export that the new one no longer writes (case-insensitive). */
export function staleFiles(previous: readonly string[], next: readonly string[]): string[] {
  const keep = new Set(next.map((f) => f.toLowerCase()));
  return previous.filter((f) => !keep.has(f.toLowerCase()));
}
