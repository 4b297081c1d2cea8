/**
 * `codchi tray`: a StatusNotifierItem with a com.canonical.dbusmenu menu on the session bus
 * (dbus-next). One instance per user (it owns `org.codchi.Tray`); it follows the config folder
 * and polls slowly, with at most one refresh in flight.
 */
import dbus from "dbus-next";
import { CodchiError, ConflictError, PrerequisiteError } from "../../errors.ts";
import {
  buildMenu,
  findItem,
  menuFingerprint,
  MenuIds,
  type MenuItem,
  tooltipText,
  type TrayAction,
  type TrayMachine,
  type TraySettingKey,
  type TraySettings,
} from "../tray_menu.ts";

/** One machine as the tray shows it (re-exported for controllers). */
export type { TrayMachine } from "../tray_menu.ts";

/** What the tray asks of codchi's core. */
export interface TrayController {
  listMachines(): Promise<TrayMachine[]>;
  start(name: string): Promise<void>;
  stop(name: string): Promise<void>;
  rebuild(name: string): Promise<void>;
  openTerminal(name: string): Promise<void>;
  /** The config.json switches the menu shows as check items (absent: none). */
  settings?(): Promise<TraySettings>;
  /** Flips a switch (written to config.json, then applied). */
  setSetting?(key: TraySettingKey, on: boolean): Promise<void>;
}

/** Tray settings; every field has a default. */
export interface TrayOptions {
  /** D-Bus address; default `$DBUS_SESSION_BUS_ADDRESS`. */
  busAddress?: string;
  /** Folder to watch for changes (codchi's config dir); none: poll only. */
  watchDir?: string;
  /** Slow poll of machine states, ms (default 20000; 0 disables). */
  pollMs?: number;
  /** Quiet time after a file change before refreshing, ms (default 400). */
  debounceMs?: number;
  /** Reports errors of actions and refreshes (default: console.error). */
  onError?: (error: unknown) => void;
  /** Stops the tray when aborted (e.g. on SIGTERM/SIGINT). */
  signal?: AbortSignal;
}

/** A running tray. */
export interface Tray {
  /** Resolves when the tray stopped (Quit, `close()`, or the bus went away). */
  readonly closed: Promise<void>;
  /** Stops the tray: releases the name, leaves the bus. */
  close(): Promise<void>;
  /** Re-reads the machines now (coalesced with a refresh in flight). */
  refresh(): Promise<void>;
  /** The menu's layout revision (grows when the menu changes). */
  readonly revision: number;
  /** How many times `listMachines` was called. */
  readonly refreshes: number;
}

/** Well-known bus name that makes the tray single-instance. */
export const TRAY_BUS_NAME = "org.codchi.Tray";
/** The StatusNotifierWatcher's bus name. */
export const WATCHER_NAME = "org.kde.StatusNotifierWatcher";
/** Object path of the item. */
export const ITEM_PATH = "/StatusNotifierItem";
/** Object path of the menu. */
export const MENU_PATH = "/MenuBar";

const { Interface } = dbus.interface;
const Variant = dbus.Variant;
type Variant = InstanceType<typeof dbus.Variant>;

