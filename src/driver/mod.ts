/** The driver entry point: contract re-exports and `selectDriver()`. */
import type { Paths } from "../config/paths.ts";
import type { Driver, DriverDiagnosis, DriverName, SessionHooks, StoreFile } from "./types.ts";
import type { ImageProvider } from "../release/images.ts";
import type { HostUsbDevice } from "../usb/id.ts";
import { chooseDriver } from "./select.ts";
import { findOnPath, isExecutableFile, type Runner } from "../process.ts";
import type { HostOs } from "../config/paths.ts";
import { MACHINE_USER } from "../contract.ts";
import { chooseProject } from "./lxd/project.ts";
import { chooseRemote } from "./lxd/remote.ts";

export type * from "./types.ts";
export { chooseDriver } from "./select.ts";

/** What a driver needs to be built. */
export interface DriverDeps {
  paths: Paths;
  runner: Runner;
  env: Record<string, string>;
  /** Debug lines (shown with -v): retries, waits. */
  debug?: (line: string) => void;
  /** `release.url` of config.json (`CODCHI_RELEASE_URL` in `env` wins). */
  releaseUrl?: string;
  /** `lxd.project` of config.json (`CODCHI_LXD_PROJECT` in `env` wins). */
  lxdProject?: string;
  /** `remote` of config.json (`CODCHI_LXD_REMOTE` in `env` wins). */
  remote?: string;
  /** The files handed into the store each time it starts (composed by the caller). */
  storeFiles?: () => Promise<StoreFile[]>;
  /** WSL: the switches of those files a running store follows at once (wsl-vpnkit's). */
  storeFilesKey?: string;
  /** LXD: the host's USB devices (the host port's `usbDevices`); default: none. */
  hostUsb?: () => Promise<HostUsbDevice[]>;
  /**
   * LXD: the host session (display, sound, GPU) brought into machines, from the host port's
   * `session()`; none: machines get no session devices or files.
   */
  session?: () => Promise<SessionHooks | undefined>;
}

/**
 * The release images of this codchi, found where `CODCHI_RELEASE_URL` / `release.url` say:
 * loaded on first use (exec and status never need them).
 */
function releaseImages(deps: DriverDeps): ImageProvider {
  let provider: Promise<ImageProvider> | undefined;
  const get = () => provider ??= loadReleaseImages(deps);
  return {
    describe: async (...a) => (await get()).describe(...a),
    obtain: async (...a) => (await get()).obtain(...a),
  };
}

async function loadReleaseImages(deps: DriverDeps): Promise<ImageProvider> {
  const { ReleaseImages } = await import("../release/images.ts");
  const { releaseLocation } = await import("../release/location.ts");
  const { VERSION } = await import("../version.ts");
  const os = deps.paths.os;
  return new ReleaseImages({
    location: () => releaseLocation(deps.env.CODCHI_RELEASE_URL, deps.releaseUrl, VERSION, os),
    imagesDir: deps.paths.imagesDir,
    os,
  });
}

/** The driver name for this host (see `chooseDriver`). */
export function selectDriverName(
  os: HostOs,
  env: Record<string, string | undefined>,
  configDriver?: DriverName,
): { name: DriverName; reason: string } {
  const path = env.PATH ?? "";
  return chooseDriver({
    os,
    envDriver: env.CODCHI_DRIVER,
    configDriver,
    // Looked up only when asked (CODCHI_DRIVER or config.json decide without PATH).
    has: {
      get lxc() {
        return findOnPath("lxc", path, isExecutableFile) !== undefined;
      },
      get incus() {
        return findOnPath("incus", path, isExecutableFile) !== undefined;
      },
    },
  });
}

/** The project of this data folder (driver/lxd/project.ts), with the pin file read here. */
function lxdProject(deps: Pick<DriverDeps, "paths" | "env" | "lxdProject">) {
  const pinFile = `${deps.paths.dataDir}/lxd-project`;
  let pinned: string | undefined;
  try {
    pinned = Deno.readTextFileSync(pinFile).trim();
  } catch { /* not pinned yet */ }
  let storeFolderExists = false;
  try {
    storeFolderExists = Deno.statSync(deps.paths.storeDir).isDirectory;
  } catch { /* a new data folder */ }
  const { project, source } = chooseProject({
    env: deps.env.CODCHI_LXD_PROJECT || undefined,
    config: deps.lxdProject,
    pinned,
    storeFolderExists,
    user: deps.env.USER || deps.env.LOGNAME || String(Deno.uid() ?? "user"),
    dataDir: deps.paths.dataDir,
  });
  return { name: project, source, pinFile };
}

/** Builds the driver `name` (loaded lazily, so a Linux host never loads WSL code). */
export async function createDriver(name: DriverName, deps: DriverDeps): Promise<Driver> {
  const images = releaseImages(deps);
  const remote = chooseRemote({
    env: deps.env.CODCHI_LXD_REMOTE || undefined,
    config: deps.remote,
  });
  if (name === "wsl" && remote) {
    const { UsageError } = await import("../errors.ts");
    throw new UsageError(
      `A remote (${remote.name}) is set, but machines on remotes are for LXD and Incus only.`,
      "Remove `remote` from config.json (or unset CODCHI_LXD_REMOTE) on this host.",
    );
  }
  if (name === "wsl") {
    const { WslDriver } = await import("./wsl/mod.ts");
    return new WslDriver({
      paths: deps.paths,
      runner: deps.runner,
      env: deps.env,
      debug: deps.debug,
      storeFiles: deps.storeFiles,
      storeFilesKey: deps.storeFilesKey,
      releaseImage: async (kind, reporter) =>
        await images.obtain(await images.describe("wsl", kind, reporter), reporter),
    });
  }
  const { LxdDriver } = await import("./lxd/mod.ts");
  const ids = { uid: Deno.uid() ?? MACHINE_USER.uid, gid: Deno.gid() ?? MACHINE_USER.gid };
  // A remote machine has no way to the local display or sound: no session devices or files.
  const session = remote ? undefined : await deps.session?.();
  return new LxdDriver({
    paths: deps.paths,
    runner: deps.runner,
    env: deps.env,
    binary: name === "incus" ? "incus" : undefined,
    hostIds: ids,
    sessionDevices: session?.devices,
    sessionFiles: session?.files,
    storeFiles: deps.storeFiles,
    hostUsb: deps.hostUsb,
    project: lxdProject(deps),
    remote,
    images,
  });
}

/**
 * `codchi doctor`'s probes of the driver `name` (its client, daemon, permission, remote), run
 * without building the driver: a driver cannot be built while its client is missing, and that is
 * what doctor is for. Only `paths`, `runner`, `env`, `lxdProject` and `remote` of `deps` are used.
 */
export async function diagnoseDriver(
  name: DriverName,
  deps: Pick<DriverDeps, "paths" | "runner" | "env" | "lxdProject" | "remote">,
): Promise<DriverDiagnosis> {
  if (name === "wsl") {
    const { diagnoseWsl } = await import("./wsl/diagnose.ts");
    return diagnoseWsl({ runner: deps.runner, env: deps.env });
  }
  const { diagnoseLxd } = await import("./lxd/diagnose.ts");
  let project: ReturnType<typeof lxdProject> | undefined;
  try {
    project = lxdProject(deps);
  } catch { /* a bad project name: every other command says so; doctor names no project */ }
  return diagnoseLxd({
    runner: deps.runner,
    name,
    env: deps.env,
    project,
    remote: chooseRemote({ env: deps.env.CODCHI_LXD_REMOTE || undefined, config: deps.remote }),
    uid: Deno.uid() ?? 0,
  });
}
