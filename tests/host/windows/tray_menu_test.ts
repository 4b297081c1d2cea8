import { deepEqual, equal } from "node:assert/strict";
import { actionFor, buildTrayMenu, MenuIds } from "../../../src/host/windows/tray_menu.ts";

const machines = [
  { name: "rust", running: false, status: "Modified" },
  { name: "java", running: true, status: "UpToDate" },
];

Deno.test("the Linux tray menu, as Win32 items: a submenu per machine, then quit", () => {
  const menu = buildTrayMenu(machines);
  deepEqual(menu.map((m) => m.separator ? "---" : m.label), [
    "java (running)",
    "rust (stopped, needs rebuild)",
    "---",
    "Quit",
  ]);
  const java = menu[0].children!;
  deepEqual(java.map((i) => i.separator ? "---" : [i.label, i.enabled]), [
    ["State: running", false],
    "---",
    ["Open terminal", true],
    ["Start", false],
    ["Stop", true],
    ["Rebuild", true],
  ]);
  equal(menu[1].children!.at(-1)!.label, "Rebuild (needed)");
  const all = menu.flatMap((m) => [m, ...(m.children ?? [])]);
  const ids = all.filter((m) => m.action).map((m) => m.id);
  equal(new Set(ids).size, ids.length);
  equal(all.filter((m) => !m.action).every((m) => m.id === 0), true);
  deepEqual(actionFor(menu, java[4].id), { kind: "stop", machine: "java" });
  deepEqual(actionFor(menu, menu[3].id), { kind: "quit" });
  equal(actionFor(menu, 9999), undefined);
});

Deno.test("ids stay the same when the menu is rebuilt with the same MenuIds", () => {
  const ids = new MenuIds();
  const a = buildTrayMenu(machines, ids);
  const b = buildTrayMenu(
    [...machines, { name: "a-new", running: false, status: "NotInstalled" }],
    ids,
  );
  equal(a[0].children![2].id, b[1].children![2].id);
});

Deno.test("an empty menu says so, and & is not taken as a mnemonic", () => {
  deepEqual(buildTrayMenu([]).map((m) => m.label), [
    "No machines yet (codchi init <name>)",
    "",
    "Quit",
  ]);
});

Deno.test("switches: VcXsrv and wsl-vpnkit as check items before Quit; a click flips one", () => {
  const ids = new MenuIds();
  const menu = buildTrayMenu(machines, ids, undefined, { vcxsrv: true, vpnkit: false });
  deepEqual(menu.map((m) => m.separator ? "---" : [m.label, m.checked ?? null]), [
    ["java (running)", null],
    ["rust (stopped, needs rebuild)", null],
    "---",
    ["VcXsrv (X server for GUI apps)", true],
    ["VPN compatibility (wsl-vpnkit)", false],
    "---",
    ["Quit", null],
  ]);
  // A click asks for the other state.
  deepEqual(actionFor(menu, menu[3].id), { kind: "setting", setting: "vcxsrv", on: false });
  deepEqual(actionFor(menu, menu[4].id), { kind: "setting", setting: "vpnkit", on: true });
  // After the flip the item keeps its id (the menu is rebuilt with the same MenuIds).
  const after = buildTrayMenu(machines, ids, undefined, { vcxsrv: true, vpnkit: true });
  equal(after[4].id, menu[4].id);
  equal(after[4].checked, true);
  deepEqual(actionFor(after, after[4].id), { kind: "setting", setting: "vpnkit", on: false });
  // No switches given (Linux with LXD): no separator, no items.
  equal(buildTrayMenu(machines).length, 4);
  // Only the switches given are shown.
  deepEqual(
    buildTrayMenu([], new MenuIds(), undefined, { vpnkit: true }).map((m) => m.label),
    ["No machines yet (codchi init <name>)", "", "VPN compatibility (wsl-vpnkit)", "", "Quit"],
  );
});
