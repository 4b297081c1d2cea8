/** codchiw.exe's error box under Wine (needs an X server: scripts/test-windows.sh starts Xvfb). */
import { equal, match, ok } from "node:assert/strict";
import { win32 } from "node:path";
import { fileURLToPath } from "node:url";
import { errorBoxText } from "../../src/host/windows/error_box.ts";
import {
  dialogItemText,
  findVisibleWindow,
  IDOK,
  MESSAGE_BOX_TEXT_ID,
  pressButton,
  showErrorBox,
} from "../../src/host/windows/ffi/message_box.ts";
import { xProbe } from "./_xprobe.ts";

const hasDisplay = !!Deno.env.get("DISPLAY");

async function waitForWindow(title: string, ms = 30_000): Promise<Deno.PointerObject> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const hwnd = findVisibleWindow(title);
    if (hwnd) return hwnd;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no visible window "${title}" within ${ms} ms`);
}

/** Removes `dir`, waiting up to 5 s for Wine to let go of an ended process's image. */
async function removeSoon(dir: string) {
  for (let i = 0;; i++) {
    try {
      return await Deno.remove(dir, { recursive: true });
    } catch (e) {
      if (i >= 50) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The box is a real window on the X display (when the script's probe runs). */
async function assertOnDisplay(title: string) {
  const seen = await xProbe(title);
  if (seen === undefined) return console.error("no CODCHI_XPROBE: X display not checked");
  match(seen, /Map State: IsViewable/, seen);
}

Deno.test({
  name: "showErrorBox: the box shows the composed text on the display; OK dismisses it",
  ignore: !hasDisplay,
  async fn() {
    const box = errorBoxText(
      {
        type: "NotFoundError",
        message: 'There is no machine "java".',
        hint: "Create it.",
        exitCode: 3,
      },
      ["exec", "java", "--", "gedit"],
    );
    box.caption += ` ${Deno.pid}`;
    const shown = showErrorBox(box);
    const hwnd = await waitForWindow(box.caption);
    equal(dialogItemText(hwnd, MESSAGE_BOX_TEXT_ID), box.text);
    await assertOnDisplay(box.caption);
    ok(pressButton(hwnd, IDOK));
    equal(await shown, IDOK);
    equal(findVisibleWindow(box.caption), undefined, "gone after OK");
  },
});

Deno.test({
  name:
    "codchiw.exe: a failing command shows its error and hint in a box, then exits with its code",
  ignore: !hasDisplay,
  async fn() {
    // The launcher is the same program under another name: a copy of deno.exe as codchiw.exe
    // (not a hard link: Wine refuses to delete a link to the running deno.exe's image).
    const dir = await Deno.makeTempDir();
    const codchiw = win32.join(dir, "codchiw.exe");
    await Deno.copyFile(Deno.execPath(), codchiw);
    const main = fileURLToPath(new URL("../../main.ts", import.meta.url));
    // Its own config folder, with the tray's autostart off (no tray started by this call).
    const appData = win32.join(dir, "Roaming");
    await Deno.mkdir(win32.join(appData, "codchi"), { recursive: true });
    await Deno.writeTextFile(
      win32.join(appData, "codchi", "config.json"),
      JSON.stringify({ version: 1, tray: { autostart: false } }),
    );
    const child = new Deno.Command(codchiw, {
      args: ["run", "-A", "--no-lock", main, "exec", "Bad_Name", "--", "gedit"],
      env: { APPDATA: appData },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let ended = false;
    try {
      const caption = "codchi exec Bad_Name failed";
      const hwnd = await waitForWindow(caption, 120_000);
      const text = dialogItemText(hwnd, MESSAGE_BOX_TEXT_ID);
      match(
        text,
        /^Invalid machine name "Bad_Name": .*\n\nA machine name uses .* Try "bad-name"\./,
      );
      match(text, /\n\nCommand: codchi exec Bad_Name -- gedit\nExit code: 2 \(UsageError\)$/);
      await assertOnDisplay(caption);
      ok(pressButton(hwnd, IDOK));
      const out = await child.output();
      ended = true;
      equal(out.code, 2);
      // stderr says the same (for a console that exists after all).
      const stderr = new TextDecoder().decode(out.stderr);
      ok(stderr.includes(text.split("\n")[0]), stderr);
    } finally {
      if (!ended) {
        child.kill();
        await child.output();
      }
      await removeSoon(dir);
    }
  },
});