class MenuInterface extends Interface {
  constructor(private readonly tray: TrayImpl) {
    super("com.canonical.dbusmenu");
  }
  get Version() {
    return 3;
  }
  get TextDirection() {
    return "ltr";
  }
  get Status() {
    return "normal";
  }
  get IconThemePath() {
    return [];
  }
  GetLayout(parentId: number, depth: number, names: string[]) {
    const root = findItem(this.tray.menu, parentId) ?? this.tray.menu;
    return [this.tray.revision, layoutOf(root, depth, names)];
  }
  GetGroupProperties(ids: number[], names: string[]) {
    const all: MenuItem[] = [];
    const walk = (i: MenuItem) => (all.push(i), i.children.forEach(walk));
    walk(this.tray.menu);
    const chosen = ids.length ? all.filter((i) => ids.includes(i.id)) : all;
    return chosen.map((i) => [i.id, propsOf(i, names)]);
  }
  GetProperty(id: number, name: string) {
    const item = findItem(this.tray.menu, id);
    const v = item ? propsOf(item, [name])[name] : undefined;
    if (!v) {
      throw new dbus.DBusError("com.canonical.dbusmenu.Error", `no property ${name} on ${id}`);
    }
    return v;
  }
  Event(id: number, eventId: string, _data: Variant, _timestamp: number) {
    if (eventId === "clicked") this.tray.click(id);
  }
  EventGroup(events: [number, string, Variant, number][]) {
    const missing: number[] = [];
    for (const [id, eventId] of events) {
      if (!findItem(this.tray.menu, id)) missing.push(id);
      else if (eventId === "clicked") this.tray.click(id);
    }
    return missing;
  }
  AboutToShow(_id: number) {
    this.tray.refreshIfOld();
    return false;
  }
  AboutToShowGroup(_ids: number[]) {
    this.tray.refreshIfOld();
    return [[], []];
  }
  LayoutUpdated(revision: number, parent: number) {
    return [revision, parent];
  }
  ItemsPropertiesUpdated(updated: unknown[], removed: unknown[]) {
    return [updated, removed];
  }
}
MenuInterface.configureMembers({
  properties: {
    Version: { signature: "u", access: "read" },
    TextDirection: { signature: "s", access: "read" },
    Status: { signature: "s", access: "read" },
    IconThemePath: { signature: "as", access: "read" },
  },
  methods: {
    GetLayout: { inSignature: "iias", outSignature: "u(ia{sv}av)" },
    GetGroupProperties: { inSignature: "aias", outSignature: "a(ia{sv})" },
    GetProperty: { inSignature: "is", outSignature: "v" },
    Event: { inSignature: "isvu", outSignature: "" },
    EventGroup: { inSignature: "a(isvu)", outSignature: "ai" },
    AboutToShow: { inSignature: "i", outSignature: "b" },
    AboutToShowGroup: { inSignature: "ai", outSignature: "aiai" },
  },
  signals: {
    LayoutUpdated: { signature: "ui" },
    ItemsPropertiesUpdated: { signature: "a(ia{sv})a(ias)" },
  },
});

class ItemInterface extends Interface {
  constructor(private readonly tray: TrayImpl) {
    super("org.kde.StatusNotifierItem");
  }
  get Category() {
    return "ApplicationStatus";
  }
  get Id() {
    return "codchi";
  }
  get Title() {
    return "Codchi";
  }
  get Status() {
    return "Active";
  }
  get WindowId() {
    return 0;
  }
  get IconName() {
    return "utilities-terminal";
  }
  get IconPixmap() {
    return [];
  }
  get OverlayIconName() {
    return "";
  }
  get OverlayIconPixmap() {
    return [];
  }
  get AttentionIconName() {
    return "";
  }
  get AttentionIconPixmap() {
    return [];
  }
  get AttentionMovieName() {
    return "";
  }
  get ToolTip() {
    return ["utilities-terminal", [], "Codchi", tooltipText(this.tray.machines)];
  }
  get ItemIsMenu() {
    return true;
  }
  get Menu() {
    return MENU_PATH;
  }
  ContextMenu(_x: number, _y: number) {}
  Activate(_x: number, _y: number) {
    this.tray.refreshIfOld();
  }
  SecondaryActivate(_x: number, _y: number) {}
  Scroll(_delta: number, _orientation: string) {}
  NewToolTip() {}
  NewStatus(status: string) {
    return status;
  }
}
ItemInterface.configureMembers({
  properties: {
    Category: { signature: "s", access: "read" },
    Id: { signature: "s", access: "read" },
    Title: { signature: "s", access: "read" },
    Status: { signature: "s", access: "read" },
    WindowId: { signature: "i", access: "read" },
    IconName: { signature: "s", access: "read" },
    IconPixmap: { signature: "a(iiay)", access: "read" },
    OverlayIconName: { signature: "s", access: "read" },
    OverlayIconPixmap: { signature: "a(iiay)", access: "read" },
    AttentionIconName: { signature: "s", access: "read" },
    AttentionIconPixmap: { signature: "a(iiay)", access: "read" },
    AttentionMovieName: { signature: "s", access: "read" },
    ToolTip: { signature: "(sa(iiay)ss)", access: "read" },
    ItemIsMenu: { signature: "b", access: "read" },
    Menu: { signature: "o", access: "read" },
  },
  methods: {
    ContextMenu: { inSignature: "ii" },
    Activate: { inSignature: "ii" },
    SecondaryActivate: { inSignature: "ii" },
    Scroll: { inSignature: "is" },
  },
  signals: {
    NewToolTip: { signature: "" },
    NewStatus: { signature: "s" },
  },
});

function propsOf(item: MenuItem, names: string[]): Record<string, Variant> {
  const out: Record<string, Variant> = {};
  for (const [k, v] of Object.entries(item.props)) {
    if (names.length && !names.includes(k)) continue;
    out[k] = new Variant(typeof v === "boolean" ? "b" : typeof v === "number" ? "i" : "s", v);
  }
  return out;
}

