/**
 * Windows host integration (effects): start-menu shortcuts, icons and the Windows Terminal
 * fragment of each machine, with a record of every file written so rebuilds remove stale
 * shortcuts and delete removes them all. The pure planning lives in the sibling modules.
 */
import { win32 } from "node:path";
import type { Paths } from "../../config/paths.ts";
import { computePaths, machinePaths } from "../../config/paths.ts";
import { writeAtomic } from "../../atomic_write.ts";
import { type DesktopApp, parseDesktopEntry } from "./desktop_entry.ts";
import { knownFolder, knownFolderEnv } from "./ffi/known_folders.ts";
import { pickIconFile, pngToIco } from "./ico.ts";
import { type Launcher, stableLauncher } from "./launcher.ts";
import { encodeShellLink } from "./lnk.ts";
import { trayAutostartLink, trayAutostartPath } from "./autostart.ts";
import { planShortcuts, safeFileName, shortcutFolder, staleFiles } from "./shortcuts.ts";
import { fragmentPath, renderFragment } from "./terminal.ts";

/** What the Windows host integration needs to know about the host. */
export interface WindowsHostContext {
  paths: Paths;
  /** The user's Programs folder (Known Folder API). */
  programsDir: string;
  launcher: Launcher;
  env: { LOCALAPPDATA?: string; APPDATA?: string };
  /** Start folder of shortcuts (the user's profile folder). */
  workingDir?: string;
}

/** The record of exported files, kept in `machinePaths(...).exported`. */
interface ExportRecord {
  version: 1;
  host: "windows";
  files: string[];
}

/** Builds the context on a real Windows host: Known Folders, paths, the stable launcher. */
export function windowsHostContext(execPath = Deno.execPath()): WindowsHostContext {
  const folders = knownFolderEnv();
  const env = { ...Deno.env.toObject(), ...folders };
  return {
    paths: computePaths("windows", env),
    programsDir: knownFolder("Programs"),
    launcher: stableLauncher(execPath, folders.LOCALAPPDATA),
    env: folders,
    workingDir: folders.USERPROFILE,
  };
}

/**
 * The shape of `HostIntegration` (src/driver/types.ts), repeated here so this folder's module graph
 * stays free of npm packages (that file reaches dax through process.ts, and Wine's deno.exe would
 * have to fetch it); tests/host/windows checks that the two stay assignable.
 */
export interface WindowsHostIntegration {
  /** Writes the machine's app shortcuts and terminal entry from an apps folder on the host. */
  exportApps(machine: string, appsDir: string): Promise<void>;
  /** Removes every shortcut and entry of the machine. */
  removeApps(machine: string): Promise<void>;
}

/** The shape of `HostApps` (src/host/mod.ts), repeated for the same reason. */
export interface WindowsHostApps {
  /** Writes shortcuts for the apps in `appsDir` (`applications/`, `icons/`); stale ones go. */
  export(machine: string, appsDir: string, selfArgv: string[]): Promise<void>;
  /** Removes every shortcut and entry of the machine. */
  remove(machine: string): Promise<void>;
  /** Writes or removes the tray's Startup shortcut now (`tray.autostart`). */
  trayAutostart?(enabled: boolean, selfArgv: string[]): Promise<void>;
}

/**
 * The Windows `HostApps` for already computed `paths`. Known Folders are read on first use, and
 * `selfArgv` (how to start codchi itself) picks the launcher: one element is `codchi.exe`
 * (made update-proof by `stableLauncher`), more (e.g. `deno run -A main.ts`) are kept as they are.
 */
