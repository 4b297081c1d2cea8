/**
 * The engine's objects the LXD driver and its store work on, through the call wrapper (lxc.ts):
 * images, containers (create, start, push, stop, delete, boot wait), the remote's volumes
 * (volumes.ts) and the data folder's project. Shared by LxdDriver (mod.ts) and LxdStore (store.ts).
 */
import type { Paths } from "../../config/paths.ts";
import { NotFoundError, TimeoutError, ToolError } from "../../errors.ts";
import { faultPoint } from "../../fault.ts";
import { type Output, toolError } from "../../process.ts";
import type { ImageProvider } from "../../release/images.ts";
import { VERSION } from "../../version.ts";
import type { Reporter } from "../types.ts";
import {
  deleteArgv,
  deviceAddArgv,
  type DeviceSpec,
  filePushArgv,
  imageDeleteArgv,
  imageListArgv,
  initArgv,
  startArgv,
  stopArgv,
  systemReadyArgv,
} from "./argv.ts";
import type { ImageKind } from "./images.ts";
import { withInterrupts } from "./interrupts.ts";
import type { Lxc } from "./lxc.ts";
import type { HostIds } from "./mounts.ts";
import {
  bootStateOf,
  isAlreadyStopped,
  isForkstartError,
  isNotFound,
  isTransientFileError,
  type ListedContainer,
  parseImageAliases,
} from "./parse.ts";
import {
  DEFAULT_PROJECT,
  projectCreateArgv,
  projectDeleteArgv,
  projectShowArgv,
  type ProjectSource,
} from "./project.ts";
import { LxdVolumes } from "./volumes.ts";

/** Time limits of every wait, in milliseconds. */
export interface LxdTimeouts {
  /** Importing an image tarball. */
  importMs: number;
  /** Creating or copying a container. */
  createMs: number;
  /** From `start` to systemd saying running/degraded. */
  bootMs: number;
  /** From the store's start to its daemon accepting connections. */
  daemonMs: number;
  /** A clean stop before it counts as failed (seconds, as LXD takes it). */
  stopS: number;
}

/** Default time limits. */
export const DEFAULT_TIMEOUTS: LxdTimeouts = {
  importMs: 3 * 60_000,
  createMs: 5 * 60_000,
  bootMs: 120_000,
  daemonMs: 60_000,
  stopS: 30,
};

/** What the instances are worked on with. */
export interface InstancesOptions {
  lxc: Lxc;
  paths: Paths;
  /** The environment (image overrides, the release URL). */
  env: Record<string, string | undefined>;
  hostIds: HostIds;
  timeouts: LxdTimeouts;
  /** The release's images. Default: the release `CODCHI_RELEASE_URL` names, else this version's. */
  images?: ImageProvider;
  /** Why the project is the one in use; `pinFile` keeps codchi's own choice. */
  projectSource: ProjectSource;
  pinFile?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The containers, images, volumes and project of one data folder, on one daemon or remote. */
export class LxdInstances {
  readonly lxc: Lxc;
  readonly paths: Paths;
  readonly hostIds: HostIds;
  readonly timeouts: LxdTimeouts;
  readonly projectSource: ProjectSource;
  /** The remote's storage volumes (none on a local daemon: host folders are bound instead). */
  readonly volumes: LxdVolumes;
  readonly #env: Record<string, string | undefined>;
  readonly #images?: ImageProvider;
  readonly #pinFile?: string;

  constructor(o: InstancesOptions) {
    this.lxc = o.lxc;
    this.paths = o.paths;
    this.hostIds = o.hostIds;
    this.timeouts = o.timeouts;
    this.projectSource = o.projectSource;
    this.#env = o.env;
    this.#images = o.images;
    this.#pinFile = o.pinFile;
    this.volumes = new LxdVolumes(o.lxc);
  }

  /** The client. */
  get bin(): Lxc["bin"] {
    return this.lxc.bin;
  }

