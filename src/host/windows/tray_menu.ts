/**
 * The tray menu on Windows: the very menu the Linux tray shows (`src/host/tray_menu.ts`:
 * one submenu per machine with its state, open terminal, start, stop, rebuild; the switches as
 * check items; then Quit),
 * turned from its dbusmenu tree into Win32 popup-menu items. Pure.
 */
import {
  buildMenu,
  type BusyMap,
  MenuIds,
  type MenuItem,
  tooltipText,
  type TrayAction,
  type TrayMachine,
  type TraySettings,
} from "../tray_menu.ts";

export { MenuIds, tooltipText };
export type { TrayAction, TrayMachine, TraySettings };

/** One Win32 menu entry; `id` is the WM_COMMAND id (0 for labels, submenus and separators). */
export interface TrayItem {
  id: number;
  label: string;
  enabled: boolean;
  separator?: boolean;
  /** A switch that is on (a check mark, MF_CHECKED). */
  checked?: boolean;
  action?: TrayAction;
  children?: TrayItem[];
}

/** Converts one dbusmenu item (and its children) into a Win32 menu item. */
export function toWin32Item(item: MenuItem): TrayItem {
  const label = String(item.props.label ?? "").replaceAll("&", "&&"); // "&" marks a mnemonic
  const out: TrayItem = {
    id: item.action ? item.id : 0,
    label,
    enabled: item.props.enabled !== false,
  };
  if (item.props.type === "separator") out.separator = true;
  if (item.props["toggle-type"] === "checkmark") out.checked = item.props["toggle-state"] === 1;
  if (item.action) out.action = item.action;
  if (item.children.length) out.children = item.children.map(toWin32Item);
  return out;
}

/** Builds the Win32 menu for `machines`; pass the same `ids` every time so ids stay stable. */
export function buildTrayMenu(
  machines: TrayMachine[],
  ids: MenuIds = new MenuIds(),
  busy?: BusyMap,
  settings?: TraySettings,
): TrayItem[] {
  return buildMenu(machines, ids, busy, settings).children.map(toWin32Item);
}

/** The action of command id `id` in `menu`, or undefined. */
export function actionFor(menu: readonly TrayItem[], id: number): TrayAction | undefined {
  for (const it of menu) {
    if (it.id === id && it.action) return it.action;
    const inner = it.children ? actionFor(it.children, id) : undefined;
    if (inner) return inner;
  }
  return undefined;
}
