import { deepEqual, equal } from "node:assert/strict";
import { actionFor, buildTrayMenu, MenuIds } from "../../src/host/windows/tray_menu.ts";

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
