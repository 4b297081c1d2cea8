/** The `codchi tray` process on Windows: one instance, the icon, a status poll every 10 s. */
import { acquireInstanceLock } from "./ffi/mutex.ts";
import { Tray } from "./ffi/tray.ts";
import {
  buildTrayMenu,
  MenuIds,
  tooltipText,
  type TrayAction,
  type TrayMachine,
  type TraySettings,
} from "./tray_menu.ts";

/** What the tray needs from the core. */
export interface TrayDeps {
  /** Every machine with its state (one driver call). */
  machines(): Promise<TrayMachine[]>;
  /** The config.json switches shown as check items (absent: none). */
  settings?(): Promise<TraySettings>;
  /** Carries out a menu action (start, stop, rebuild, open a terminal, flip a switch). */
  act(action: Exclude<TrayAction, { kind: "quit" }>): Promise<void>;
  /** Reports a failed action to the user. */
  report(message: string): void;
  /** Ends the tray (e.g. Ctrl-C). */
  signal?: AbortSignal;
  iconFile?: string;
  /** Poll interval of the machine states. Default 10 s. */
  pollMs?: number;
  /** Instance lock name. Default "codchi-tray". */
  lockName?: string;
  /** Called once the icon is shown (diagnostics and tests). */
  onOpen?(tray: Tray): void;
}

/** Runs the tray until Quit or `signal`; returns false when another tray already runs. */
export async function runWindowsTray(deps: TrayDeps): Promise<boolean> {
  const lock = acquireInstanceLock(deps.lockName ?? "codchi-tray");
  if (!lock) return false;
  const stop = new AbortController();
  deps.signal?.addEventListener("abort", () => stop.abort(), { once: true });
  let machines: TrayMachine[] = [];
  let settings: TraySettings = {};
  const ids = new MenuIds();
  const tray = Tray.open({
    tooltip: "codchi",
    iconFile: deps.iconFile,
    menu: () => buildTrayMenu(machines, ids, undefined, settings),
    onAction: (action) => {
      if (action.kind === "quit") return stop.abort();
      deps.act(action).catch((e) => deps.report(e instanceof Error ? e.message : String(e)))
        // A flipped switch shows at once (the next poll would show it too).
        .finally(() => action.kind === "setting" ? refresh() : undefined);
    },
  });
  const refresh = async () => {
    try {
      machines = await deps.machines();
      settings = await deps.settings?.() ?? {};
      tray.setTooltip(`codchi\n${tooltipText(machines)}`);
    } catch (e) {
      deps.report(e instanceof Error ? e.message : String(e));
    }
  };
  await refresh();
  deps.onOpen?.(tray);
  const timer = setInterval(refresh, deps.pollMs ?? 10_000);
  try {
    await tray.run(stop.signal);
  } finally {
    clearInterval(timer);
    tray.close();
    lock.release();
  }
  return true;
}
