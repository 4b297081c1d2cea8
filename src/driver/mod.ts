/** The driver entry point: contract re-exports and `selectDriver()`. */
import { NotImplementedError } from "../errors.ts";
import type { Paths } from "../config/paths.ts";
import type { Runner } from "../process.ts";
import type { Driver, DriverName } from "./types.ts";
import { chooseDriver, isExecutableFile, onPath } from "./select.ts";
import type { HostOs } from "../config/paths.ts";

export type * from "./types.ts";
export { chooseDriver } from "./select.ts";

/** What a driver needs to be built. */
export interface DriverDeps {
  paths: Paths;
  runner: Runner;
  env: Record<string, string>;
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
    has: {
      lxc: onPath("lxc", path, isExecutableFile) !== undefined,
      incus: onPath("incus", path, isExecutableFile) !== undefined,
    },
  });
}

/** Builds the driver `name` (loaded lazily, so a Linux host never loads WSL code). */
export function createDriver(name: DriverName, _deps: DriverDeps): Promise<Driver> {
  return Promise.reject(
    new NotImplementedError(
      `The ${name} driver is not built into this version of codchi yet.`,
      `See the README's status table.`,
    ),
  );
}
