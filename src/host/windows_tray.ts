/** The Windows tray behind the host port: the notification-area icon; terminals in a console. */
import { ProcessRunner, type Runner } from "../process.ts";
import { runWindowsTray } from "./windows/tray_run.ts";
import type { TrayActions, TrayRun } from "./types.ts";

/** argv that opens a new console window running `argv` (`cmd.exe /c start`). */
export function consoleArgv(argv: string[]): string[] {
  return ["cmd.exe", "/c", "start", "", ...argv];
}

/** Runs the Windows tray until Quit or `run.signal`; false when a tray already runs. */
export function runWindowsHostTray(
  runner: Runner,
  actions: TrayActions,
  run: TrayRun,
): Promise<boolean> {
  // A runner that cannot start detached programs (a test double) hands this to the real door.
  const detached = runner.spawnDetached ? runner : new ProcessRunner();
  const openTerminal = (name: string) =>
    detached.spawnDetached!(consoleArgv(actions.terminalArgv(name)));
  return runWindowsTray({
    machines: () => actions.machines(),
    settings: actions.settings ? () => actions.settings!() : undefined,
    act: (a) =>
      a.kind === "terminal"
        ? openTerminal(a.machine)
        : a.kind === "setting"
        ? actions.setSetting?.(a.setting, a.on) ?? Promise.resolve()
        : actions[a.kind](a.machine),
    report: (m) => run.report(m),
    signal: run.signal,
  });
}
