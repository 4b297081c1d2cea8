/** `codchi tray`: the tray's controller from the core, shown by the host's tray implementation. */
import { ConflictError, PrerequisiteError } from "../errors.ts";
import type { TrayMachine } from "../host/linux/tray_menu.ts";
import type { CoreContext } from "./context.ts";
import { rebuildMachine, startMachine } from "./lifecycle.ts";
import { listMachines } from "./machines.ts";
import { machineStatuses } from "./status.ts";
import { driverId, driverSource } from "./flake.ts";

/** What a tray can do with machines. */
export interface TrayActions {
  machines(): Promise<TrayMachine[]>;
  start(name: string): Promise<void>;
  stop(name: string): Promise<void>;
  rebuild(name: string): Promise<void>;
  openTerminal(name: string): Promise<void>;
}

/** The tray's actions, on the core (one driver call per refresh). */
export function trayActions(
  ctx: CoreContext,
  openTerminal: (name: string) => Promise<void>,
): TrayActions {
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
    openTerminal,
  };
}

/** Runs the tray until Quit (Linux: StatusNotifierItem over D-Bus; Windows: the notification area). */
export async function runTray(ctx: CoreContext): Promise<void> {
  const paths = await ctx.paths();
  const abort = new AbortController();
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGINT", () => abort.abort());
  if (paths.os === "windows") {
    const { runWindowsTray } = await import("../host/windows/tray_run.ts");
    const actions = trayActions(ctx, async (name) => {
      const [exe, ...rest] = ctx.selfArgv;
      new Deno.Command("cmd.exe", { args: ["/c", "start", "", exe, ...rest, "exec", name] })
        .spawn();
      await Promise.resolve();
    });
    const ran = await runWindowsTray({
      machines: actions.machines,
      act: (a) => actions[a.kind === "terminal" ? "openTerminal" : a.kind](a.machine),
      report: (m) => ctx.reporter.warn(m),
      signal: abort.signal,
    });
    if (!ran) throw new ConflictError("A codchi tray is already running for this user.");
    return;
  }
  const { startTray } = await import("../host/linux/tray.ts");
  const { detachedArgv, detectTerminal, terminalArgv } = await import("../host/linux/terminal.ts");
  const { ProcessRunner } = await import("../process.ts");
  const runner = new ProcessRunner();
  const actions = trayActions(ctx, async (name) => {
    const choice = await detectTerminal(ctx.env, runner);
    if (!choice) {
      throw new PrerequisiteError(
        "No terminal emulator found.",
        "Install one, or set $TERMINAL to the terminal program to use.",
      );
    }
    await runner.run(detachedArgv(terminalArgv(choice, [...ctx.selfArgv, "exec", name])));
  });
  const tray = await startTray({
    listMachines: actions.machines,
    start: actions.start,
    stop: actions.stop,
    rebuild: actions.rebuild,
    openTerminal: actions.openTerminal,
  }, {
    watchDir: paths.configDir,
    onError: (e) => ctx.reporter.warn(String(e)),
    signal: abort.signal,
  });
  ctx.reporter.step("The codchi tray is running (quit it from its menu).");
  await tray.closed;
}
