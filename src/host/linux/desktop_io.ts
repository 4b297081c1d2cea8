/** Effects of the desktop export: read a machine's apps folder, write and remove its files. */
import { posix } from "node:path";
import { ConfigError } from "../../errors.ts";
import {
  type AppsFolder,
  type DesktopTargets,
  type ExportManifest,
  type ExportPlan,
  type MachineApp,
  manifestOf,
  staleFiles,
} from "./desktop.ts";
import { group, MAIN_GROUP, parseDesktopFile, stringValue } from "./desktop_entry.ts";
import { listFiles, removeIfExists, resolveHostPath, writeAtomic } from "./host_fs.ts";

/**
 * Reads `<dir>/applications/**.desktop` and lists `<dir>/icons/**`. `nixRoot` is the host folder
 * that is the store's `/nix` (store links resolve through it). Unparsable entries are skipped and
 * reported through `warn`.
 */
export async function readAppsFolder(
  dir: string,
  opts: { nixRoot?: string; warn?: (message: string) => void } = {},
): Promise<AppsFolder> {
  const appsDir = posix.join(dir, "applications");
  const iconsRoot = posix.join(dir, "icons");
  const apps: MachineApp[] = [];
  const absoluteIcons: Record<string, string> = {};
  for (const rel of await listFiles(appsDir, opts.nixRoot)) {
    if (!rel.endsWith(".desktop")) continue;
    const real = await resolveHostPath(posix.join(appsDir, rel), opts.nixRoot);
    if (!real) continue;
    try {
      const file = parseDesktopFile(await Deno.readTextFile(real));
      apps.push({ id: rel.slice(0, -".desktop".length).replaceAll("/", "-"), file });
      const icon = stringValue(group(file, MAIN_GROUP), "Icon");
      if (icon?.startsWith("/")) {
        const host = await resolveHostPath(icon, opts.nixRoot);
        if (host) absoluteIcons[icon] = host;
      }
    } catch (e) {
      opts.warn?.(`Skipping ${rel}: ${(e as Error).message}`);
    }
  }
  const resolvedIcons = await resolveHostPath(iconsRoot, opts.nixRoot) ?? iconsRoot;
  return {
    apps,
    iconsRoot: resolvedIcons,
    iconFiles: await listFiles(iconsRoot, opts.nixRoot),
    absoluteIcons,
  };
}

/**
 * Writes a plan (each file atomically; icons and directories first, the menu last), then deletes
 * what `previous` had and the plan no longer has. Returns the new manifest for the core to store.
 */
export async function applyExport(
  plan: ExportPlan,
  previous: ExportManifest | undefined,
  targets: DesktopTargets,
  nixRoot?: string,
): Promise<ExportManifest> {
  for (const f of [...plan.shared, ...plan.files]) {
    if ("text" in f) await writeAtomic(f.path, f.text);
    else {
      const from = await resolveHostPath(f.copyFrom, nixRoot) ?? f.copyFrom;
      await writeAtomic(f.path, await Deno.readFile(from));
    }
  }
  const manifest = manifestOf(plan);
  for (const stale of staleFiles(previous, manifest)) {
    if (isOwnedPath(stale, targets)) await removeIfExists(stale);
  }
  return manifest;
}

/**
 * Removes every file of a manifest (the menu first, so it never names missing files), and the
 * shared top directory file when no other machine's menu is left.
 */
export async function removeExport(manifest: ExportManifest, targets: DesktopTargets) {
  const ordered = [...manifest.files].sort((a, b) => rank(a) - rank(b));
  for (const f of ordered) if (isOwnedPath(f, targets)) await removeIfExists(f);
  let others = false;
  try {
    for await (const e of Deno.readDir(targets.menusDir)) {
      if (/^codchi-.*\.menu$/.test(e.name)) others = true;
    }
  } catch {
    // no menus folder: nothing left
  }
  if (!others) await removeIfExists(posix.join(targets.desktopDirectoriesDir, "codchi.directory"));
}

function rank(path: string): number {
  return path.endsWith(".menu") ? 0 : path.endsWith(".desktop") ? 1 : 2;
}

/** Whether a manifest path is one codchi may delete (a `codchi` file in a target folder). */
export function isOwnedPath(path: string, targets: DesktopTargets): boolean {
  const norm = posix.normalize(path);
  if (norm !== path || !posix.isAbsolute(path)) return false;
  if (!posix.basename(path).startsWith("codchi")) return false;
  const roots = [
    targets.applicationsDir,
    targets.menusDir,
    targets.desktopDirectoriesDir,
    posix.dirname(targets.iconsDir),
  ];
  return roots.some((r) => path.startsWith(r.endsWith("/") ? r : `${r}/`));
}

/** Validates a stored manifest (as parsed JSON); throws a ConfigError when it is not one. */
export function parseManifest(value: unknown, source = "exported.json"): ExportManifest {
  const v = value as Partial<ExportManifest> | null;
  if (
    !v || typeof v !== "object" || v.version !== 1 || typeof v.machine !== "string" ||
    !Array.isArray(v.files) || !v.files.every((f) => typeof f === "string")
  ) {
    throw new ConfigError(
      `${source} is not a codchi export manifest.`,
      "Delete it and run `codchi rebuild` for the machine to export its apps again.",
    );
  }
  return { version: 1, machine: v.machine, files: [...v.files] };
}

/** Whether a file name is one of `machine`'s exported files (entries, icons, menu, directory). */
export function isMachineFileName(name: string, machine: string): boolean {
  return name.startsWith(`codchi.${machine}.`) || name === `codchi-terminal.${machine}.desktop` ||
    name === `codchi-${machine}.menu` || name === `codchi-${machine}.directory`;
}

/**
 * Finds a machine's exported files by name in the target folders: the fallback when its
 * manifest is lost. Returns them as a manifest for `removeExport`.
 */
export async function scanExport(
  machine: string,
  targets: DesktopTargets,
): Promise<ExportManifest> {
  const files: string[] = [];
  const flat = [targets.applicationsDir, targets.menusDir, targets.desktopDirectoriesDir];
  for (const dir of [...flat, posix.dirname(targets.iconsDir)]) {
    try {
      for await (const e of Deno.readDir(dir)) {
        if (e.isFile && isMachineFileName(e.name, machine)) files.push(posix.join(dir, e.name));
      }
    } catch {
      // folder absent
    }
  }
  for (const rel of await listFiles(targets.iconsDir, undefined, 3)) {
    if (isMachineFileName(posix.basename(rel), machine)) {
      files.push(posix.join(targets.iconsDir, rel));
    }
  }
  return { version: 1, machine, files: files.sort() };
}
