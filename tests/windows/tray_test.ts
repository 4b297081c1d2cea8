/** The tray under Wine (needs an X server: scripts/test-windows.sh starts Xvfb). */
import { deepEqual, equal, ok } from "node:assert/strict";
import { win32 } from "node:path";
import {
  Tray,
  TRAY_CALLBACK,
  WM_COMMAND,
  WM_LBUTTONUP,
  WM_RBUTTONUP,
} from "../../src/host/windows/ffi/tray.ts";
import { acquireInstanceLock } from "../../src/host/windows/ffi/mutex.ts";
import { pngToIco } from "../../src/host/windows/ico.ts";
import { buildTrayMenu, MenuIds, type TrayAction } from "../../src/host/windows/tray_menu.ts";
import { runWindowsTray } from "../../src/host/windows/tray_run.ts";
import { solidPng } from "./_png.ts";

const hasDisplay = !!Deno.env.get("DISPLAY");

async function pumpUntil(tray: Tray, done: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) {
    tray.pump();
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test({
  name: "tray icon is added; icon events and menu commands reach the JS window procedure",
  ignore: !hasDisplay,
  async fn() {
    const dir = await Deno.makeTempDir();
    const icon = win32.join(dir, "codchi.ico");
    await Deno.writeFile(icon, pngToIco(await solidPng(32)));
    const machines = [
      { name: "java", running: true, status: "UpToDate" },
      { name: "rust", running: false, status: "Modified" },
    ];
    const ids = new MenuIds();
    const actions: TrayAction[] = [];
    const events: number[] = [];
    const shown: string[][] = [];
    const tray = Tray.open({
      tooltip: "codchi test",
      iconFile: icon,
      menu: () => buildTrayMenu(machines, ids),
      onAction: (a) => actions.push(a),
      onIconEvent: (m) => events.push(m),
      onMenuShown: (labels, t) => {
        shown.push(labels);
        t.closeMenu();
      },
    });
    try {
      ok(tray.notify("codchi", "machine java is running"), "balloon accepted");
      tray.setTooltip("codchi: 1 of 2 running");
      const menu = buildTrayMenu(machines, ids);
      const stopJava = menu[0].children!.find((i) => i.label === "Stop")!.id;
      const startRust = menu[1].children!.find((i) => i.label === "Start")!.id;
      ok(tray.post(TRAY_CALLBACK, 1n, BigInt(WM_LBUTTONUP)));
      ok(tray.post(WM_COMMAND, BigInt(stopJava), 0n));
      ok(tray.post(WM_COMMAND, BigInt(startRust), 0n));
      await pumpUntil(tray, () => actions.length >= 2 && events.length >= 1);
      deepEqual(events, [WM_LBUTTONUP]);
      // A right click opens the real popup menu (TrackPopupMenu); Windows reports its items.
      ok(tray.post(TRAY_CALLBACK, 1n, BigInt(WM_RBUTTONUP)));
      await pumpUntil(tray, () => shown.length >= 1);
      deepEqual(shown[0], ["java (running)", "rust (stopped, needs rebuild)", "", "Quit"]);
      deepEqual(actions, [{ kind: "stop", machine: "java" }, { kind: "start", machine: "rust" }]);
    } finally {
      tray.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("one instance: a second process cannot take the tray lock until it is released", async () => {
  const name = `codchi-tray-test-${Deno.pid}`;
  const lock = acquireInstanceLock(name);
  ok(lock, "first lock");
  const mod = new URL("../../src/host/windows/ffi/mutex.ts", import.meta.url).href;
  const probe = async () => {
    const code = `const m = await import(${JSON.stringify(mod)});` +
      `const l = m.acquireInstanceLock(${JSON.stringify(name)});` +
      `console.log(l ? "free" : "held"); l?.release();`;
    const out = await new Deno.Command(Deno.execPath(), { args: ["eval", code], stderr: "inherit" })
      .output();
    return new TextDecoder().decode(out.stdout).trim();
  };
  try {
    equal(await probe(), "held");
  } finally {
    lock!.release();
  }
  equal(await probe(), "free");
});

Deno.test({
  name: "runWindowsTray: polls machines, hands menu actions to the core, ends on Quit",
  ignore: !hasDisplay,
  async fn() {
    const acted: TrayAction[] = [];
    let polls = 0;
    const machines = [{ name: "java", running: false, status: "UpToDate" }];
    const ran = await runWindowsTray({
      machines: () => (polls++, Promise.resolve(machines)),
      act: (a) => (acted.push(a), Promise.resolve()),
      report: (m) => console.error(m),
      lockName: `codchi-tray-run-${Deno.pid}`,
      pollMs: 100,
      onOpen(tray) {
        const menu = buildTrayMenu(machines, new MenuIds());
        const item = (label: string) =>
          menu.flatMap((m) => [m, ...(m.children ?? [])]).find((i) => i.label === label)!.id;
        // The tray's own MenuIds hands out the same ids for the same menu.
        setTimeout(() => {
          tray.post(WM_COMMAND, BigInt(item("Start")), 0n);
          tray.post(WM_COMMAND, BigInt(item("Open terminal")), 0n);
        }, 300);
        setTimeout(() => tray.post(WM_COMMAND, BigInt(item("Quit")), 0n), 700);
      },
    });
    equal(ran, true);
    deepEqual(acted, [{ kind: "start", machine: "java" }, { kind: "terminal", machine: "java" }]);
    ok(polls >= 2, `polled ${polls} times`);
  },
});

Deno.test({
  name: "tray switches: the real popup shows VcXsrv checked, a click on wsl-vpnkit asks to flip it",
  ignore: !hasDisplay,
  async fn() {
    const acted: TrayAction[] = [];
    const shown: string[][] = [];
    const machines = [{ name: "java", running: true, status: "UpToDate" }];
    const settings = { vcxsrv: true, vpnkit: false };
    const ids = new MenuIds();
    const tray = Tray.open({
      tooltip: "codchi switches",
      menu: () => buildTrayMenu(machines, ids, undefined, settings),
      onAction: (a) => acted.push(a),
      onMenuShown: (labels, t) => {
        shown.push(labels);
        t.closeMenu();
      },
    });
    try {
      ok(tray.post(TRAY_CALLBACK, 1n, BigInt(WM_RBUTTONUP)));
      await pumpUntil(tray, () => shown.length >= 1);
      deepEqual(shown[0], [
        "java (running)",
        "",
        "VcXsrv (X server for GUI apps) [checked]",
        "VPN compatibility (wsl-vpnkit)",
        "",
        "Quit",
      ]);
      const menu = buildTrayMenu(machines, ids, undefined, settings);
      const vpn = menu.find((i) => i.label.startsWith("VPN compatibility"))!.id;
      ok(tray.post(WM_COMMAND, BigInt(vpn), 0n));
      await pumpUntil(tray, () => acted.length >= 1);
      deepEqual(acted, [{ kind: "setting", setting: "vpnkit", on: true }]);
    } finally {
      tray.close();
    }
  },
});
