/**
 * The session hook against the real LXD: a host Xvfb reaches the machine through the X11 proxy
 * device added at start (abstract socket, display :0 inside).
 */
import { equal, match, ok } from "node:assert/strict";
import { hostSessionDevices } from "../../src/host/linux/session_files.ts";
import { cleanUp, freshHost, lxc, removeLeftovers, testbedReady } from "./helpers.ts";

const hasXvfb = (() => {
  try {
    return Deno.statSync("/usr/bin/Xvfb").isFile;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "lxd: the host's X display reaches the machine through a proxy device",
  ignore: !testbedReady() || !hasXvfb,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await removeLeftovers();
    const display = ":57";
    const xvfb = new Deno.Command("Xvfb", {
      args: [display, "-nolisten", "tcp", "-screen", "0", "640x480x24"],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const env = { DISPLAY: display };
    const { home, driver } = await freshHost({
      sessionDevices: hostSessionDevices(env, { uid: Deno.uid()!, gid: Deno.gid()! }),
    });
    try {
      for (let i = 0; i < 50 && !abstractSocket("@/tmp/.X11-unix/X57"); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      await driver.install("t-gui");
      await driver.start("t-gui", { envFile: new Uint8Array(), vars: {} });
      const dev = await lxc("config", "device", "get", "codchi-t-gui", "codchi-x11", "listen");
      equal(dev.text.trim(), "unix:@/tmp/.X11-unix/X0");
      const out = await driver.exec("t-gui", ["sh", "-c", 'echo "DISPLAY=$DISPLAY"; xdpyinfo'], {
        capture: true,
      });
      equal(out.code, 0, out.errText);
      match(out.text, /^DISPLAY=:0$/m);
      match(out.text, /dimensions:\s+640x480 pixels/);
      ok(!out.text.includes("unable to open display"));
    } finally {
      xvfb.kill();
      await xvfb.status;
      await cleanUp(home, ["t-gui"]);
    }
  },
});

function abstractSocket(name: string): boolean {
  return Deno.readTextFileSync("/proc/net/unix").includes(` ${name}`);
}
