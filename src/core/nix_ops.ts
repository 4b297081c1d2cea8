/** The nix work the core asks the store for: flake refs and the few nix calls of the lifecycle. */
import type { Driver, Reporter } from "../driver/types.ts";
import type { Output, RunOpts } from "../process.ts";

/** Flags every nix call in the store gets: flakes on, never the network's registry. */
export const NIX_FLAGS = ["--extra-experimental-features", "nix-command flakes"];

/** The machine's flake as the store sees it. */
export function machineFlakeRef(driver: Driver, machine: string): string {
  return `path:${driver.store.view.configDir}/machines/${machine}`;
}

/** The system profile of a machine as the store sees it. */
export function systemProfile(driver: Driver, machine: string): string {
  return `${driver.store.view.profilesDir(machine)}/system`;
}

/**
 * Runs a nix command in the store, stderr lines forwarded to the reporter's debug output.
 * `nixConfig` (e.g. access tokens) travels on stdin into NIX_CONFIG, never through argv.
 */
export function storeNix(
  driver: Driver,
  argv: string[],
  reporter: Reporter,
  opts: RunOpts & { nixConfig?: string } = {},
): Promise<Output> {
  const { nixConfig, ...rest } = opts;
  const full = ["nix", ...NIX_FLAGS, ...argv];
  const run: RunOpts = {
    ...rest,
    onStderrLine: rest.onStderrLine ?? ((l) => reporter.debug(l)),
  };
  if (nixConfig === undefined) return driver.store.run(full, run);
  return driver.store.run(
    ["sh", "-c", 'NIX_CONFIG="$(cat)" exec "$@"', "sh", ...full],
    { ...run, stdin: nixConfig },
  );
}
