import { equal, ok } from "node:assert/strict";
import { computePaths } from "../../src/config/paths.ts";
import { linuxHostApps } from "../../src/host/linux_apps.ts";
import { AUTOSTART_FILE } from "../../src/host/linux/autostart.ts";

const quiet = { step() {}, progress() {}, debug() {}, warn() {} };

async function exists(p: string): Promise<boolean> {
  try {
    await Deno.stat(p);
    return true;
  } catch {
    return false;
  }
}

Deno.test("a build's export writes the tray's autostart entry when tray.autostart is on, and removes it when off", async () => {
  const home = await Deno.makeTempDir();
  const apps = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${apps}/applications`);
    const paths = computePaths("linux", { HOME: home, PATH: "/usr/bin:/bin" });
    const entry = `${paths.autostartDir}/${AUTOSTART_FILE}`;
    await linuxHostApps(paths, quiet, { trayAutostart: true }).export("m", apps, [
      "/opt/codchi/codchi",
    ]);
    const text = await Deno.readTextFile(entry);
    ok(text.includes("/opt/codchi/codchi tray"), text);
    const v = await new Deno.Command("desktop-file-validate", { args: [entry] }).output();
    equal(v.code, 0, new TextDecoder().decode(v.stdout) + new TextDecoder().decode(v.stderr));
    await linuxHostApps(paths, quiet, { trayAutostart: false }).export("m", apps, [
      "/opt/codchi/codchi",
    ]);
    equal(await exists(entry), false);
  } finally {
    await Deno.remove(home, { recursive: true });
    await Deno.remove(apps, { recursive: true });
  }
});
