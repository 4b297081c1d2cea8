/**
 * USB passthrough on the real engine through the CLI (issue 16 part 4): `usb attach` puts a `usb`
 * device (vendor/product id) on the running instance and into machine.json, a start re-applies
 * the list (also after the device was removed behind codchi's back), `usb detach` takes it away.
 * No USB hardware is needed: the engine holds the device entry and hotplugs a matching device.
 * Run under `flock /tmp/codchi-lxd.lock` (scripts/test-lxd.sh does): one store per host.
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { makeHome, testbedEnv } from "../support/cli.ts";
import { execIn, haveTestbed, lxc, ok, removeContainers } from "./cli_support.ts";

const bed = testbedEnv();
const M = "usb1";

/** The instance's own usb devices: name → options. */
async function usbDevices(): Promise<Record<string, Record<string, string>>> {
  const out = await lxc("list", "--format", "json", `codchi-${M}`);
  const [me] = JSON.parse(out.text) as { devices: Record<string, Record<string, string>> }[];
  return Object.fromEntries(Object.entries(me.devices).filter(([, d]) => d.type === "usb"));
}

Deno.test({
  name: "usb: attach, re-applied at start, detach — on the instance and in machine.json",
  ignore: !haveTestbed(bed),
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  await removeContainers(M);
  const home = await makeHome(bed);
  const machineJson = () =>
    Deno.readTextFile(`${home.configDir}/machines/${M}/machine.json`).then(JSON.parse);
  try {
    await ok(home, ["init", M]);

    await t.step("a bad id is refused before anything changes", async () => {
      const res = await home.run(["usb", "attach", M, "046d:c52b;reboot"]);
      equal(res.code, 2, res.stderr);
      deepEqual(await usbDevices(), {});
      equal((await machineJson()).usb, undefined);
    });

    await t.step("attach on a running machine: device now, and in machine.json", async () => {
      const res = await ok(home, ["--json", "usb", "attach", M, "046D:C52B"]);
      deepEqual(JSON.parse(res.stdout), { machine: M, usb: ["046d:c52b"], applied: true });
      deepEqual(await usbDevices(), {
        "usb-046d-c52b": { type: "usb", vendorid: "046d", productid: "c52b" },
      });
      deepEqual((await machineJson()).usb, ["046d:c52b"]);
    });

    await t.step("a start re-applies the list (device removed behind codchi's back)", async () => {
      equal((await lxc("stop", "--force", `codchi-${M}`)).code, 0);
      equal((await lxc("config", "device", "remove", `codchi-${M}`, "usb-046d-c52b")).code, 0);
      deepEqual(await usbDevices(), {});
      const res = await execIn(home, M, ["true"]);
      equal(res.code, 0, res.stderr);
      deepEqual(Object.keys(await usbDevices()), ["usb-046d-c52b"]);
    });

    await t.step("attach on a stopped machine waits for its start", async () => {
      equal((await lxc("stop", "--force", `codchi-${M}`)).code, 0);
      const res = await ok(home, ["usb", "attach", M, "0bda:8153"]);
      match(res.stdout, /next start/);
      deepEqual(Object.keys(await usbDevices()), ["usb-046d-c52b"]);
      equal((await execIn(home, M, ["true"])).code, 0);
      deepEqual(Object.keys(await usbDevices()).sort(), ["usb-046d-c52b", "usb-0bda-8153"]);
    });

    await t.step("detach takes it from the running instance and machine.json", async () => {
      await ok(home, ["usb", "detach", M, "046d:c52b"]);
      deepEqual(Object.keys(await usbDevices()), ["usb-0bda-8153"]);
      deepEqual((await machineJson()).usb, ["0bda:8153"]);
      await ok(home, ["usb", "detach", M, "0bda:8153"]);
      deepEqual(await usbDevices(), {});
      equal((await machineJson()).usb, undefined);
    });

    await t.step("usb list answers from the host (sysfs), JSON for scripts", async () => {
      const res = await ok(home, ["--json", "usb", "list"]);
      equal(Array.isArray(JSON.parse(res.stdout)), true);
    });
  } finally {
    await removeContainers(M);
    await home.cleanup();
  }
});
