/** Starting a machine: the store first, then the machine with its env file, then the host CA. */
import type { Driver } from "../driver/types.ts";
import type { CoreContext } from "./context.ts";
import { loadMachine } from "./machines.ts";
import { machineEnv, secretValuesFor } from "./machine_secrets.ts";
import { handInHostCa } from "./host_ca.ts";

/** Starts store and machine with its env file (secrets). */
export async function startMachine(ctx: CoreContext, driver: Driver, name: string): Promise<void> {
  const paths = await ctx.paths();
  await driver.store.ensureRunning(ctx.reporter);
  const values = await secretValuesFor(ctx, paths, name);
  const usb = (await loadMachine(paths, name)).usb;
  await driver.start(name, machineEnv(name, values, usb), ctx.reporter);
  await handInHostCa(ctx, driver, name);
}
