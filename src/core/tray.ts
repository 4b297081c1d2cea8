/** `codchi tray`: the tray's actions from the core, shown by the host's tray (the host port). */
import { ConflictError } from "../errors.ts";
import type { TrayActions } from "../host/types.ts";
import type { CoreContext } from "./context.ts";
import { rebuildMachine, startMachine } from "./lifecycle.ts";
import { listMachines } from "./machines.ts";
import { machineStatuses } from "./status.ts";
import { driverId, driverSource } from "./flake.ts";

export type { TrayActions };

/** The tray's actions, on the core (one driver call per refresh). */
export function trayActions(ctx: CoreContext): TrayActions {
  return {
    async machines() {
      const paths = await ctx.paths();
      const names = await listMachines(paths);
      const state = names.length ? await (await ctx.driver()).states() : undefined;
      const driver = names.length ? await driverId(driverSource(ctx.env)) : undefined;
      return (await machineStatuses(paths, state, driver)).map(({ name, running, status }) => ({
        name,
        running,
        status,
      }));
    },
    async start(name) {
      await startMachine(ctx, await ctx.driver(), name);
    },
    async stop(name) {
      await (await ctx.driver()).stop(name);
    },
    async rebuild(name) {
      await rebuildMachine(ctx, name, { update: true });
    },
    terminalArgv: (name) => [...ctx.selfArgv, "exec", name],
  };
}

/** Runs the tray until Quit (Linux: StatusNotifierItem over D-Bus; Windows: the notification area). */
export async function runTray(ctx: CoreContext): Promise<void> {
  const paths = await ctx.paths();
  const abort = new AbortController();
  const onInterrupt = () => abort.abort();
  const listen = Deno.build.os !== "windows";
  if (listen) Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    const ran = await (await ctx.host()).runTray(trayActions(ctx), {
      watchDir: paths.configDir,
      signal: abort.signal,
      report: (m) => ctx.reporter.warn(m),
      started: () => ctx.reporter.step("The codchi tray is running (quit it from its menu)."),
    });
    if (!ran) throw new ConflictError("A codchi tray is already running for this user.");
  } finally {
    if (listen) Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}