  /** The LXD/Incus project every call goes to. */
  get project(): string {
    return this.lxc.project;
  }

  /** The remote server every call goes to, or undefined for the local daemon. */
  get remote(): string | undefined {
    return this.lxc.remote;
  }

  /** Raw list of the codchi containers (one spawn). */
  listed(): Promise<ListedContainer[]> {
    return this.lxc.listed();
  }

  /** The LXD alias of an image kind, importing the tarball the first time (bounded). */
  async ensureImage(kind: ImageKind, reporter?: Reporter): Promise<string> {
    // Loaded on first use: image import pulls in downloads and hashing, which exec never needs.
    const { ensureImage } = await import("./image_import.ts");
    return await ensureImage({
      kind,
      lxc: (argv, opts) => this.lxc.call(argv, opts),
      bin: this.bin,
      env: this.#env,
      images: this.#images ?? await this.#releaseImages(),
      importMs: this.timeouts.importMs,
      reporter,
    });
  }

  /** The release's images (the default provider; loaded on first use, exec never needs it). */
  async #releaseImages(): Promise<ImageProvider> {
    const { ReleaseImages } = await import("../../release/images.ts");
    const { releaseLocation } = await import("../../release/location.ts");
    return new ReleaseImages({
      location: () => releaseLocation(this.#env.CODCHI_RELEASE_URL, undefined, VERSION),
      imagesDir: this.paths.imagesDir,
    });
  }

  /** Creates a container with its config and disks; any failure or Ctrl-C removes it again. */
  async createContainer(
    container: string,
    kind: ImageKind,
    config: Record<string, string>,
    disks: DeviceSpec[],
    hostDirs: string[],
    reporter?: Reporter,
  ): Promise<void> {
    await withInterrupts(async (check) => {
      const alias = await this.ensureImage(kind, reporter);
      check();
      for (const d of hostDirs) await Deno.mkdir(d, { recursive: true });
      reporter?.step(`Creating ${container}`);
      try {
        await this.lxc.call(initArgv(this.bin, alias, container, config), {
          timeoutMs: this.timeouts.createMs,
          uninterruptible: true,
        });
        faultPoint(`${container}: created`);
        check();
        for (const d of disks) {
          await this.lxc.call(deviceAddArgv(this.bin, container, d), {
            uninterruptible: true,
          });
          faultPoint(`${container}: ${d.name} added`);
          check();
        }
      } catch (e) {
        await this.lxc.call(deleteArgv(this.bin, container), {
          check: false,
          uninterruptible: true,
        });
        throw e;
      }
    });
  }

  /**
   * `lxc start` of a container (its Output; the caller decides what a failure means). A failure in
   * LXD's forkstart is tried once more after a moment (see isForkstartError).
   */
  async startContainer(container: string, timeoutMs: number): Promise<Output> {
    const argv = startArgv(this.bin, container);
    const out = await this.lxc.call(argv, { check: false, timeoutMs });
    if (out.code === 0 || !isForkstartError(out.errText)) return out;
    await sleep(800);
    return await this.lxc.call(argv, { check: false, timeoutMs });
  }

  /** Waits (bounded) until systemd in the container says running or degraded. */
  async waitSystemd(container: string, reporter?: Reporter): Promise<void> {
    const deadline = Date.now() + this.timeouts.bootMs;
    let last = "";
    while (true) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const out = await this.lxc.raw(systemReadyArgv(this.bin, container), {
        check: false,
        timeoutMs: Math.max(left, 1000),
      });
      last = (out.text || out.errText).trim();
      const state = bootStateOf(out.text);
      if (state === "ready") {
        if (out.text.includes("degraded")) reporter?.debug(`${container}: systemd is degraded`);
        return;
      }
      if (state === "failed") {
        throw new ToolError(
          "systemd",
          `${container} did not boot: systemd is in state "${last}".`,
          "",
          out.code,
          `Look inside with \`${this.bin} exec ${container} -- journalctl -b\`.`,
        );
      }
      await sleep(150);
    }
    throw new TimeoutError(
      `${container} did not finish booting within ${this.timeouts.bootMs / 1000} s (last: ${
        last || "nothing"
      }).`,
      `Look inside with \`${this.bin} exec ${container} -- systemctl list-jobs\`.`,
    );
  }

