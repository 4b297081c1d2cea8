/**
 * `codchi tray` in the core: its actions go to the host's tray through the host port
 * (src/host/types.ts), never to platform code; the platform glue's pure parts.
 */
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { initMachine } from "../../src/core/lifecycle.ts";
import { runTray, trayActions } from "../../src/core/tray.ts";
import { ConflictError } from "../../src/errors.ts";
import type { Host, TrayActions, TrayRun } from "../../src/host/types.ts";
import { consoleArgv } from "../../src/host/windows_tray.ts";
import { fakeHost } from "../support/fake_core.ts";

/** A host whose tray records what the core handed it and answers `ran`. */
function recordingHost(ran: boolean, during?: (a: TrayActions, r: TrayRun) => Promise<void>) {
  const seen: { actions?: TrayActions; run?: TrayRun } = {};
  const host: Host = {
    apps: () => Promise.reject(new Error("not used")),
    uninstallFiles: () => Promise.resolve([]),
    diagnose: () => Promise.reject(new Error("not used")),
    runTray: async (actions, run) => {
      seen.actions = actions;
      seen.run = run;
      await during?.(actions, run);
      return ran;
    },
  };
  return { host, seen };
}

Deno.test("tray: the core hands its actions to the host port; a terminal runs `codchi exec <m>`", async () => {
  await using h = await fakeHost();
  await initMachine(h.ctx, {
    name: "a",
    url: "github:acme/dev",
    modulePaths: ["nixosModules.default"],
    input: { dontPrompt: true, build: true },
    runInit: true,
  });
  let listed: unknown;
  const { host, seen } = recordingHost(true, async (actions, run) => {
    listed = await actions.machines();
    await actions.stop("a");
    run.started();
  });
  await runTray({ ...h.ctx, host: () => Promise.resolve(host) });
  deepEqual(listed, [{ name: "a", running: true, status: "UpToDate" }]);
  equal(h.driver.machines.get("a")!.running, false, "stop went to the driver");
  equal(seen.run!.watchDir, h.paths.configDir);
  equal(seen.run!.signal.aborted, false);
  deepEqual(seen.actions!.terminalArgv("a"), ["/opt/codchi/bin/codchi", "exec", "a"]);
  ok(h.reporter.steps.includes("The codchi tray is running (quit it from its menu)."));
});

Deno.test("tray: a host that reports a running tray is a ConflictError; failures are warnings", async () => {
  await using h = await fakeHost();
  const { host } = recordingHost(false, (_a, run) => {
    run.report("rebuild failed");
    return Promise.resolve();
  });
  await rejects(runTray({ ...h.ctx, host: () => Promise.resolve(host) }), ConflictError);
  deepEqual(h.reporter.warnings, ["rebuild failed"]);
  equal(h.reporter.steps.length, 0, "nothing said the tray runs");
});

Deno.test("tray actions: no machines, no driver call", async () => {
  await using h = await fakeHost();
  deepEqual(await trayActions(h.ctx).machines(), []);
  deepEqual(h.driver.calls, []);
});

Deno.test("windows tray: a terminal is a new console window running the argv as given", () => {
  deepEqual(consoleArgv(["C:\\codchi\\codchi.exe", "exec", "my app"]), [
    "cmd.exe",
    "/c",
    "start",
    "",
    "C:\\codchi\\codchi.exe",
    "exec",
    "my app",
  ]);
});

Deno.test("tray switches: LXD has its autostart only; on WSL read fresh from config.json and flipped there", async () => {
  await using lxd = await fakeHost();
  // (fakeHost's config turns autostart off, but the tray reads config.json: absent = default on.)
  deepEqual(await trayActions(lxd.ctx).settings!(), { autostart: true });

  await using h = await fakeHost({ driver: { name: "wsl" } });
  let applied = 0;
  let reloaded = 0;
  h.driver.store.applyHostFiles = () => (applied++, Promise.resolve(true));
  const actions = trayActions({ ...h.ctx, reload: () => void reloaded++ });
  deepEqual(await actions.settings!(), { vcxsrv: true, vpnkit: false, autostart: true });
  // Edited by hand while the tray runs: the next refresh shows it.
  await Deno.mkdir(h.paths.configDir, { recursive: true });
  await Deno.writeTextFile(h.paths.configFile, JSON.stringify({ windows: { vpnkit: true } }));
  deepEqual(await actions.settings!(), { vcxsrv: true, vpnkit: true, autostart: true });
  // The tray flips VcXsrv: written (the user's key kept), nothing to apply until the next exec.
  await actions.setSetting!("vcxsrv", false);
  deepEqual(JSON.parse(await Deno.readTextFile(h.paths.configFile)), {
    windows: { vpnkit: true, vcxsrv: { enable: false } },
  });
  equal(applied, 0);
  equal(reloaded, 1, "the process reads config.json again");
  // wsl-vpnkit: written, and the running store takes it now.
  await actions.setSetting!("vpnkit", false);
  equal(JSON.parse(await Deno.readTextFile(h.paths.configFile)).windows.vpnkit, false);
  equal(applied, 1);
  deepEqual(await actions.settings!(), { vcxsrv: false, vpnkit: false, autostart: true });
});

Deno.test("tray switch 'Start the tray at login': config.json and the real XDG autostart entry", async () => {
  await using h = await fakeHost();
  const actions = trayActions(h.ctx);
  const entry = `${h.paths.autostartDir}/codchi-tray.desktop`;
  const exists = () => Deno.stat(entry).then(() => true, () => false);
  await actions.setSetting!("autostart", true);
  equal(JSON.parse(await Deno.readTextFile(h.paths.configFile)).tray.autostart, true);
  ok(await exists(), "the login entry is written at once");
  ok((await Deno.readTextFile(entry)).includes("tray"), "it starts the tray");
  deepEqual(await actions.settings!(), { autostart: true });
  await actions.setSetting!("autostart", false);
  equal(await exists(), false, "and removed at once");
  deepEqual(await actions.settings!(), { autostart: false });
});
