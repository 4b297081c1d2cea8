import assert from "node:assert/strict";
import {
  buildMenu,
  findItem,
  menuFingerprint,
  MenuIds,
  stateLabel,
  tooltipText,
} from "../../../src/host/tray_menu.ts";

const machines = [
  { name: "web", running: false, status: "Modified" },
  { name: "api", running: true, status: "UpToDate" },
];

Deno.test("state labels", () => {
  assert.equal(stateLabel(machines[0]), "stopped, needs rebuild");
  assert.equal(stateLabel(machines[1]), "running");
  assert.equal(
    stateLabel({ name: "n", running: false, status: "NotInstalled" }),
    "stopped, not built",
  );
  assert.equal(
    stateLabel({ name: "n", running: true, status: "updates_available" }),
    "running, needs rebuild",
  );
  assert.equal(tooltipText([]), "No machines");
});

Deno.test("menu: one submenu per machine, actions enabled by state, quit last", () => {
  const ids = new MenuIds();
  const root = buildMenu(machines, ids);
  assert.equal(root.id, 0);
  const labels = root.children.map((c) => c.props.label ?? c.props.type);
  assert.deepEqual(labels, ["api (running)", "web (stopped, needs rebuild)", "separator", "Quit"]);
  const api = root.children[0];
  const byLabel = (l: string) => api.children.find((c) => c.props.label === l)!;
  assert.equal(byLabel("Start").props.enabled, false);
  assert.equal(byLabel("Stop").props.enabled, true);
  assert.deepEqual(byLabel("Stop").action, { kind: "stop", machine: "api" });
  assert.equal(findItem(root, byLabel("Stop").id), byLabel("Stop"));
  // Ids are stable across rebuilds; a busy machine shows what it does and disables actions.
  const again = buildMenu(machines, ids, new Map([["api", "stopping"]]));
  assert.equal(
    again.children[0].children.find((c) => c.props.label === "Stop")!.id,
    byLabel("Stop").id,
  );
  assert.equal(again.children[0].props.label, "api (stopping…)");
  assert.equal(
    again.children[0].children.find((c) => c.props.label === "Stop")!.props.enabled,
    false,
  );
  assert.notEqual(menuFingerprint(root), menuFingerprint(again));
  assert.equal(menuFingerprint(root), menuFingerprint(buildMenu(machines, ids)));
});

Deno.test("empty menu says how to make a machine", () => {
  const root = buildMenu([], new MenuIds());
  assert.match(String(root.children[0].props.label), /codchi init/);
  assert.deepEqual(root.children.at(-1)!.action, { kind: "quit" });
});

Deno.test("switches as dbusmenu check items (toggle-type checkmark, toggle-state 0/1)", () => {
  const ids = new MenuIds();
  const root = buildMenu(machines, ids, new Map(), { vcxsrv: false, vpnkit: true });
  const vpn = root.children.find((c) => c.props.label === "VPN compatibility (wsl-vpnkit)")!;
  assert.equal(vpn.props["toggle-type"], "checkmark");
  assert.equal(vpn.props["toggle-state"], 1);
  assert.deepEqual(vpn.action, { kind: "setting", setting: "vpnkit", on: false });
  const x = root.children.find((c) => c.props.label === "VcXsrv (X server for GUI apps)")!;
  assert.equal(x.props["toggle-state"], 0);
  assert.deepEqual(x.action, { kind: "setting", setting: "vcxsrv", on: true });
  // A flipped switch changes the menu (the tray publishes a new layout), the ids stay.
  const flipped = buildMenu(machines, ids, new Map(), { vcxsrv: false, vpnkit: false });
  assert.notEqual(menuFingerprint(flipped), menuFingerprint(root));
  assert.equal(findItem(flipped, vpn.id)!.props["toggle-state"], 0);
  assert.deepEqual(root.children.at(-1)!.action, { kind: "quit" });
});

Deno.test("the autostart switch (every host) comes last of the switches", () => {
  const root = buildMenu([], new MenuIds(), new Map(), { autostart: true, vpnkit: false });
  const labels = root.children.map((c) => c.props.label ?? c.props.type);
  assert.deepEqual(labels.slice(-4), [
    "VPN compatibility (wsl-vpnkit)",
    "Start the tray at login",
    "separator",
    "Quit",
  ]);
  const auto = root.children.find((c) => c.props.label === "Start the tray at login")!;
  assert.equal(auto.props["toggle-state"], 1);
  assert.deepEqual(auto.action, { kind: "setting", setting: "autostart", on: false });
});
