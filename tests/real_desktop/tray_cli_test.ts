/**
 * `codchi tray` end to end: the real CLI (core/tray.ts, the host port's Linux tray glue, the
 * tray on D-Bus) on a private session bus with a StatusNotifierWatcher, over a machine made by
 * hand and a stand-in `lxc` that logs its calls. The menu shows the machine as `status` does, its
 * Stop item reaches the driver (`lxc stop`), and Quit ends the process with exit 0.
 */
import assert from "node:assert/strict";
import dbus from "dbus-next";
import { join } from "node:path";
import { makeHome, REPO } from "../support/cli.ts";
import { runningMachine } from "../cli/_startup.ts";
import { waitFor } from "./helpers.ts";
import { flatten, type Layout, withBus } from "./tray_bus.ts";
import { TestWatcher } from "./sni_watcher.ts";

Deno.test({
  name: "codchi tray: the machine's row as status shows it, Stop reaches lxc, Quit exits 0",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withBus(async (address) => {
      const home = await makeHome();
      const m = await runningMachine(home);
      const watcherBus = dbus.sessionBus({ busAddress: address });
      const clientBus = dbus.sessionBus({ busAddress: address });
      let tray: Deno.ChildProcess | undefined;
      try {
        const watcher = new TestWatcher();
        await watcherBus.requestName("org.kde.StatusNotifierWatcher", dbus.NameFlag.DO_NOT_QUEUE);
        watcherBus.export("/StatusNotifierWatcher", watcher);
        const env = { ...home.env, ...m.env, DBUS_SESSION_BUS_ADDRESS: address };
        const status = await home.run(["--json", "status"], { env });
        assert.equal(status.code, 0, status.stderr);
        const row = JSON.parse(status.stdout)[0];
        assert.deepEqual([row.name, row.running], ["m", true]);

        tray = new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", "--quiet", `${REPO}/main.ts`, "tray"],
          env,
          clearEnv: true,
          stdin: "null",
          stdout: "null",
          stderr: "piped",
        }).spawn();
        assert.ok(
          await waitFor(() => watcher.registered.includes("org.codchi.Tray"), 20000),
          "the tray did not register",
        );
        const menuObj = await clientBus.getProxyObject("org.codchi.Tray", "/MenuBar");
        const menu = menuObj.getInterface("com.canonical.dbusmenu");
        const layout = async () =>
          flatten(((await menu.GetLayout(0, -1, [])) as [number, Layout])[1]);
        const items = await layout();
        const labels = items.map((i) => i.label);
        assert.ok(labels.includes("m (running)"), labels.join(" | "));

        // Stop: the driver stops the machine's container (the stand-in logs the call).
        const calls = join(home.root, "lxc.calls");
        await Deno.writeTextFile(calls, "");
        const stop = items.find((i) => i.label === "Stop" && i.enabled)!;
        await menu.Event(stop.id, "clicked", new dbus.Variant("s", ""), 0);
        const stopped = async () =>
          (await Deno.readTextFile(calls)).split("\n").some((l) => /(^| )stop .*codchi-m/.test(l));
        assert.ok(await waitFor(stopped, 20000), await Deno.readTextFile(calls));

        const quit = (await layout()).find((i) => i.label === "Quit")!;
        await menu.Event(quit.id, "clicked", new dbus.Variant("s", ""), 0);
        const end = await tray.output();
        tray = undefined;
        assert.equal(end.code, 0, new TextDecoder().decode(end.stderr));
      } finally {
        tray?.kill("SIGKILL");
        await tray?.output();
        watcherBus.disconnect();
        clientBus.disconnect();
        m.daemon.close();
        await home.cleanup();
      }
    }),
});
