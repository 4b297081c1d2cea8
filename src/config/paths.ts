/** Every host path codchi uses, computed by one pure function from (OS, environment). */
import { PrerequisiteError } from "../errors.ts";
import { posix, win32 } from "../path.ts";
import { xdgRuntimeDir } from "./runtime.ts";

/** The host operating systems codchi knows. */
export type HostOs = "linux" | "windows";

/** All host paths. Folder names are fixed here and nowhere else. */
export interface Paths {
  os: HostOs;
  home: string;
  /** `$XDG_CONFIG_HOME/codchi` or `%APPDATA%\codchi`. */
  configDir: string;
  /** `$XDG_DATA_HOME/codchi` or `%LOCALAPPDATA%\codchi` (or `dataDir` of config.json). */
  dataDir: string;
  /** Sockets, pid files and locks that do not survive a reboot. */
  runtimeDir: string;
  /** The global config file. */
  configFile: string;
  /** Folder with one sub-folder per machine. */
  machinesDir: string;
  /** Lock files, one per machine, kept apart so deleting a machine never races its lock. */
  locksDir: string;
  /** The store's `/nix` on the host (LXD) or the store's disk folder (WSL). */
  storeDir: string;
  /** Folder with one folder per machine: its home (LXD) or its disk (WSL). */
  machineDataRoot: string;
  /** codchi's cache folder (`$XDG_CACHE_HOME/codchi`, `%LOCALAPPDATA%\codchi\cache`). */
  cacheDir: string;
  /** Downloaded and verified rootfs images (in the cache folder). */
  imagesDir: string;
  /** Logs. */
  logDir: string;
  /** The file secret backend (used only where no OS keychain exists). */
  secretsFile: string;
  /** Where desktop entries / start-menu shortcuts go (XDG applications or the Programs folder). */
  applicationsDir: string;
  /** Linux: icon theme folder for exported icons. Windows: icons folder in data. */
  iconsDir: string;
  /** Linux: `applications-merged` menu folder. Windows: Windows Terminal fragments folder. */
  menusDir: string;
  /** Linux: `.directory` files for menus. */
  desktopDirectoriesDir: string;
  /** Autostart folder (XDG autostart or the Startup folder). */
  autostartDir: string;
}

/** Environment as seen by `computePaths` (a plain record, so tests can pass any). */
export type Env = Record<string, string | undefined>;

/** Computes every path from the OS and its environment; throws on a missing home. */
export function computePaths(os: HostOs, env: Env, dataDirOverride?: string): Paths {
  return os === "windows" ? windowsPaths(env, dataDirOverride) : linuxPaths(env, dataDirOverride);
}

function linuxPaths(env: Env, dataDirOverride?: string): Paths {
  const p = posix;
  const home = env.HOME;
  if (!home) {
    throw new PrerequisiteError(
      "HOME is not set; codchi needs it to find its folders.",
      "Run codchi from a login session, or set HOME to your home folder.",
    );
  }
  const xdg = (name: string, fallback: string) => {
    const v = env[name];
    return v && p.isAbsolute(v) ? v : p.join(home, fallback);
  };
  const configHome = xdg("XDG_CONFIG_HOME", ".config");
  const dataHome = xdg("XDG_DATA_HOME", ".local/share");
  const cacheDir = p.join(xdg("XDG_CACHE_HOME", ".cache"), "codchi");
  const configDir = p.join(configHome, "codchi");
  const dataDir = dataDirOverride ?? p.join(dataHome, "codchi");
  const runtimeBase = xdgRuntimeDir(env) ?? p.join(dataDir, "run");
  return {
    os: "linux",
    home,
    configDir,
    dataDir,
    runtimeDir: runtimeBase,
    configFile: p.join(configDir, "config.json"),
    machinesDir: p.join(configDir, "machines"),
    locksDir: p.join(configDir, "locks"),
    storeDir: p.join(dataDir, "nix"),
    machineDataRoot: p.join(dataDir, "machine"),
    cacheDir,
    imagesDir: p.join(cacheDir, "images"),
    logDir: p.join(dataDir, "log"),
    secretsFile: p.join(dataDir, "secrets.json"),
    applicationsDir: p.join(dataHome, "applications"),
    iconsDir: p.join(dataHome, "icons", "hicolor"),
    menusDir: p.join(configHome, "menus", "applications-merged"),
    desktopDirectoriesDir: p.join(dataHome, "desktop-directories"),
    autostartDir: p.join(configHome, "autostart"),
  };
}

