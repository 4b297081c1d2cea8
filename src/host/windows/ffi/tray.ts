/**
 * The tray icon on Windows: a hidden window whose window procedure is a Deno callback, an icon
 * added with `Shell_NotifyIconW`, and a popup menu built from `buildTrayMenu`. Windows only.
 */
import { actionFor, type TrayAction, type TrayItem } from "../tray_menu.ts";
import { addr, addrOf, fromWide, wide } from "./wide.ts";
import { PrerequisiteError, ToolError } from "../../../errors.ts";

/** Message the shell sends to the window for mouse events on the icon. */
export const TRAY_CALLBACK = 0x8000 + 1; // WM_APP + 1
/** WM_COMMAND: a menu item was chosen (low word of wParam = item id). */
export const WM_COMMAND = 0x0111;
/** Mouse messages carried in lParam of TRAY_CALLBACK. */
export const WM_LBUTTONUP = 0x0202, WM_RBUTTONUP = 0x0205, WM_CONTEXTMENU = 0x007b;

const NIM_ADD = 0, NIM_MODIFY = 1, NIM_DELETE = 2;
const NIF_MESSAGE = 0x1, NIF_ICON = 0x2, NIF_TIP = 0x4, NIF_INFO = 0x10;
const NID_SIZE = 976;
const PM_REMOVE = 1;
const MF_STRING = 0x0, MF_GRAYED = 0x1, MF_CHECKED = 0x8, MF_POPUP = 0x10, MF_SEPARATOR = 0x800;
const TPM_RIGHTBUTTON = 0x2, TPM_BOTTOMALIGN = 0x20;
const IMAGE_ICON = 1, LR_LOADFROMFILE = 0x10, LR_DEFAULTSIZE = 0x40;
const IDI_APPLICATION = 32512n;
const WM_NULL = 0;
const WM_INITMENUPOPUP = 0x0117;
const MF_BYPOSITION = 0x400;

let libs: ReturnType<typeof open> | undefined;
function open() {
  return {
    user32: Deno.dlopen(
      "user32.dll",
      {
        RegisterClassExW: { parameters: ["buffer"], result: "u16" },
        UnregisterClassW: { parameters: ["buffer", "pointer"], result: "i32" },
        CreateWindowExW: {
          parameters: [
            "u32",
            "buffer",
            "buffer",
            "u32",
            "i32",
            "i32",
            "i32",
            "i32",
            "pointer",
            "pointer",
            "pointer",
            "pointer",
          ],
          result: "pointer",
        },
        DestroyWindow: { parameters: ["pointer"], result: "i32" },
        DefWindowProcW: { parameters: ["pointer", "u32", "usize", "isize"], result: "isize" },
        RegisterWindowMessageW: { parameters: ["buffer"], result: "u32" },
        PeekMessageW: { parameters: ["buffer", "pointer", "u32", "u32", "u32"], result: "i32" },
        TranslateMessage: { parameters: ["buffer"], result: "i32" },
        DispatchMessageW: { parameters: ["buffer"], result: "isize" },
        PostMessageW: { parameters: ["pointer", "u32", "usize", "isize"], result: "i32" },
        LoadIconW: { parameters: ["pointer", "usize"], result: "pointer" },
        LoadImageW: {
          parameters: ["pointer", "buffer", "u32", "i32", "i32", "u32"],
          result: "pointer",
        },
        DestroyIcon: { parameters: ["pointer"], result: "i32" },
        CreatePopupMenu: { parameters: [], result: "pointer" },
        AppendMenuW: { parameters: ["pointer", "u32", "usize", "buffer"], result: "i32" },
        TrackPopupMenu: {
          parameters: ["pointer", "u32", "i32", "i32", "i32", "pointer", "pointer"],
          result: "i32",
        },
        DestroyMenu: { parameters: ["pointer"], result: "i32" },
        GetCursorPos: { parameters: ["buffer"], result: "i32" },
        GetMenuItemCount: { parameters: ["pointer"], result: "i32" },
        GetMenuState: { parameters: ["pointer", "u32", "u32"], result: "u32" },
        GetMenuStringW: { parameters: ["pointer", "u32", "buffer", "i32", "u32"], result: "i32" },
        EndMenu: { parameters: [], result: "i32" },
        SetForegroundWindow: { parameters: ["pointer"], result: "i32" },
      } as const,
    ),
    kernel32: Deno.dlopen(
      "kernel32.dll",
      {
        GetModuleHandleW: { parameters: ["pointer"], result: "pointer" },
      } as const,
    ),
    shell32: Deno.dlopen(
      "shell32.dll",
      {
        Shell_NotifyIconW: { parameters: ["u32", "buffer"], result: "i32" },
      } as const,
    ),
  };
}