export function windowsHostApps(
  paths: Paths,
  opts: { trayAutostart?: boolean } = {},
): WindowsHostApps {
  let base: Omit<WindowsHostContext, "launcher"> | undefined;
  const context = (selfArgv: string[]): WindowsHostContext => {
    if (!base) {
      const folders = knownFolderEnv();
      base = {
        paths,
        programsDir: knownFolder("Programs"),
        env: folders,
        workingDir: folders.USERPROFILE,
      };
    }
    return { ...base, launcher: launcherFor(selfArgv, base.env.LOCALAPPDATA ?? paths.dataDir) };
  };
  return {
    export: async (machine, appsDir, selfArgv) => {
      const ctx = context(selfArgv);
      await exportApps(ctx, machine, appsDir);
      if (opts.trayAutostart !== undefined) {
        await applyTrayAutostart(ctx, knownFolder("Startup"), opts.trayAutostart);
      }
    },
    remove: (machine) => removeApps(context([Deno.execPath()]), machine),
    trayAutostart: async (enabled, selfArgv) => {
      await applyTrayAutostart(context(selfArgv), knownFolder("Startup"), enabled);
    },
  };
}

/**
 * Writes the tray's Startup shortcut (`enabled`, config.json `tray.autostart`) or removes it;
 * returns its path.
 */
export async function applyTrayAutostart(
  ctx: WindowsHostContext,
  startupDir: string,
  enabled: boolean,
): Promise<string> {
  const path = trayAutostartPath(startupDir);
  if (enabled) {
    await writeAtomic(
      path,
      encodeShellLink(trayAutostartLink(ctx.launcher, ctx.env, ctx.workingDir)),
    );
  } else await Deno.remove(path).catch(ignoreMissing); // the Startup folder itself stays
  return path;
}

/** The launcher for `selfArgv`: a compiled codchi.exe, or an interpreter with its arguments. */
export function launcherFor(selfArgv: string[], localAppData: string): Launcher {
  if (selfArgv.length <= 1) return stableLauncher(selfArgv[0] ?? Deno.execPath(), localAppData);
  const [program, ...prefixArgs] = selfArgv;
  return { codchi: program, codchiw: program, prefixArgs };
}

/** The `HostIntegration` of the WSL driver. */
export function windowsHostIntegration(ctx: WindowsHostContext): WindowsHostIntegration {
  return {
    exportApps: (machine, appsDir) => exportApps(ctx, machine, appsDir).then(() => {}),
    removeApps: (machine) => removeApps(ctx, machine),
  };
}

/**
 * The desktop-entry and icon folders of an export: `appsDir` is either the machine's
 * `share/codchi` folder (with `applications/` and `icons/`) or its `applications/` folder itself.
 */
export async function appFolders(
  appsDir: string,
): Promise<{ applications: string; icons: string }> {
  const nested = win32.join(appsDir, "applications");
  if (await Deno.stat(nested).then((s) => s.isDirectory, () => false)) {
    return { applications: nested, icons: win32.join(appsDir, "icons") };
  }
  return { applications: appsDir, icons: win32.join(win32.dirname(appsDir), "icons") };
}

