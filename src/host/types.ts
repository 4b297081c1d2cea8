/**
 * The host port: what the platform-free core needs from the desktop it runs on (app shortcuts,
 * the tray, files outside codchi's folders). Chosen per OS in host/mod.ts and handed to the core
 * by the composition root (cli/context.ts), like the driver and the secret store.
 */
import type { HostUsbDevice } from "../usb/id.ts";
import type { SessionHooks } from "../driver/types.ts";

/** Exports and removes a machine's app shortcuts and terminal entry on the host. */
export interface HostApps {
  /** Writes shortcuts for the apps in `appsDir` (`applications/`, `icons/`); stale ones go. */
  export(machine: string, appsDir: string, selfArgv: string[]): Promise<void>;
  /** Removes every shortcut and entry of the machine. */
  remove(machine: string): Promise<void>;
  /**
   * Writes (`enabled`) or removes the tray's login autostart entry now (`tray.autostart`; init
   * and rebuild apply it too), for a tray started as `selfArgv`.
   */
  trayAutostart?(enabled: boolean, selfArgv: string[]): Promise<void>;
}

/** Host options from config.json. */
export interface HostAppsOptions {
  /** Start the tray with the desktop session (`tray.autostart`). */
  trayAutostart?: boolean;
}

/**
 * A switch of config.json the tray shows as a check item: its own autostart (every host), and on
 * Windows VcXsrv and wsl-vpnkit.
 */
export type TraySettingKey = "vcxsrv" | "vpnkit" | "autostart";

/** The switches the tray shows, with their current state; a key left out is not shown. */
export type TraySettings = Partial<Record<TraySettingKey, boolean>>;

/** One machine as the tray shows it. */
export interface TrayMachine {
  name: string;
  running: boolean;
  /** Config status from the core: NotInstalled, Modified, UpdatesAvailable or UpToDate. */
  status: string;
}

/** What the tray can do with machines: the core's use cases. */
export interface TrayActions {
  /** Every machine with its state (one driver call). */
  machines(): Promise<TrayMachine[]>;
  start(name: string): Promise<void>;
  stop(name: string): Promise<void>;
  rebuild(name: string): Promise<void>;
  /** The command a terminal for machine `name` runs (`codchi exec <name>`). */
  terminalArgv(name: string): string[];
  /** The config.json switches the tray shows as check items (absent: none). */
  settings?(): Promise<TraySettings>;
  /** Flips a switch: config.json written (atomic, validated), then applied where it can be. */
  setSetting?(key: TraySettingKey, on: boolean): Promise<void>;
}

/** How one tray run is controlled. */
export interface TrayRun {
  /** Folder whose changes refresh the menu (codchi's config dir). */
  watchDir: string;
  /** Ends the tray (Ctrl-C). */
  signal: AbortSignal;
  /** Shows a failed action or refresh to the user. */
  report(message: string): void;
  /** Called once the tray is up, where the host says so. */
  started(): void;
}

/** What `codchi doctor` learns about the desktop session codchi runs in. */
export interface HostDiagnosis {
  /** The X11 display (`DISPLAY`) of the session (Linux). */
  display?: string;
  /** The Wayland display (`WAYLAND_DISPLAY`) of the session (Linux). */
  waylandDisplay?: string;
  /** Whether a PulseAudio/PipeWire socket is in `$XDG_RUNTIME_DIR/pulse` (Linux). */
  pulse?: boolean;
  /** Whether VcXsrv is installed where `exec` looks for it (Windows; asked when enabled). */
  vcxsrv?: boolean;
}

/** The host integration of one OS. */
export interface Host {
  /** The app shortcuts and terminal entries of machines. */
  apps(opts?: HostAppsOptions): Promise<HostApps>;
  /** Runs the tray until Quit or `run.signal`; false when a tray already runs for this user. */
  runTray(actions: TrayActions, run: TrayRun): Promise<boolean>;
  /** `codchi doctor`: the session's display and sound; `vcxsrv`: also look for VcXsrv. */
  diagnose(opts: { vcxsrv: boolean }): Promise<HostDiagnosis>;
  /** Files codchi wrote outside its folders that `uninstall` removes (the tray's autostart). */
  uninstallFiles(): Promise<string[]>;
  /**
   * The host's CA bundle (PEM) where the OS keeps it elsewhere than in a bundle file: Windows'
   * certificate store; undefined when there is none (Linux: its bundle files, core/host_ca.ts).
   */
  caBundle?(): Promise<string | undefined>;
  /**
   * The variables `exec` hands a machine for its GUI apps' display (Windows: VcXsrv's, started
   * when enabled and not running; a line says when WSLg is used instead); undefined: the
   * machine's own (WSLg; on Linux the host's display reaches machines otherwise).
   */
  guiEnv?(opts: { vcxsrv: boolean; warn: (line: string) => void }): Promise<
    Record<string, string> | undefined
  >;
  /**
   * The host's USB devices, for a driver that attaches them by id (LXD's `usb`; Linux: sysfs).
   * Absent where the driver lists them itself (WSL: usbipd-win).
   */
  usbDevices?(): Promise<HostUsbDevice[]>;
  /**
   * The host session a driver brings into machines (LXD: the display, sound and GPU devices and
   * the per-exec files: X cookie, sound config and cookie); absent where the machines find the
   * session themselves (WSL: WSLg, or VcXsrv through `guiEnv`).
   */
  session?(): Promise<SessionHooks>;
}