  /**
   * Writes `data` to `path` in any container (running or stopped), as `owner` (default root). A
   * reset of LXD's per-instance file server is tried again (bounded).
   */
  async pushTo(
    container: string,
    path: string,
    data: Uint8Array,
    mode: number,
    owner: { uid: number; gid: number } = { uid: 0, gid: 0 },
  ): Promise<void> {
    const argv = filePushArgv(this.bin, container, path, { mode, ...owner });
    for (let attempt = 1;; attempt++) {
      const out = await this.lxc.call(argv, { stdin: data, check: false });
      if (out.code === 0) return;
      if (attempt >= 3 || !isTransientFileError(out.errText)) throw toolError(argv, out);
      await sleep(100 * attempt);
    }
  }

  /** Stops a container; "already stopped" is success. */
  async stopContainer(container: string, force = false): Promise<void> {
    const stopS = this.timeouts.stopS;
    const argv = stopArgv(this.bin, container, { force, timeoutS: stopS });
    const out = await this.lxc.call(argv, { check: false, timeoutMs: (stopS + 30) * 1000 });
    if (out.code === 0 || isAlreadyStopped(out.errText)) return;
    if (isNotFound(out.errText)) {
      throw new NotFoundError(`There is no container ${container}.`);
    }
    throw toolError(argv, out);
  }

  /** Deletes a container (stopping it); a missing one is success. */
  async removeContainer(container: string): Promise<void> {
    const argv = deleteArgv(this.bin, container);
    const out = await this.lxc.call(argv, {
      check: false,
      timeoutMs: this.timeouts.createMs,
      uninterruptible: true,
    });
    if (out.code !== 0 && !isNotFound(out.errText)) throw toolError(argv, out);
  }

  /** Deletes codchi's images (aliases `codchi-*`); their aliases. */
  async removeImages(): Promise<string[]> {
    const aliases = parseImageAliases((await this.lxc.call(imageListArgv(this.bin))).text);
    const ours = aliases.filter((a) => a.startsWith("codchi-"));
    for (const a of ours) await this.lxc.call(imageDeleteArgv(this.bin, a));
    return ours;
  }

  /**
   * Makes this data folder's project when it does not exist yet and pins its name in the data
   * folder (before any store folder is made, so the choice never changes afterwards).
   */
  async ensureProject(): Promise<void> {
    if (this.project === DEFAULT_PROJECT) return;
    if (this.#pinFile && this.projectSource === "new") {
      // Only codchi's own choice is pinned: a pin means "this data folder's own project".
      const { writeFileAtomic } = await import("../../config/store.ts");
      await writeFileAtomic(this.#pinFile, `${this.project}\n`);
    }
    const shown = await this.lxc.server(projectShowArgv(this.bin, this.project), {
      check: false,
    });
    if (shown.code === 0) return;
    const argv = projectCreateArgv(this.bin, this.project);
    const out = await this.lxc.server(argv, { check: false });
    // Another codchi of this data folder may have made it a moment ago.
    if (out.code !== 0 && !/already exists/i.test(out.errText)) {
      throw toolError(this.lxc.serverArgv(argv), out);
    }
  }

  /** Deletes the project when it exists; whether it did. */
  async removeProject(): Promise<boolean> {
    const exists = await this.lxc.server(projectShowArgv(this.bin, this.project), {
      check: false,
    });
    if (exists.code !== 0) return false;
    const argv = projectDeleteArgv(this.bin, this.project);
    const out = await this.lxc.server(argv, { check: false });
    if (out.code !== 0) throw toolError(this.lxc.serverArgv(argv), out);
    return true;
  }
}
