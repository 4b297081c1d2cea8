/**
 * The tray on Windows outside the tray itself: its Startup shortcut written at export (init,
 * rebuild) when `tray.autostart` is on, removed when off and by uninstall's target list, and a
 * CLI call starting it only when none runs (real processes, real session-wide lock).
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { win32 } from "node:path";
import { computePaths } from "../../src/config/paths.ts";
import { knownFolder, knownFolderEnv } from "../../src/host/windows/ffi/known_folders.ts";
import { readShortcut } from "../../src/host/windows/ffi/shell_link.ts";
import {
  applyTrayAutostart,
  windowsHostApps,
  type WindowsHostContext,
} from "../../src/host/windows/mod.ts";
import { stableLauncher } from "../../src/host/windows/launcher.ts";
import { TRAY_AUTOSTART_FILE, trayAutostartPath } from "../../src/host/windows/autostart.ts";
import { ensureTray, trayArgv, trayRunning } from "../../src/host/windows/tray_start.ts";
import { ProcessRunner } from "../../src/process.ts";

const folders = knownFolderEnv();

async function exists(p: string) {
  return await Deno.stat(p).then(() => true, () => false);
}

Deno.test("tray.autostart: a Startup shortcut runs codchiw.exe tray; off or uninstall removes it", async () => {
  const startup = await Deno.makeTempDir({ prefix: "codchi-startup-" });
  try {
    const ctx: WindowsHostContext = {
      paths: computePaths("windows", { ...Deno.env.toObject(), ...folders }),
      programsDir: knownFolder("Programs"),
      launcher: stableLauncher(
        win32.join(folders.LOCALAPPDATA, "codchi", "bin", "codchi.exe"),
        folders.LOCALAPPDATA,
      ),
      env: folders,
      workingDir: folders.USERPROFILE,
    };
    const path = await applyTrayAutostart(ctx, startup, true);
    equal(path, win32.join(startup, TRAY_AUTOSTART_FILE));
    // Read back by the shell's own IShellLinkW.
    const lnk = readShortcut(path);
    equal(lnk.path.toLowerCase(), ctx.launcher.codchiw.toLowerCase());
    equal(lnk.arguments, "tray");
    equal(lnk.workingDir, folders.USERPROFILE);
    await applyTrayAutostart(ctx, startup, true); // idempotent
    equal(await applyTrayAutostart(ctx, startup, false), path);
    equal(await exists(path), false, "autostart off removes the shortcut");
    equal(await exists(startup), true, "but never the Startup folder");
    await applyTrayAutostart(ctx, startup, false); // nothing to remove: no error
  } finally {
    await Deno.remove(startup, { recursive: true });
  }
  // uninstall removes the shortcut in the real Startup folder (src/host/mod.ts trayAutostartFile;
  // the core's list is unit-tested in tests/core/uninstall_targets_test.ts).
  equal(
    trayAutostartPath(knownFolder("Startup")).toLowerCase(),
    win32.join(
      folders.APPDATA,
      "Microsoft",
      "Windows",
      "Start Menu",
      "Programs",
      "Startup",
      TRAY_AUTOSTART_FILE,
    )
      .toLowerCase(),
  );
});

Deno.test("a CLI call starts the tray only when none runs: one instance", async () => {
  const lockName = `codchi-tray-start-${Deno.pid}`;
  const dir = await Deno.makeTempDir();
  const stop = win32.join(dir, "stop");
  const started = win32.join(dir, "started");
  // A stand-in tray: takes the tray lock (the real mutex module) and holds it until told to stop.
  const mod = new URL("../../src/host/windows/ffi/mutex.ts", import.meta.url).href;
  const code = `const m = await import(${JSON.stringify(mod)});` +
    `const l = m.acquireInstanceLock(${JSON.stringify(lockName)});` +
    `await Deno.writeTextFile(${
      JSON.stringify(started)
    }, Deno.args.join(" ") + (l ? " held" : " busy"));` +
    `while (l) { try { Deno.statSync(${
      JSON.stringify(stop)
    }); break; } catch { await new Promise((r) => setTimeout(r, 50)); } }` +
    `l?.release();`;
  const launcher = {
    codchi: Deno.execPath(),
    codchiw: Deno.execPath(),
    prefixArgs: ["eval", code],
  };
  deepEqual(trayArgv(launcher).slice(-1), ["tray"]);
  const runner = new ProcessRunner();
  const spawned: string[][] = [];
  const spawnDetached = (argv: string[]) => (spawned.push(argv), runner.spawnDetached(argv));
  try {
    equal(trayRunning(lockName), false);
    equal(await ensureTray({ launcher, spawnDetached, lockName }), true, "started");
    // The stand-in writes its file once it holds the lock.
    for (let i = 0; i < 600 && !(await Deno.stat(started).then(() => true, () => false)); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    equal(trayRunning(lockName), true, "the started tray holds the lock");
    equal(await Deno.readTextFile(started), "tray held");
    equal(await ensureTray({ launcher, spawnDetached, lockName }), false, "not started twice");
    equal(spawned.length, 1);
  } finally {
    await Deno.writeTextFile(stop, "");
    for (let i = 0; i < 200 && trayRunning(lockName); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  equal(trayRunning(lockName), false, "free again once the tray ended");
  for (let i = 0;; i++) {
    try {
      await Deno.remove(dir, { recursive: true });
      break;
    } catch (e) {
      if (i >= 50) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});

Deno.test("the tray's autostart switch: HostApps.trayAutostart writes and removes the real Startup shortcut", async () => {
  const path = trayAutostartPath(knownFolder("Startup"));
  const before = await Deno.readFile(path).catch(() => undefined);
  const apps = windowsHostApps(computePaths("windows", { ...Deno.env.toObject(), ...folders }));
  const exe = win32.join(folders.LOCALAPPDATA, "codchi", "bin", "codchi.exe");
  try {
    await apps.trayAutostart!(true, [exe]);
    const lnk = readShortcut(path);
    equal(lnk.arguments, "tray");
    ok(lnk.path.toLowerCase().endsWith("codchiw.exe"), lnk.path);
    await apps.trayAutostart!(false, [exe]);
    equal(await exists(path), false, "off removes it at once");
  } finally {
    if (before) await Deno.writeFile(path, before);
    else await Deno.remove(path).catch(() => {});
  }
});
