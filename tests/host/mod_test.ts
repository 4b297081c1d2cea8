/**
 * The host port's USB listing: the Linux host reads sysfs (host/linux/usb_sysfs.ts) on first use;
 * the Windows host has none (its driver asks usbipd-win itself).
 */
import assert from "node:assert/strict";
import { computePaths } from "../../src/config/paths.ts";
import { createHost } from "../../src/host/mod.ts";
import { listSysfsUsb } from "../../src/host/linux/usb_sysfs.ts";
import { ProcessRunner } from "../../src/process.ts";

const reporter = { step() {}, progress() {}, debug() {}, warn() {} };

/** The Linux host for `env` (its paths from the same env). */
const linuxHost = (env: Record<string, string>) =>
  createHost({
    paths: computePaths("linux", env),
    env,
    reporter,
    runner: new ProcessRunner(false),
  });

/** A Windows host (paths only; nothing of it runs here). */
const windowsHost = () =>
  createHost({
    paths: computePaths("windows", { USERPROFILE: "C:\\Users\\u", LOCALAPPDATA: "C:\\x" }),
    env: {},
    reporter,
    runner: new ProcessRunner(false),
  });

Deno.test("host port: Linux lists the USB devices sysfs has; Windows lists none itself", async () => {
  const env = { HOME: "/home/u" };
  const linux = linuxHost(env);
  assert.ok(linux.usbDevices, "the Linux host lists USB devices");
  assert.deepEqual(await linux.usbDevices(), await listSysfsUsb());
  const windows = windowsHost();
  assert.equal(windows.usbDevices, undefined);
});

Deno.test("host port: the Linux session's hooks read the env it was made with; Windows has none", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A PulseAudio socket and cookie of the host session: the hooks find both through `env`.
    const sock = `${dir}/pulse/native`;
    await Deno.mkdir(`${dir}/pulse`);
    const listener = Deno.listen({ transport: "unix", path: sock });
    await Deno.writeFile(`${dir}/cookie`, new Uint8Array(256).fill(7));
    try {
      const env = { HOME: dir, PULSE_SERVER: `unix:${sock}`, PULSE_COOKIE: `${dir}/cookie` };
      const linux = linuxHost(env);
      const hooks = await linux.session!();
      const devices = hooks.devices("m");
      const pulse = Object.values(devices.devices).find((d) => d.connect === `unix:${sock}`);
      assert.ok(pulse, JSON.stringify(devices));
      const files = await hooks.files("m");
      const cookie = files.find((f) => f.data.length === 256);
      assert.ok(cookie && cookie.mode === 0o600, files.map((f) => f.path).join(", "));
      // Nothing of the session without one.
      const bare = await linuxHost({ HOME: dir, XDG_RUNTIME_DIR: `${dir}/none` }).session!();
      // (a GPU device where the host has /dev/dri; no socket proxies)
      const proxies = Object.values(bare.devices("m").devices).filter((d) => d.type === "proxy");
      assert.deepEqual(proxies, []);
      assert.deepEqual(await bare.files("m"), []);
    } finally {
      listener.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const windows = windowsHost();
  assert.equal(windows.session, undefined);
});
