/**
 * The tray on a real session bus (`dbus-daemon --session` on a private socket) with a
 * StatusNotifierWatcher written here: registration, the menu, actions, following the config
 * folder without a storm, single instance, and the missing-watcher error.
 */
import assert from "node:assert/strict";
import dbus from "dbus-next";
import { ConflictError, PrerequisiteError } from "../../src/errors.ts";
import {
  startTray,
  type Tray,
  type TrayController,
  type TrayMachine,
} from "../../src/host/linux/tray.ts";
import type { TraySettings } from "../../src/host/types.ts";
import { waitFor } from "./helpers.ts";
import { flatten, type Layout, withBus } from "./tray_bus.ts";
import { TestWatcher } from "./sni_watcher.ts";

/** A minimal StatusNotifierWatcher that records registrations. */

/** A controller over an in-memory list that records every call. */
function fakeController(machines: TrayMachine[]) {
  const calls: string[] = [];
  let lists = 0;
  const controller: TrayController = {
    listMachines: () => {
      lists++;
      return Promise.resolve(machines.map((m) => ({ ...m })));
    },
    start: (n) => {
      calls.push(`start ${n}`);
      machines.find((m) => m.name === n)!.running = true;
      return Promise.resolve();
    },
    stop: (n) => {
      calls.push(`stop ${n}`);
      machines.find((m) => m.name === n)!.running = false;
      return Promise.resolve();
    },
    rebuild: (n) => (calls.push(`rebuild ${n}`), Promise.resolve()),
    openTerminal: (n) => (calls.push(`terminal ${n}`), Promise.resolve()),
  };
  return { controller, calls, lists: () => lists };
}

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: "tray registers, lists machines with states, and its Stop item stops the machine",
  ...opts,
  fn: () =>
    withBus(async (address, dir) => {
      const watcherBus = dbus.sessionBus({ busAddress: address });
      const clientBus = dbus.sessionBus({ busAddress: address });
      let tray: Tray | undefined;
      try {
        const watcher = new TestWatcher();
        await watcherBus.requestName("org.kde.StatusNotifierWatcher", dbus.NameFlag.DO_NOT_QUEUE);
        watcherBus.export("/StatusNotifierWatcher", watcher);

        const configDir = `${dir}/config`;
        await Deno.mkdir(configDir);
        const machines: TrayMachine[] = [
          { name: "api", running: true, status: "UpToDate" },
          { name: "web", running: false, status: "Modified" },
        ];
        const fake = fakeController(machines);
        const errors: unknown[] = [];
        tray = await startTray(fake.controller, {
          busAddress: address,
          watchDir: configDir,
          pollMs: 0,
          debounceMs: 150,
          onError: (e) => errors.push(e),
        });
        assert.deepEqual(watcher.registered, ["org.codchi.Tray"]);

        // The item points at its menu, as a host would read it.
        const item = await clientBus.getProxyObject("org.codchi.Tray", "/StatusNotifierItem");
        const props = item.getInterface("org.freedesktop.DBus.Properties");
        assert.equal((await props.Get("org.kde.StatusNotifierItem", "Menu")).value, "/MenuBar");
        assert.equal((await props.Get("org.kde.StatusNotifierItem", "Status")).value, "Active");
        const tip = (await props.Get("org.kde.StatusNotifierItem", "ToolTip")).value;
        assert.match(tip[3], /web: stopped, needs rebuild/);

        const menuObj = await clientBus.getProxyObject("org.codchi.Tray", "/MenuBar");
        const menu = menuObj.getInterface("com.canonical.dbusmenu");
        const updates: number[] = [];
        menu.on("LayoutUpdated", (rev: number) => updates.push(rev));
        const layout = async () =>
          flatten(((await menu.GetLayout(0, -1, [])) as [number, Layout])[1]);
        const items = await layout();
        const labels = items.map((i) => i.label);
        assert.ok(labels.includes("api (running)"), labels.join(" | "));
        assert.ok(labels.includes("web (stopped, needs rebuild)"), labels.join(" | "));
        assert.ok(labels.includes("Quit"));

        // Click "Stop" of api: the first Stop item (api sorts first) is enabled, web's is not.
        const stops = items.filter((i) => i.label === "Stop");
        assert.deepEqual(stops.map((s) => s.enabled), [true, false]);
        await menu.Event(stops[0].id, "clicked", new dbus.Variant("s", ""), 0);
        assert.ok(await waitFor(() => fake.calls.includes("stop api"), 5000), fake.calls.join(","));
        assert.ok(
          await waitFor(
            async () => (await layout()).some((i) => i.label === "api (stopped)"),
            5000,
          ),
        );
        assert.ok(await waitFor(() => updates.length > 0, 3000), "no LayoutUpdated signal");

        // Following changes: a burst of writes in the config dir gives one or two refreshes.
        machines.push({ name: "new", running: false, status: "NotInstalled" });
        const before = fake.lists();
        for (let i = 0; i < 40; i++) {
          await Deno.writeTextFile(`${configDir}/f${i % 4}.json`, `${i}`);
        }
        assert.ok(
          await waitFor(
            async () => (await layout()).some((i) => i.label.startsWith("new (")),
            5000,
          ),
          "the tray did not follow the config dir",
        );
        await new Promise((r) => setTimeout(r, 500));
        const refreshes = fake.lists() - before;
        assert.ok(refreshes >= 1 && refreshes <= 3, `${refreshes} refreshes for one burst`);
        // Lock files are ignored.
        const quiet = fake.lists();
        await Deno.mkdir(`${configDir}/locks`);
        await Deno.writeTextFile(`${configDir}/locks/api.lock`, "x");
        await new Promise((r) => setTimeout(r, 500));
        assert.ok(fake.lists() - quiet <= 1);

        // A second tray on the same bus is refused.
        await assert.rejects(
          startTray(fake.controller, { busAddress: address, pollMs: 0 }),
          ConflictError,
        );

        // Quit from the menu ends the tray and frees its name.
        const quit = (await layout()).find((i) => i.label === "Quit")!;
        await menu.Event(quit.id, "clicked", new dbus.Variant("s", ""), 0);
        await tray.closed;
        tray = undefined;
        assert.deepEqual(errors, []);
        const again = await startTray(fake.controller, { busAddress: address, pollMs: 0 });
        await again.close();
      } finally {
        await tray?.close();
        watcherBus.disconnect();
        clientBus.disconnect();
      }
    }),
});