/** How the tray looks and what it does. */
export interface TrayOptions {
  /** Tooltip (up to 127 characters). */
  tooltip: string;
  /** An .ico file; Windows' default application icon when missing. */
  iconFile?: string;
  /** The current menu (called each time the menu opens). */
  menu(): TrayItem[];
  /** A menu item was chosen. */
  onAction(action: TrayAction): void;
  /** Every mouse message on the icon (diagnostics and tests). */
  onIconEvent?(mouseMessage: number): void;
  /** A popup menu opened, with its item labels as Windows holds them (diagnostics and tests). */
  onMenuShown?(labels: string[], tray: Tray): void;
}

const WndProcDef = {
  parameters: ["pointer", "u32", "usize", "isize"],
  result: "isize",
} as const;

/** A tray icon with its hidden window; create with `Tray.open`, end with `close`. */
export class Tray {
  #lib = libs ??= open();
  #proc: Deno.UnsafeCallback<typeof WndProcDef>;
  #className: Uint16Array<ArrayBuffer>;
  #instance: Deno.PointerValue;
  #hwnd: Deno.PointerObject;
  #icon: Deno.PointerValue;
  #ownIcon: boolean;
  #nid = new Uint8Array(NID_SIZE);
  #menu: TrayItem[] = [];
  #taskbarCreated: number;
  #closed = false;

