/**
 * The tray's menu as data, shared by the Linux and Windows trays: machines → a
 * com.canonical.dbusmenu item tree with stable ids (Windows turns it into Win32 items). Pure.
 */

import type { TrayMachine, TraySettingKey, TraySettings } from "./types.ts";

/** One machine as the tray shows it (the host port's type). */
export type { TrayMachine };

/** The tray's config.json switches (the host port's types). */
export type { TraySettingKey, TraySettings };

/** The labels of the switches, in menu order. */
export const SETTING_LABELS: Readonly<Record<TraySettingKey, string>> = {
  vcxsrv: "VcXsrv (X server for GUI apps)",
  vpnkit: "VPN compatibility (wsl-vpnkit)",
  autostart: "Start the tray at login",
};

/** What clicking an item does. */
export type TrayAction =
  | { kind: "terminal" | "start" | "stop" | "rebuild"; machine: string }
  | { kind: "setting"; setting: TraySettingKey; on: boolean }
  | { kind: "quit" };

/** A dbusmenu item: id, properties (`toggle-state` is an int32) and children. */
export interface MenuItem {
  id: number;
  props: Record<string, string | boolean | number>;
  children: MenuItem[];
  action?: TrayAction;
}

/** Gives each item key the same id across rebuilds of the menu (id 0 is the root). */
export class MenuIds {
  #ids = new Map<string, number>();
  #next = 1;
  /** The id of `key`, allocated on first use. */
  idFor(key: string): number {
    let id = this.#ids.get(key);
    if (id === undefined) this.#ids.set(key, id = this.#next++);
    return id;
  }
}

/** Whether a config status means the machine's config differs from what was built. */
export function needsRebuild(status: string): boolean {
  const s = status.toLowerCase().replace(/[^a-z]/g, "");
  return s === "modified" || s === "updatesavailable";
}

/** Human state of a machine: `running`, `stopped`, plus `needs rebuild` / `not built`. */
export function stateLabel(m: TrayMachine): string {
  const parts = [m.running ? "running" : "stopped"];
  const s = m.status.toLowerCase().replace(/[^a-z]/g, "");
  if (needsRebuild(m.status)) parts.push("needs rebuild");
  else if (s === "notinstalled") parts.push("not built");
  return parts.join(", ");
}

/** What a busy machine is doing, shown instead of its state (e.g. "stopping…"). */
export type BusyMap = ReadonlyMap<string, string>;

/**
 * The whole menu: one submenu per machine (state line, open terminal, start, stop, rebuild),
 * then the switches in `settings` as check items (a click flips one), a separator and Quit.
 * Items that make no sense in the current state are disabled.
 */
export function buildMenu(
  machines: TrayMachine[],
  ids: MenuIds,
  busy: BusyMap = new Map(),
  settings: TraySettings = {},
): MenuItem {
  const items: MenuItem[] = [];
  const sorted = [...machines].sort((a, b) => a.name.localeCompare(b.name));
  for (const m of sorted) {
    const doing = busy.get(m.name);
    const state = doing ? `${doing}…` : stateLabel(m);
    const id = (what: string) => ids.idFor(`machine:${m.name}:${what}`);
    const act = (
      kind: "terminal" | "start" | "stop" | "rebuild",
      label: string,
      enabled: boolean,
    ) => ({
      id: id(kind),
      props: { label, enabled: enabled && !doing },
      children: [],
      action: { kind, machine: m.name },
    });
    items.push({
      id: id("menu"),
      props: { label: `${m.name} (${state})`, "children-display": "submenu" },
      children: [
        { id: id("state"), props: { label: `State: ${state}`, enabled: false }, children: [] },
        { id: id("sep"), props: { type: "separator" }, children: [] },
        act("terminal", "Open terminal", true),
        act("start", "Start", !m.running),
        act("stop", "Stop", m.running),
        act("rebuild", needsRebuild(m.status) ? "Rebuild (needed)" : "Rebuild", true),
      ],
    });
  }
  if (sorted.length === 0) {
    items.push({
      id: ids.idFor("empty"),
      props: { label: "No machines yet (codchi init <name>)", enabled: false },
      children: [],
    });
  }
  const keys = (Object.keys(SETTING_LABELS) as TraySettingKey[]).filter((k) =>
    settings[k] !== undefined
  );
  if (keys.length) {
    items.push({ id: ids.idFor("sep:settings"), props: { type: "separator" }, children: [] });
  }
  for (const key of keys) {
    const on = settings[key] === true;
    items.push({
      id: ids.idFor(`setting:${key}`),
      props: { label: SETTING_LABELS[key], "toggle-type": "checkmark", "toggle-state": on ? 1 : 0 },
      children: [],
      action: { kind: "setting", setting: key, on: !on },
    });
  }
  items.push({ id: ids.idFor("sep"), props: { type: "separator" }, children: [] });
  items.push({
    id: ids.idFor("quit"),
    props: { label: "Quit" },
    children: [],
    action: { kind: "quit" },
  });
  return { id: 0, props: { "children-display": "submenu" }, children: items };
}

/** The item with `id` in a tree. */
export function findItem(root: MenuItem, id: number): MenuItem | undefined {
  if (root.id === id) return root;
  for (const c of root.children) {
    const f = findItem(c, id);
    if (f) return f;
  }
  return undefined;
}

/** A one-line summary for the tooltip. */
export function tooltipText(machines: TrayMachine[]): string {
  if (machines.length === 0) return "No machines";
  return machines.map((m) => `${m.name}: ${stateLabel(m)}`).join("\n");
}

/** A canonical string of a menu, to tell whether it changed. */
export function menuFingerprint(root: MenuItem): string {
  return JSON.stringify(root, (k, v) => (k === "action" ? undefined : v));
}