Deno.test({
  name: "without a StatusNotifierWatcher the tray throws a PrerequisiteError",
  ...opts,
  fn: () =>
    withBus(async (address) => {
      const { controller } = fakeController([]);
      await assert.rejects(
        startTray(controller, { busAddress: address, pollMs: 0 }),
        PrerequisiteError,
      );
      await assert.rejects(startTray(controller, { busAddress: "" }), PrerequisiteError);
      await assert.rejects(
        startTray(controller, { busAddress: `unix:path=${address.slice(10)}-missing` }),
        PrerequisiteError,
      );
    }),
});

Deno.test({
  name: "the tray registers again when the watcher restarts",
  ...opts,
  fn: () =>
    withBus(async (address) => {
      const { controller } = fakeController([]);
      const start = async () => {
        const bus = dbus.sessionBus({ busAddress: address });
        const w = new TestWatcher();
        await bus.requestName("org.kde.StatusNotifierWatcher", dbus.NameFlag.DO_NOT_QUEUE);
        bus.export("/StatusNotifierWatcher", w);
        return { bus, w };
      };
      const first = await start();
      const stop = new AbortController();
      const tray = await startTray(controller, {
        busAddress: address,
        pollMs: 0,
        signal: stop.signal,
      });
      try {
        assert.equal(first.w.registered.length, 1);
        first.bus.disconnect();
        const second = await start();
        assert.ok(
          await waitFor(() => second.w.registered.length === 1, 5000),
          "no re-registration",
        );
        second.bus.disconnect();
        // Aborting the signal (what SIGTERM does in the CLI) ends the tray.
        stop.abort();
        await tray.closed;
      } finally {
        await tray.close();
      }
    }),
});

Deno.test({
  name: "tray switches on the bus: a check item (int32 toggle-state) whose click flips the setting",
  ...opts,
  fn: () =>
    withBus(async (address) => {
      const watcherBus = dbus.sessionBus({ busAddress: address });
      const clientBus = dbus.sessionBus({ busAddress: address });
      let tray: Tray | undefined;
      try {
        await watcherBus.requestName("org.kde.StatusNotifierWatcher", dbus.NameFlag.DO_NOT_QUEUE);
        watcherBus.export("/StatusNotifierWatcher", new TestWatcher());
        const fake = fakeController([{ name: "api", running: true, status: "UpToDate" }]);
        const settings: TraySettings = { vcxsrv: true, vpnkit: false };
        const flips: string[] = [];
        fake.controller.settings = () => Promise.resolve({ ...settings });
        fake.controller.setSetting = (key, on) => {
          flips.push(`${key}=${on}`);
          settings[key] = on;
          return Promise.resolve();
        };
        tray = await startTray(fake.controller, { busAddress: address, pollMs: 0 });
        const menuObj = await clientBus.getProxyObject("org.codchi.Tray", "/MenuBar");
        const menu = menuObj.getInterface("com.canonical.dbusmenu");
        const vpn = async () => {
          const [, root] = (await menu.GetLayout(0, -1, [])) as [number, Layout];
          const found = root[2].map((c) => c.value).find((c) =>
            c[1].label?.value === "VPN compatibility (wsl-vpnkit)"
          )!;
          return { id: found[0], props: found[1] };
        };
        const item = await vpn();
        assert.equal(item.props["toggle-type"].value, "checkmark");
        assert.equal(item.props["toggle-state"].value, 0);
        // The variant's signature is int32, as dbusmenu specifies it.
        const groups = (await menu.GetGroupProperties([item.id], ["toggle-state"])) as [
          number,
          Record<string, { signature: string }>,
        ][];
        const typed = groups[0][1];
        assert.equal(typed["toggle-state"].signature, "i");
        await menu.Event(item.id, "clicked", new dbus.Variant("s", ""), 0);
        assert.ok(await waitFor(() => flips.length === 1, 5000));
        assert.deepEqual(flips, ["vpnkit=true"]);
        assert.ok(
          await waitFor(async () => (await vpn()).props["toggle-state"].value === 1, 5000),
          "the menu shows the new state",
        );
      } finally {
        await tray?.close();
        watcherBus.disconnect();
        clientBus.disconnect();
      }
    }),
});