function layoutOf(item: MenuItem, depth: number, names: string[]): unknown[] {
  const children = depth === 0
    ? []
    : item.children.map((c) => new Variant("(ia{sv}av)", layoutOf(c, depth - 1, names)));
  return [item.id, propsOf(item, names), children];
}

class TrayImpl {
  menu: MenuItem;
  machines: TrayMachine[] = [];
  settings: TraySettings = {};
  revision = 1;
  refreshes = 0;
  readonly ids = new MenuIds();
  readonly busy = new Map<string, string>();
  #fingerprint = "";
  #inFlight: Promise<void> | undefined;
  #again = false;
  #lastRefresh = 0;
  #closed = false;
  #resolveClosed!: () => void;
  readonly closed = new Promise<void>((r) => (this.#resolveClosed = r));
  menuIface!: MenuInterface;
  itemIface!: ItemInterface;
  #timers: ReturnType<typeof setInterval>[] = [];
  #watcher: Deno.FsWatcher | undefined;

  constructor(
    readonly bus: dbus.MessageBus,
    readonly controller: TrayController,
    readonly opts: Required<Pick<TrayOptions, "pollMs" | "debounceMs" | "onError">> & TrayOptions,
  ) {
    this.menu = buildMenu([], this.ids);
  }

  /** Rebuilds the menu from `listMachines`, coalescing overlapping calls. */
  refresh(): Promise<void> {
    if (this.#inFlight) {
      this.#again = true;
      return this.#inFlight;
    }
    const run = async () => {
      do {
        this.#again = false;
        this.refreshes++;
        this.#lastRefresh = Date.now();
        try {
          this.machines = await this.controller.listMachines();
          this.settings = await this.controller.settings?.() ?? {};
          this.#publish();
        } catch (e) {
          this.opts.onError(e);
        }
      } while (this.#again && !this.#closed);
    };
    this.#inFlight = run().finally(() => (this.#inFlight = undefined));
    return this.#inFlight;
  }

  refreshIfOld(): void {
    if (Date.now() - this.#lastRefresh > 3000) this.refresh();
  }

  #publish(): void {
    const menu = buildMenu(this.machines, this.ids, this.busy, this.settings);
    const fp = menuFingerprint(menu);
    if (fp === this.#fingerprint) return;
    this.#fingerprint = fp;
    this.menu = menu;
    this.revision++;
    if (this.#closed) return;
    this.menuIface.LayoutUpdated(this.revision, 0);
    this.itemIface.NewToolTip();
  }

  click(id: number): void {
    const action = findItem(this.menu, id)?.action;
    if (action) this.#run(action);
  }

  async #run(action: TrayAction): Promise<void> {
    if (action.kind === "quit") return void this.close();
    if (action.kind === "setting") {
      try {
        await this.controller.setSetting?.(action.setting, action.on);
      } catch (e) {
        this.opts.onError(e);
      } finally {
        await this.refresh();
      }
      return;
    }
    const { machine } = action;
    const label = { terminal: "", start: "starting", stop: "stopping", rebuild: "rebuilding" }[
      action.kind
    ];
    if (label) (this.busy.set(machine, label), this.#publish());
    try {
      if (action.kind === "terminal") await this.controller.openTerminal(machine);
      else await this.controller[action.kind](machine);
    } catch (e) {
      this.opts.onError(e);
    } finally {
      if (label) this.busy.delete(machine);
      await this.refresh();
    }
  }

  startFollowing(): void {
    if (this.opts.pollMs > 0) {
      this.#timers.push(setInterval(() => this.refresh(), this.opts.pollMs));
    }
    if (!this.opts.watchDir) return;
    try {
      this.#watcher = Deno.watchFs(this.opts.watchDir, { recursive: true });
    } catch (e) {
      this.opts.onError(e);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    (async () => {
      try {
        for await (const ev of this.#watcher!) {
          // Lock files and temp files of atomic writes change with every command: ignore them.
          if (ev.kind === "access") continue;
          if (ev.paths.every((p) => /\/locks\/|\.tmp-|\.lock$/.test(p))) continue;
          if (timer !== undefined) clearTimeout(timer);
          timer = setTimeout(() => {
            timer = undefined;
            this.refresh();
          }, this.opts.debounceMs);
        }
      } catch (e) {
        if (!this.#closed) this.opts.onError(e);
      } finally {
        if (timer !== undefined) clearTimeout(timer);
      }
    })();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#timers.forEach((t) => clearInterval(t));
    try {
      this.#watcher?.close();
    } catch {
      // already closed
    }
    await this.#inFlight?.catch(() => {});
    try {
      await this.bus.releaseName(TRAY_BUS_NAME);
    } catch {
      // the bus may be gone
    }
    this.bus.disconnect();
    this.#resolveClosed();
  }
}

async function callBus(
  bus: dbus.MessageBus,
  dest: string,
  path: string,
  iface: string,
  member: string,
  signature: string,
  body: unknown[],
): Promise<unknown[]> {
  const reply = await bus.call(
    new dbus.Message({ destination: dest, path, interface: iface, member, signature, body }),
  );
  return reply?.body ?? [];
}

const DBUS = ["org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus"] as const;

/**
 * Starts the tray: connects to the session bus, checks for a StatusNotifierWatcher
 * (PrerequisiteError without one), takes `org.codchi.Tray` (ConflictError when another tray has
 * it), exports the item and menu, registers with the watcher (again whenever the watcher
 * restarts), loads the machines, and follows changes.
 */
export async function startTray(
  controller: TrayController,
  options: TrayOptions = {},
): Promise<Tray> {
  const busAddress = options.busAddress ?? Deno.env.get("DBUS_SESSION_BUS_ADDRESS");
  if (!busAddress) {
    throw new PrerequisiteError(
      "No D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set.",
      "Run `codchi tray` from your desktop session (or its autostart), not from a bare console.",
    );
  }
  const bus = dbus.sessionBus({ busAddress });
  const failed = new Promise<never>((_, reject) => bus.once("error", reject));
  const opts = {
    pollMs: 20000,
    debounceMs: 400,
    onError: (e: unknown) => console.error(e),
    ...options,
  };
  try {
    const [hasWatcher] = await Promise.race([
      callBus(bus, ...DBUS, "NameHasOwner", "s", [WATCHER_NAME]),
      failed,
    ]);
    failed.catch(() => {}); // later bus errors are handled by the "error" listener below
    if (!hasWatcher) {
      throw new PrerequisiteError(
        "No tray host on this desktop: nothing owns org.kde.StatusNotifierWatcher on the session bus.",
        "Use a desktop with StatusNotifierItem support (KDE, or GNOME with the AppIndicator extension, " +
          "or a panel such as waybar), then run `codchi tray` again.",
      );
    }
    const reply = await bus.requestName(TRAY_BUS_NAME, dbus.NameFlag.DO_NOT_QUEUE);
    if (
      reply !== dbus.RequestNameReply.PRIMARY_OWNER && reply !== dbus.RequestNameReply.ALREADY_OWNER
    ) {
      throw new ConflictError(
        "The codchi tray is already running for this user.",
        "Use the icon that is already there, or quit it from its menu first.",
      );
    }
  } catch (e) {
    try {
      bus.disconnect();
    } catch {
      // never connected
    }
    if (e instanceof CodchiError) throw e;
    throw new PrerequisiteError(
      `Cannot reach the D-Bus session bus at ${busAddress}: ${(e as Error).message ?? e}`,
      "Run `codchi tray` inside your desktop session, where DBUS_SESSION_BUS_ADDRESS is valid.",
    );
  }
  const tray = new TrayImpl(bus, controller, opts);
  tray.menuIface = new MenuInterface(tray);
  tray.itemIface = new ItemInterface(tray);
  bus.export(MENU_PATH, tray.menuIface);
  bus.export(ITEM_PATH, tray.itemIface);
  bus.on("error", (e: unknown) => {
    opts.onError(e);
    tray.close();
  });
  const register = () =>
    callBus(
      bus,
      WATCHER_NAME,
      "/StatusNotifierWatcher",
      WATCHER_NAME,
      "RegisterStatusNotifierItem",
      "s",
      [TRAY_BUS_NAME],
    );
  await callBus(bus, ...DBUS, "AddMatch", "s", [
    `type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',` +
    `member='NameOwnerChanged',arg0='${WATCHER_NAME}'`,
  ]);
  bus.on("message", (msg: dbus.Message) => {
    if (msg.member === "NameOwnerChanged" && msg.body?.[0] === WATCHER_NAME && msg.body?.[2]) {
      register().catch(opts.onError);
    }
  });
  try {
    await tray.refresh();
    await register();
  } catch (e) {
    await tray.close();
    throw e;
  }
  tray.startFollowing();
  if (options.signal) {
    if (options.signal.aborted) await tray.close();
    else options.signal.addEventListener("abort", () => tray.close(), { once: true });
  }
  return {
    closed: tray.closed,
    close: () => tray.close(),
    refresh: () => tray.refresh(),
    get revision() {
      return tray.revision;
    },
    get refreshes() {
      return tray.refreshes;
    },
  };
}
