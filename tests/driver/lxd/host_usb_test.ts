/**
 * The LXD driver lists the host's USB devices through what it is handed (the host port's
 * `usbDevices`, wired in cli/context.ts), not from sysfs itself; without it, it lists none.
 */
import assert from "node:assert/strict";
import { computePaths } from "../../../src/config/paths.ts";
import { LxdDriver } from "../../../src/driver/lxd/mod.ts";
import { output, scriptedRunner } from "../../support/scripted_runner.ts";

const paths = computePaths("linux", { HOME: "/home/u" });
const KEYBOARD = { id: "046d:c52b", bus: "1-2", name: "Logitech Unifying Receiver" };

Deno.test("usb.list: the injected host listing, with no lxc call; none without it", async () => {
  const runner = scriptedRunner(() => output(0, "[]"));
  let asked = 0;
  const d = new LxdDriver({
    paths,
    runner,
    binary: "lxc",
    env: {},
    hostUsb: () => (asked++, Promise.resolve([KEYBOARD])),
  });
  assert.deepEqual(await d.usb.list(), [KEYBOARD]);
  assert.equal(asked, 1);
  assert.deepEqual(runner.calls, []);
  const bare = new LxdDriver({ paths, runner, binary: "lxc", env: {} });
  assert.deepEqual(await bare.usb.list(), []);
  assert.deepEqual(runner.calls, []);
});