function windowsPaths(env: Env, dataDirOverride?: string): Paths {
  const p = win32;
  const home = env.USERPROFILE ??
    (env.HOMEDRIVE && env.HOMEPATH ? p.join(env.HOMEDRIVE, env.HOMEPATH) : undefined);
  if (!home) {
    throw new PrerequisiteError(
      "USERPROFILE is not set; codchi needs it to find its folders.",
      "Run codchi from a Windows session, or set USERPROFILE to your profile folder.",
    );
  }
  const appData = env.APPDATA ?? p.join(home, "AppData", "Roaming");
  const localAppData = env.LOCALAPPDATA ?? p.join(home, "AppData", "Local");
  const configDir = p.join(appData, "codchi");
  const dataDir = dataDirOverride ?? p.join(localAppData, "codchi");
  const startMenu = p.join(appData, "Microsoft", "Windows", "Start Menu");
  return {
    os: "windows",
    home,
    configDir,
    dataDir,
    runtimeDir: p.join(dataDir, "run"),
    configFile: p.join(configDir, "config.json"),
    machinesDir: p.join(configDir, "machines"),
    locksDir: p.join(configDir, "locks"),
    storeDir: p.join(dataDir, "store"),
    machineDataRoot: p.join(dataDir, "machine"),
    cacheDir: p.join(localAppData, "codchi", "cache"),
    imagesDir: p.join(localAppData, "codchi", "cache"),
    logDir: p.join(dataDir, "log"),
    secretsFile: p.join(dataDir, "secrets.dpapi.json"),
    applicationsDir: p.join(startMenu, "Programs"),
    iconsDir: p.join(dataDir, "icons"),
    menusDir: p.join(localAppData, "Microsoft", "Windows Terminal", "Fragments", "codchi"),
    desktopDirectoriesDir: p.join(dataDir, "icons"),
    autostartDir: p.join(startMenu, "Programs", "Startup"),
  };
}

/** Per-machine paths derived from `Paths`. */
export type MachinePaths = ReturnType<typeof joinMachinePaths>;

/** Computed once per `Paths` object and name (`status` asks for every machine's, several times). */
const machinePathsCache = new WeakMap<Paths, Map<string, MachinePaths>>();

/** Per-machine paths derived from `Paths` (a copy: callers may change it). */
export function machinePaths(paths: Paths, name: string): MachinePaths {
  let byName = machinePathsCache.get(paths);
  if (!byName) machinePathsCache.set(paths, byName = new Map());
  let mp = byName.get(name);
  if (!mp) byName.set(name, mp = joinMachinePaths(paths, name));
  return { ...mp };
}

function joinMachinePaths(paths: Paths, name: string) {
  const p = paths.os === "windows" ? win32 : posix;
  const dir = p.join(paths.machinesDir, name);
  return {
    dir,
    file: p.join(dir, "machine.json"),
    flake: p.join(dir, "flake.nix"),
    lock: p.join(dir, "flake.lock"),
    built: p.join(dir, "built.json"),
    exported: p.join(dir, "exported.json"),
    /** Holds the `system` profile links; the store sees it as the machine's profiles folder. */
    profilesDir: p.join(dir, "profiles"),
    lockFile: p.join(paths.locksDir, `${name}.lock`),
    data: p.join(paths.machineDataRoot, name),
    /** The machine's log folder (LXD mounts it at the contract's log dir). */
    logs: p.join(paths.logDir, "machines", name),
    /** Where `codchi export` writes the image's flake while it builds (removed after, and by delete). */
    imageFlakeDir: p.join(paths.configDir, "images", name),
  };
}

/** Folder of the journal records (of unfinished operations; config/journal.ts). */
export function journalDir(paths: Paths): string {
  return (Deno.build.os === "windows" ? win32 : posix).join(paths.configDir, "journal");
}

/** The journal record file of a machine (or of the store's key, `_store`). */
export function journalFile(paths: Paths, key: string): string {
  return (Deno.build.os === "windows" ? win32 : posix).join(journalDir(paths), `${key}.json`);
}

/** The host's OS as codchi sees it (`CODCHI_HOST_OS` may override, for tests). */
export function hostOs(env: Env = Deno.env.toObject()): HostOs {
  const forced = env.CODCHI_HOST_OS;
  if (forced === "linux" || forced === "windows") return forced;
  return Deno.build.os === "windows" ? "windows" : "linux";
}
