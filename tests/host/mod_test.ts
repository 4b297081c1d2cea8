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

Deno.test("host port: Linux lists the USB devices sysfs has; Windows lists none itself", async () => {
  const env = { HOME: "/home/u" };
  const linux = createHost({
    paths: computePaths("linux", env),
    env,
    reporter,
    runner: new ProcessRunner(false),
  });
  assert.ok(linux.usbDevices, "the Linux host lists USB devices");
  assert.deepEqual(await linux.usbDevices(), await listSysfsUsb());
  const windows = createHost({
    paths: computePaths("windows", { USERPROFILE: "C:\\Users\\u", LOCALAPPDATA: "C:\\x" }),
    env: {},
    reporter,
    runner: new ProcessRunner(false),
  });
  assert.equal(windows.usbDevices, undefined);
});
