/**
 * The store's state in `codchi status`: the LXD driver's `states()` names what is wrong with a
 * store container (from the `lxc list --format json` devices), and the pure rule maps it to
 * running / stopped / missing / broken.
 */
import assert from "node:assert/strict";
import { computePaths } from "../../../src/config/paths.ts";
import { LxdDriver } from "../../../src/driver/lxd/mod.ts";
import { storeDisks } from "../../../src/driver/lxd/mounts.ts";
import { output, scriptedRunner } from "../../support/scripted_runner.ts";
import { storeLine, storeStatus } from "../../../src/core/status.ts";

const paths = computePaths("linux", { HOME: "/home/u" });

/** A runner answering every call with `list` as `lxc list --format json` would. */
const listRunner = (list: unknown[]) => scriptedRunner(() => output(0, JSON.stringify(list)));

const storeDevices = (drop: string[] = []) =>
  Object.fromEntries(
    storeDisks(paths).filter((d) => !drop.includes(d.path)).map((
      d,
    ) => [d.name, { type: "disk", source: d.source, path: d.path }]),
  );

const driver = (list: unknown[]) =>
  new LxdDriver({ paths, runner: listRunner(list), binary: "lxc", env: {} });

Deno.test("states(): a whole store has no problem; one call", async () => {
  const runner = listRunner([{ name: "codchistore", status: "Stopped", devices: storeDevices() }]);
  const d = new LxdDriver({ paths, runner, binary: "lxc", env: {} });
  const s = await d.states();
  assert.deepEqual(s.store, { installed: true, running: false });
  assert.equal(runner.calls.length, 1);
  assert.deepEqual(storeStatus(s.store, false), { state: "stopped" });
});

Deno.test("states(): a store without its /nix mount is named as the problem", async () => {
  const s = await driver([{
    name: "codchistore",
    status: "Running",
    devices: storeDevices(["/nix"]),
  }]).states();
  assert.equal(s.store.installed, true);
  assert.match(s.store.problem!, /no \/nix mount/);
  const st = storeStatus(s.store, false);
  assert.equal(st.state, "broken");
  assert.match(st.reason!, /codchi store recover/);
  assert.match(storeLine(st), /^Store: broken: no \/nix mount; run: codchi store recover$/);
});

Deno.test("states(): a store of another data folder is broken, naming both folders", async () => {
  const devices = storeDevices();
  const nix = storeDisks(paths).find((d) => d.path === "/nix")!;
  devices[nix.name] = { ...devices[nix.name], source: "/home/other/.local/share/codchi/store" };
  const s = await driver([{ name: "codchistore", status: "Running", devices }]).states();
  assert.match(s.store.problem!, /\/home\/other\/.local\/share\/codchi\/store/);
  assert.equal(storeStatus(s.store, false).state, "broken");
});

Deno.test("storeStatus: running, stopped, missing, interrupted creation", () => {
  assert.deepEqual(storeStatus({ installed: true, running: true }, false), { state: "running" });
  assert.deepEqual(storeStatus({ installed: false, running: false }, false), {
    state: "missing",
  });
  assert.match(storeLine({ state: "missing" }), /missing \(the next exec or rebuild creates it\)/);
  assert.match(storeLine({ state: "stopped" }), /^Store: stopped/);
  // An interrupted creation wins over what the container looks like.
  const i = storeStatus({ installed: true, running: true }, true);
  assert.equal(i.state, "broken");
  assert.match(i.reason!, /interrupted store creation/);
});
