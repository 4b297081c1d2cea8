/**
 * Message boxes (`MessageBoxW`) and finding top-level windows by title (`FindWindowW`), so a test
 * can read and press a box another thread or process shows. Windows only.
 */
import { type BoxText } from "../error_box.ts";
import { fromWide, wide } from "./wide.ts";

/** MessageBoxW flags: OK button, error icon, in front of other windows. */
export const MB_OK = 0x0, MB_ICONERROR = 0x10, MB_SETFOREGROUND = 0x10000, MB_TOPMOST = 0x40000;
/** The OK button's id (also MessageBoxW's result when OK was pressed). */
export const IDOK = 1;
/** The control id of a message box's text (the same in Windows and Wine). */
export const MESSAGE_BOX_TEXT_ID = 0xffff;
const WM_COMMAND = 0x0111;

let user32: ReturnType<typeof open> | undefined;
function open() {
  return Deno.dlopen(
    "user32.dll",
    {
      // On its own thread: the box runs its own message loop and the event loop goes on.
      MessageBoxW: {
        parameters: ["pointer", "buffer", "buffer", "u32"],
        result: "i32",
        nonblocking: true,
      },
      FindWindowW: { parameters: ["pointer", "buffer"], result: "pointer" },
      GetDlgItemTextW: { parameters: ["pointer", "i32", "buffer", "i32"], result: "u32" },
      IsWindowVisible: { parameters: ["pointer"], result: "i32" },
      PostMessageW: { parameters: ["pointer", "u32", "usize", "isize"], result: "i32" },
    } as const,
  );
}

/** Shows an error box with OK and resolves with the button pressed (IDOK), 0 when none could be shown. */
export async function showErrorBox(box: BoxText): Promise<number> {
  user32 ??= open();
  return await user32.symbols.MessageBoxW(
    null,
    wide(box.text),
    wide(box.caption),
    MB_OK | MB_ICONERROR | MB_SETFOREGROUND | MB_TOPMOST,
  );
}

/** A visible top-level window titled `title` (any process of this desktop), if there is one. */
export function findVisibleWindow(title: string): Deno.PointerObject | undefined {
  user32 ??= open();
  const hwnd = user32.symbols.FindWindowW(null, wide(title));
  return hwnd && user32.symbols.IsWindowVisible(hwnd) ? hwnd : undefined;
}

/** The text of the control `id` of dialog `hwnd` (e.g. MESSAGE_BOX_TEXT_ID). */
export function dialogItemText(hwnd: Deno.PointerObject, id: number): string {
  user32 ??= open();
  const buf = new Uint16Array(8192);
  user32.symbols.GetDlgItemTextW(hwnd, id, buf, buf.length);
  return fromWide(buf);
}

/** Presses button `id` of dialog `hwnd` (posts its WM_COMMAND); false when the post failed. */
export function pressButton(hwnd: Deno.PointerObject, id: number): boolean {
  user32 ??= open();
  return user32.symbols.PostMessageW(hwnd, WM_COMMAND, BigInt(id), 0n) !== 0;
}
