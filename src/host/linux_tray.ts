/** The Linux tray behind the host port: a StatusNotifierItem over D-Bus; terminals detached. */
import { PrerequisiteError } from "../errors.ts";
import type { Runner } from "../process.ts";
import { startTray } from "./linux/tray.ts";
import { detachedArgv, detectTerminal, terminalArgv } from "./linux/terminal.ts";
import type { TrayActions, TrayRun } from "./types.ts";

/** Runs the Linux tray until Quit or `run.signal` (ConflictError when another tray runs). */
export async function runLinuxHostTray(
  env: Record<string, string>,
  runner: Runner,
  actions: TrayActions,
  run: TrayRun,
): Promise<boolean> {
  const tray = await startTray({
    listMachines: () => actions.machines(),
    start: (name) => actions.start(name),
    stop: (name) => actions.stop(name),
    rebuild: (name) => actions.rebuild(name),
    settings: actions.settings ? () => actions.settings!() : undefined,
    setSetting: actions.setSetting ? (k, on) => actions.setSetting!(k, on) : undefined,
    openTerminal: async (name) => {
      const choice = await detectTerminal(env, runner);
      if (!choice) {
        throw new PrerequisiteError(
          "No terminal emulator found.",
          "Install one, or set $TERMINAL to the terminal program to use.",
        );
      }
      await runner.run(detachedArgv(terminalArgv(choice, actions.terminalArgv(name))));
    },
  }, {
    watchDir: run.watchDir,
    onError: (e) => run.report(String(e)),
    signal: run.signal,
  });
  run.started();
  await tray.closed;
  return true;
}
