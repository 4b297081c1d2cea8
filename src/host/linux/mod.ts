/**
 * The Linux host integration wired together: desktop export/removal with its manifest, the
 * session devices and the per-exec files a machine needs (X cookie, sound config and cookie).
 */
import { machinePaths, type Paths } from "../../config/paths.ts";
import type { HostIntegration } from "../../driver/types.ts";
import type { Runner } from "../../process.ts";
import { type ExportManifest, planExport } from "./desktop.ts";
import {
  applyExport,
  parseManifest,
  readAppsFolder,
  removeExport,
  scanExport,
} from "./desktop_io.ts";
import {
  DEFAULT_MACHINE_USER,
  type GuiDevices,
  guiDevices,
  hostExists,
  hostGuiEnv,
  type MachineUser,
} from "./devices.ts";
import { removeIfExists, writeAtomic } from "./host_fs.ts";
import { detectTerminal, type TerminalChoice } from "./terminal.ts";

/** What the Linux host integration is built from. */
export interface LinuxHostOptions {
  paths: Paths;
  /** Absolute path of the codchi binary the entries run (normally `Deno.execPath()`). */
  codchi: string;
  runner: Runner;
  /** The host environment (default: the process's). */
  env?: Record<string, string | undefined>;
  /** Reports skipped apps and similar (default: silent). */
  warn?: (message: string) => void;
}

/** Desktop entries, icons and menus of machines on a Linux desktop (the driver's `host`). */
export class LinuxHost implements HostIntegration {
  #terminal: Promise<TerminalChoice | undefined> | undefined;
  constructor(private readonly opts: LinuxHostOptions) {}

  /** Exports the apps of `appsDir` (the machine's `sw/share/codchi`), replacing the last export. */
  async exportApps(machine: string, appsDir: string): Promise<void> {
    await this.exportAppsWithManifest(machine, appsDir);
  }

  /** Like `exportApps`, returning the manifest it stored. */
  async exportAppsWithManifest(machine: string, appsDir: string): Promise<ExportManifest> {
    const { paths, runner } = this.opts;
    const env = this.opts.env ?? Deno.env.toObject();
    const previous = await this.#readManifest(machine);
    const folder = await readAppsFolder(appsDir, { nixRoot: paths.storeDir, warn: this.opts.warn });
    this.#terminal ??= detectTerminal(env, runner);
    const plan = planExport({
      machine,
      codchi: this.opts.codchi,
      targets: paths,
      folder,
      terminal: await this.#terminal,
    });
    const manifest = await applyExport(plan, previous, paths, paths.storeDir);
    await writeAtomic(this.#manifestPath(machine), JSON.stringify(manifest, null, 2) + "\n");
    return manifest;
  }

  /** Removes everything exported for `machine` (by its manifest, or by name when it is lost). */
  async removeApps(machine: string): Promise<void> {
    const { paths } = this.opts;
    const manifest = await this.#readManifest(machine).catch(() => undefined) ??
      await scanExport(machine, paths);
    await removeExport(manifest, paths);
    const leftovers = await scanExport(machine, paths);
    if (leftovers.files.length) await removeExport(leftovers, paths);
    await removeIfExists(this.#manifestPath(machine));
  }

  #manifestPath(machine: string): string {
    return machinePaths(this.opts.paths, machine).exported;
  }

  async #readManifest(machine: string): Promise<ExportManifest | undefined> {
    const path = this.#manifestPath(machine);
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return undefined;
      throw e;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return parseManifest(json, path);
  }
}

/** The session devices and login variables for a machine, from the live host session. */
export function sessionDevices(
  env: Record<string, string | undefined> = Deno.env.toObject(),
  ids: { uid: number; gid: number } = {
    uid: Deno.uid() ?? DEFAULT_MACHINE_USER.uid,
    gid: Deno.gid() ?? DEFAULT_MACHINE_USER.gid,
  },
  user?: MachineUser,
): GuiDevices {
  return guiDevices(hostGuiEnv(env, ids.uid, ids.gid), hostExists(), user);
}

export { type SessionFile, sessionFiles } from "./session_files.ts";