/** Reads every visible app of a folder of desktop entries, sorted by id. */
export async function readApps(appsDir: string): Promise<DesktopApp[]> {
  const apps: DesktopApp[] = [];
  for await (const e of Deno.readDir(appsDir)) {
    if (!e.isFile || !e.name.endsWith(".desktop")) continue;
    const app = parseDesktopEntry(
      e.name.slice(0, -".desktop".length),
      await Deno.readTextFile(win32.join(appsDir, e.name)),
    );
    if (app) apps.push(app);
  }
  return apps.sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Writes the machine's shortcuts, icons and terminal fragment, removes what the previous export
 * wrote and this one does not, and returns every file written.
 */
export async function exportApps(
  ctx: WindowsHostContext,
  machine: string,
  appsDir: string,
): Promise<string[]> {
  await ensureLauncher(ctx.launcher);
  const folders = await appFolders(appsDir);
  const apps = await readApps(folders.applications);
  const icons = await convertIcons(ctx, machine, apps, folders.icons);
  const plan = planShortcuts({
    machine,
    apps,
    icons,
    launcher: ctx.launcher,
    programsDir: ctx.programsDir,
    env: ctx.env,
    workingDir: ctx.workingDir,
  });
  const written = [...icons.values()];
  for (const s of plan) {
    await writeAtomic(s.path, encodeShellLink(s.link));
    written.push(s.path);
  }
  const fragment = fragmentPath(ctx.paths.menusDir, machine);
  await writeAtomic(
    fragment,
    new TextEncoder().encode(
      await renderFragment(machine, ctx.launcher.codchi, undefined, ctx.launcher.prefixArgs),
    ),
  );
  written.push(fragment);
  const previous = await readRecord(ctx, machine);
  for (const f of staleFiles(previous, written)) await removeFile(f);
  await writeRecord(ctx, machine, written);
  return written;
}

/** Removes every shortcut, icon and terminal entry of a machine (recorded or at the known places). */
export async function removeApps(ctx: WindowsHostContext, machine: string): Promise<void> {
  for (const f of await readRecord(ctx, machine)) await removeFile(f);
  await removeFile(fragmentPath(ctx.paths.menusDir, machine));
  await Deno.remove(shortcutFolder(ctx.programsDir, machine), { recursive: true }).catch(
    ignoreMissing,
  );
  await Deno.remove(win32.join(ctx.paths.iconsDir, machine), { recursive: true }).catch(
    ignoreMissing,
  );
  await removeFile(machinePaths(ctx.paths, machine).exported);
}

async function convertIcons(
  ctx: WindowsHostContext,
  machine: string,
  apps: DesktopApp[],
  iconsRoot: string,
): Promise<Map<string, string>> {
  const files = await listFiles(iconsRoot);
  const out = new Map<string, string>();
  for (const app of apps) {
    const png = app.icon && pickIconFile(files, app.icon);
    if (!png) continue;
    try {
      const ico = pngToIco(await Deno.readFile(png));
      const path = win32.join(ctx.paths.iconsDir, machine, `${safeFileName(app.id)}.ico`);
      await writeAtomic(path, ico);
      out.set(app.id, path);
    } catch {
      // An unusable icon (not a PNG, too large) leaves the app with codchi's own icon.
    }
  }
  return out;
}

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const p = win32.join(dir, e.name);
      if (e.isDirectory) await walk(p);
      else out.push(p);
    }
  };
  await walk(root).catch(ignoreMissing);
  return out;
}

/** Copies codchi.exe/codchiw.exe into the launcher folder when it is codchi's own copy and differs. */
export async function ensureLauncher(launcher: Launcher): Promise<void> {
  if (!launcher.copyFrom) return;
  for (const target of [launcher.codchi, launcher.codchiw]) {
    const source = win32.join(launcher.copyFrom, win32.basename(target));
    const src = await Deno.stat(source).catch(() => undefined);
    if (!src) continue;
    const dst = await Deno.stat(target).catch(() => undefined);
    if (
      dst && dst.size === src.size && (dst.mtime?.getTime() ?? 0) >= (src.mtime?.getTime() ?? 0)
    ) {
      continue;
    }
    await Deno.mkdir(win32.dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${Deno.pid}`;
    await Deno.copyFile(source, tmp);
    await Deno.rename(tmp, target);
  }
}

async function readRecord(ctx: WindowsHostContext, machine: string): Promise<string[]> {
  try {
    const rec = JSON.parse(await Deno.readTextFile(machinePaths(ctx.paths, machine).exported));
    return Array.isArray(rec?.files) ? rec.files.filter((f: unknown) => typeof f === "string") : [];
  } catch {
    return [];
  }
}

async function writeRecord(ctx: WindowsHostContext, machine: string, files: string[]) {
  const rec: ExportRecord = { version: 1, host: "windows", files: [...files].sort() };
  const path = machinePaths(ctx.paths, machine).exported;
  await writeAtomic(path, new TextEncoder().encode(JSON.stringify(rec, null, 2) + "\n"));
}

async function removeFile(path: string): Promise<void> {
  await Deno.remove(path).catch(ignoreMissing);
  // Drop the folder when it became empty (a machine's start-menu or icon folder):
  // removing a folder that still holds files fails, and that failure is the intent.
  await Deno.remove(win32.dirname(path)).catch(() => {});
}

function ignoreMissing(e: unknown): void {
  if (!(e instanceof Deno.errors.NotFound)) throw e;
}