  private constructor(readonly options: TrayOptions) {
    const u = this.#lib.user32.symbols;
    this.#taskbarCreated = u.RegisterWindowMessageW(wide("TaskbarCreated"));
    this.#proc = new Deno.UnsafeCallback(WndProcDef, (hwnd, msg, wp, lp) => {
      try {
        if (this.#handle(msg, Number(wp), Number(lp))) return 0n;
      } catch (e) {
        console.error(`tray: ${e instanceof Error ? e.message : e}`);
      }
      return u.DefWindowProcW(hwnd, msg, wp, lp);
    });
    this.#instance = this.#lib.kernel32.symbols.GetModuleHandleW(null);
    this.#className = wide(`codchi-tray-${Deno.pid}-${Date.now()}`);
    const wc = new Uint8Array(80);
    const v = new DataView(wc.buffer);
    v.setUint32(0, 80, true);
    v.setBigUint64(8, addr(this.#proc.pointer), true);
    v.setBigUint64(24, addr(this.#instance), true);
    v.setBigUint64(64, addrOf(this.#className), true);
    if (!u.RegisterClassExW(wc)) throw new ToolError("windows", "RegisterClassExW failed");
    const hwnd = u.CreateWindowExW(
      0,
      this.#className,
      wide("codchi"),
      0,
      0,
      0,
      0,
      0,
      null,
      null,
      this.#instance,
      null,
    );
    if (!hwnd) {
      this.#dispose();
      throw new PrerequisiteError(
        "The tray cannot open its window (CreateWindowExW failed).",
        "Run the tray in a desktop session.",
      );
    }
    this.#hwnd = hwnd;
    const loaded = options.iconFile
      ? u.LoadImageW(
        null,
        wide(options.iconFile),
        IMAGE_ICON,
        0,
        0,
        LR_LOADFROMFILE | LR_DEFAULTSIZE,
      )
      : null;
    this.#ownIcon = loaded !== null;
    this.#icon = loaded ?? u.LoadIconW(null, IDI_APPLICATION);
  }

  /** Creates the window and adds the icon; throws when the shell has no notification area. */
  static open(options: TrayOptions): Tray {
    const tray = new Tray(options);
    try {
      tray.#add();
    } catch (e) {
      tray.close();
      throw e;
    }
    return tray;
  }

  /** The hidden window (messages posted to it reach the tray). */
  get hwnd(): Deno.PointerObject {
    return this.#hwnd;
  }

  #add() {
    const v = new DataView(this.#nid.buffer);
    v.setUint32(0, NID_SIZE, true);
    v.setBigUint64(8, addr(this.#hwnd), true);
    v.setUint32(16, 1, true);
    v.setUint32(20, NIF_MESSAGE | NIF_ICON | NIF_TIP, true);
    v.setUint32(24, TRAY_CALLBACK, true);
    v.setBigUint64(32, addr(this.#icon), true);
    this.#putText(40, 128, this.options.tooltip);
    if (!this.#lib.shell32.symbols.Shell_NotifyIconW(NIM_ADD, this.#nid)) {
      throw new PrerequisiteError(
        "The tray found no notification area (Shell_NotifyIconW failed).",
        "Run the tray in a desktop session with a taskbar.",
      );
    }
  }

  #putText(offset: number, max: number, text: string) {
    const v = new DataView(this.#nid.buffer);
    const s = text.slice(0, max - 1);
    for (let i = 0; i < max; i++) {
      v.setUint16(offset + 2 * i, i < s.length ? s.charCodeAt(i) : 0, true);
    }
  }

  /** Changes the tooltip. */
  setTooltip(text: string): void {
    this.#putText(40, 128, text);
    new DataView(this.#nid.buffer).setUint32(20, NIF_TIP, true);
    this.#lib.shell32.symbols.Shell_NotifyIconW(NIM_MODIFY, this.#nid);
  }

  /** Shows a balloon notification; returns whether the shell accepted it. */
  notify(title: string, text: string): boolean {
    this.#putText(304, 256, text);
    this.#putText(820, 64, title);
    new DataView(this.#nid.buffer).setUint32(20, NIF_INFO, true);
    return this.#lib.shell32.symbols.Shell_NotifyIconW(NIM_MODIFY, this.#nid) !== 0;
  }

  #handle(msg: number, wp: number, lp: number): boolean {
    if (msg === TRAY_CALLBACK) {
      const mouse = lp & 0xffff;
      this.options.onIconEvent?.(mouse);
      if (mouse === WM_RBUTTONUP || mouse === WM_CONTEXTMENU) this.#showMenu();
      return true;
    }
    if (msg === WM_COMMAND) {
      const id = wp & 0xffff;
      if (this.#menu.length === 0) this.#menu = this.options.menu();
      const action = actionFor(this.#menu, id);
      if (action) this.options.onAction(action);
      return true;
    }
    if (msg === WM_INITMENUPOPUP && this.options.onMenuShown) {
      this.options.onMenuShown(this.#menuLabels(Deno.UnsafePointer.create(BigInt(wp))), this);
      return true;
    }
    if (msg === this.#taskbarCreated && !this.#closed) {
      this.#add(); // Explorer restarted: the icon is gone until added again
      return true;
    }
    return false;
  }

  #showMenu() {
    const u = this.#lib.user32.symbols;
    this.#menu = this.options.menu();
    const menu = this.#buildMenu(this.#menu);
    try {
      const pt = new Int32Array(2);
      u.GetCursorPos(pt);
      u.SetForegroundWindow(this.#hwnd);
      u.TrackPopupMenu(menu, TPM_RIGHTBUTTON | TPM_BOTTOMALIGN, pt[0], pt[1], 0, this.#hwnd, null);
      u.PostMessageW(this.#hwnd, WM_NULL, 0n, 0n);
    } finally {
      u.DestroyMenu(menu); // destroys the submenus too
    }
  }

  #menuLabels(menu: Deno.PointerValue): string[] {
    const u = this.#lib.user32.symbols;
    const labels: string[] = [];
    const buf = new Uint16Array(256);
    for (let i = 0; i < u.GetMenuItemCount(menu); i++) {
      buf.fill(0);
      u.GetMenuStringW(menu, i, buf, buf.length, MF_BYPOSITION);
      // A checked item (a switch that is on) as Windows itself reports it.
      const checked = (u.GetMenuState(menu, i, MF_BYPOSITION) & MF_CHECKED) !== 0;
      labels.push(fromWide(buf) + (checked ? " [checked]" : ""));
    }
    return labels;
  }

  /** Closes an open popup menu (as Escape would). */
  closeMenu(): void {
    this.#lib.user32.symbols.EndMenu();
  }

  #buildMenu(items: TrayItem[]): Deno.PointerValue {
    const u = this.#lib.user32.symbols;
    const menu = u.CreatePopupMenu();
    for (const it of items) {
      if (it.separator) {
        u.AppendMenuW(menu, MF_SEPARATOR, 0n, null);
      } else if (it.children) {
        const sub = this.#buildMenu(it.children);
        u.AppendMenuW(menu, MF_POPUP, BigInt(Deno.UnsafePointer.value(sub)), wide(it.label));
      } else {
        u.AppendMenuW(
          menu,
          MF_STRING | (it.enabled ? 0 : MF_GRAYED) | (it.checked ? MF_CHECKED : 0),
          BigInt(it.id),
          wide(it.label),
        );
      }
    }
    return menu;
  }

  /** Dispatches every queued window message; returns how many were handled. */
  pump(): number {
    const u = this.#lib.user32.symbols;
    const msg = new Uint8Array(48);
    let n = 0;
    while (u.PeekMessageW(msg, null, 0, 0, PM_REMOVE)) {
      u.TranslateMessage(msg);
      u.DispatchMessageW(msg);
      n++;
    }
    return n;
  }

  /** Pumps messages every `intervalMs` until `signal` aborts (keeps the event loop free). */
  async run(signal: AbortSignal, intervalMs = 50): Promise<void> {
    while (!signal.aborted && !this.#closed) {
      this.pump();
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  /** Posts a message to the tray window (used by tests and by a second instance). */
  post(msg: number, wParam: bigint, lParam: bigint): boolean {
    return this.#lib.user32.symbols.PostMessageW(this.#hwnd, msg, wParam, lParam) !== 0;
  }

  /** Removes the icon, destroys the window and frees the callback. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#lib.shell32.symbols.Shell_NotifyIconW(NIM_DELETE, this.#nid);
    this.#dispose();
  }

  #dispose() {
    const u = this.#lib.user32.symbols;
    if (this.#hwnd) u.DestroyWindow(this.#hwnd);
    if (this.#ownIcon && this.#icon) u.DestroyIcon(this.#icon);
    u.UnregisterClassW(this.#className, this.#instance);
    this.#proc.close();
  }
}
