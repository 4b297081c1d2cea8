/** Which flakes a machine uses: codchi's driver flake, the machine flake, the standalone flake. */
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { Paths } from "../config/paths.ts";
import type { MachineConfig } from "../config/schema.ts";
import type { Driver } from "../driver/types.ts";
import { type NixSystem, renderMachineFlake, renderStandaloneFlake } from "../nix/flake.ts";
import { VERSION } from "../version.ts";
import { copyTree, removeTree } from "./files.ts";

/** Where codchi's own flake is published; the tag matches the binary's version. */
export const DRIVER_FLAKE_REPO = "github:codchi-dev/codchi";

/**
 * codchi's own driver flake: the `nix/` folder next to the sources, which `deno compile
 * --include nix` embeds in the binary. Machines use a copy of it (see `driverFlakeUrl`).
 */
export function embeddedDriverDir(): string {
  return fileURLToPath(new URL("../../nix", import.meta.url));
}

/** Where the machines' `codchi_driver` input comes from: a host folder (copied) or a flake URL. */
export type DriverSource = { kind: "folder"; dir: string } | { kind: "url"; url: string };

/** The driver flake of this invocation: `CODCHI_DRIVER_FLAKE` (a URL or a folder), else codchi's own. */
export function driverSource(
  env: Record<string, string | undefined>,
  embedded: string = embeddedDriverDir(),
): DriverSource {
  const v = env.CODCHI_DRIVER_FLAKE;
  if (!v) return { kind: "folder", dir: embedded };
  return v.startsWith("/") ? { kind: "folder", dir: v } : { kind: "url", url: v };
}

/**
 * The identity of a driver flake, recorded at each build: the SHA-256 of a folder's files, or
 * the URL. A machine built with another identity has updates (a new codchi brings a new driver).
 */
export async function driverId(src: DriverSource): Promise<string> {
  return src.kind === "url" ? `url:${src.url}` : `sha256:${await treeHash(src.dir)}`;
}

/** The flake reference of codchi's published driver flake for this version (standalone tars). */
export function defaultDriverUrl(version = VERSION): string {
  return `${DRIVER_FLAKE_REPO}/v${version}?dir=nix`;
}

/** The Nix system of this host. */
export function hostSystem(): NixSystem {
  return Deno.build.arch === "aarch64" ? "aarch64-linux" : "x86_64-linux";
}

/**
 * The driver flake URL as the store sees it (a `path:` input for a folder). A folder (codchi's
 * own `nix/`, or `CODCHI_DRIVER_FLAKE`'s) is copied into the config dir, which the store sees,
 * under a name keyed by its contents: codchi processes working on other machines at the same time
 * never see it half-copied, and machines built with an older driver keep theirs until rebuilt.
 */
export async function driverFlakeUrl(
  env: Record<string, string>,
  paths: Paths,
  driver: Driver,
): Promise<string> {
  const src = driverSource(env);
  if (src.kind === "url") return src.url;
  const v = src.dir;
  const name = `driver-flake-${(await treeHash(v)).slice(0, 16)}`;
  const dst = `${paths.configDir}/${name}`;
  if (!(await Deno.lstat(dst).then(() => true, () => false))) {
    const stage = `${dst}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
    // A failed copy (a full disk) leaves no partial folder behind.
    await copyTree(v, stage).catch(async (e) => {
      await removeTree(stage);
      throw e;
    });
    try {
      await Deno.rename(stage, dst);
    } catch {
      // Another codchi put the same contents there first.
      await removeTree(stage);
    }
  }
  return `path:${driver.store.view.configDir}/${name}`;
}

/** SHA-256 over the relative paths and contents of the files below `dir` (sorted). */
export async function treeHash(dir: string): Promise<string> {
  const hash = createHash("sha256");
  const walk = async (d: string, rel: string) => {
    const entries = (await Array.fromAsync(Deno.readDir(d))).sort((a, b) =>
      a.name < b.name ? -1 : 1
    );
    for (const e of entries) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory) await walk(`${d}/${e.name}`, r);
      else if (e.isFile) {
        const bytes = await Deno.readFile(`${d}/${e.name}`);
        hash.update(`${r}\0${bytes.length}\0`).update(bytes);
      } else if (e.isSymlink) hash.update(`${r}\0-> ${await Deno.readLink(`${d}/${e.name}`)}\0`);
    }
  };
  await walk(dir, "");
  return hash.digest("hex");
}

/** flake.nix of a machine. */
export function machineFlakeText(cfg: MachineConfig, driver: Driver, driverUrl: string): string {
  return renderMachineFlake({
    machine: cfg.name,
    driver: driver.name === "wsl" ? "wsl" : "lxd",
    system: hostSystem(),
    driverUrl,
    modules: cfg.modules.map((m) => ({ name: m.name, source: m.source, module: m.modulePath })),
    nixpkgsFrom: cfg.nixpkgsFrom === "local" ? undefined : cfg.nixpkgsFrom,
    localRoot: driver.store.view.machineHome(cfg.name),
  });
}

/** The standalone flake of `codchi tar` (driver none; rebuildable as a plain NixOS VM). */
export function standaloneFlakeText(cfg: MachineConfig, driverUrl: string): string {
  return renderStandaloneFlake({
    machine: cfg.name,
    system: hostSystem(),
    driverUrl: driverUrl.startsWith("path:") ? defaultDriverUrl() : driverUrl,
    modules: cfg.modules.map((m) => ({ name: m.name, source: m.source, module: m.modulePath })),
    nixpkgsFrom: cfg.nixpkgsFrom === "local" ? undefined : cfg.nixpkgsFrom,
  });
}
