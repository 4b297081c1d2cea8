/** Which flakes a machine uses: codchi's driver flake, the machine flake, the standalone flake. */
import type { Paths } from "../config/paths.ts";
import type { MachineConfig } from "../config/schema.ts";
import type { Driver } from "../driver/types.ts";
import { type NixSystem, renderMachineFlake, renderStandaloneFlake } from "../nix/flake.ts";
import { VERSION } from "../version.ts";
import { copyTree, removeTree } from "./files.ts";
import { driverSource, treeHash } from "./driver_id.ts";

export {
  driverId,
  type DriverSource,
  driverSource,
  embeddedDriverDir,
  treeHash,
} from "./driver_id.ts";

/** Where codchi's own flake is published; the tag matches the binary's version. */
export const DRIVER_FLAKE_REPO = "github:codchi-dev/codchi";

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

/** flake.nix of a machine. */
export function machineFlakeText(cfg: MachineConfig, driver: Driver, driverUrl: string): string {
  return renderMachineFlake({
    machine: cfg.name,
    driver: driver.nixosModule,
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
