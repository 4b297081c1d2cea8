/** Which flakes a machine uses: codchi's driver flake, the machine flake, the standalone flake. */
import type { Paths } from "../config/paths.ts";
import type { MachineConfig } from "../config/schema.ts";
import type { Driver } from "../driver/types.ts";
import { type NixSystem, renderMachineFlake, renderStandaloneFlake } from "../nix/flake.ts";
import { VERSION } from "../version.ts";
import { copyTree, removeTree } from "./files.ts";

/** Where codchi's own flake is published; the tag matches the binary's version. */
export const DRIVER_FLAKE_REPO = "github:codchi-dev/codchi";

/** The flake reference of codchi's driver flake for this version. */
export function defaultDriverUrl(version = VERSION): string {
  return `${DRIVER_FLAKE_REPO}/v${version}?dir=nix`;
}

/** The Nix system of this host. */
export function hostSystem(): NixSystem {
  return Deno.build.arch === "aarch64" ? "aarch64-linux" : "x86_64-linux";
}

/**
 * The driver flake URL as the store sees it. `CODCHI_DRIVER_FLAKE` may name a flake URL or a host
 * folder; a folder is copied into the config dir, which the store sees.
 */
export async function driverFlakeUrl(
  env: Record<string, string>,
  paths: Paths,
  driver: Driver,
): Promise<string> {
  const v = env.CODCHI_DRIVER_FLAKE;
  if (!v) return defaultDriverUrl();
  if (!v.startsWith("/")) return v;
  const dst = `${paths.configDir}/driver-flake`;
  await removeTree(dst);
  await copyTree(v, dst);
  return `path:${driver.store.view.configDir}/driver-flake`;
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
