/** USB ids, the host's devices (sysfs, usbipd state), the LXD device plan and the machine list. */
import { deepEqual, equal, throws } from "node:assert/strict";
import { isUsbId, parseUsbId, resolveUsbDevice } from "../../src/usb/id.ts";
import { deviceFromSysfs, listSysfsUsb } from "../../src/host/linux/usb_sysfs.ts";
import {
  idFromInstanceId,
  parseUsbipdDevices,
  parseUsbipdState,
  usbipdAttachArgv,
  usbipdBindArgv,
  usbipdBindHint,
  usbipdDetachArgv,
  usbipdPlan,
} from "../../src/host/windows/usbipd.ts";
import { usbDeviceSpec, usbPlan } from "../../src/driver/lxd/usb.ts";
import { changeUsbList } from "../../src/core/usb.ts";
import { ToolError, UsageError } from "../../src/errors.ts";

Deno.test("usb id: vvvv:pppp, normalised to lowercase; anything else is a usage error", () => {
  equal(parseUsbId("046D:C52B"), "046d:c52b");
  equal(parseUsbId(" 1d6b:0002 "), "1d6b:0002");
  for (
    const bad of ["", "46d:c52b", "046d:c52bb", "046d-c52b", "zzzz:0000", "046d:c52b;rm", "1-2"]
  ) {
    throws(() => parseUsbId(bad), UsageError, bad);
    equal(isUsbId(bad), false);
  }
});

Deno.test("usb device argument: an id as it is, a bus id from the host's list, else an error", () => {
  const host = [{ id: "046d:c52b", bus: "1-2", name: "Logitech" }, {
    id: "0bda:8153",
    bus: "",
    name: "unplugged",
  }];
  equal(resolveUsbDevice("1-2", host), "046d:c52b");
  equal(resolveUsbDevice("ABCD:0001", host), "abcd:0001"); // need not be plugged in
  throws(() => resolveUsbDevice("3-4", host), UsageError);
  throws(() => resolveUsbDevice("", host), UsageError); // never matches an unplugged device
});

Deno.test("sysfs: devices with ids, not interfaces or hubs; names from the strings", () => {
  deepEqual(
    deviceFromSysfs("1-2", {
      idVendor: "046d\n",
      idProduct: "C52B\n",
      manufacturer: "Logitech\n",
      product: "USB Receiver\n",
      bDeviceClass: "00\n",
    }),
    { id: "046d:c52b", bus: "1-2", name: "Logitech USB Receiver" },
  );
  equal(deviceFromSysfs("1-2:1.0", { bDeviceClass: "00" }), undefined);
  equal(
    deviceFromSysfs("usb1", { idVendor: "1d6b", idProduct: "0002", bDeviceClass: "09" }),
    undefined,
  );
  equal(deviceFromSysfs("1-3", { idVendor: "xyz", idProduct: "0002" }), undefined);
});

Deno.test("sysfs: a tree in the kernel's layout is listed in bus order; no sysfs, no devices", async () => {
  const root = await Deno.makeTempDir();
  try {
    const dev = async (name: string, attrs: Record<string, string>) => {
      await Deno.mkdir(`${root}/${name}`);
      for (const [k, v] of Object.entries(attrs)) {
        await Deno.writeTextFile(`${root}/${name}/${k}`, `${v}\n`);
      }
    };
    await dev("usb1", { idVendor: "1d6b", idProduct: "0002", bDeviceClass: "09" });
    await dev("1-10", { idVendor: "0bda", idProduct: "8153", product: "GbE", bDeviceClass: "00" });
    await dev("1-2", { idVendor: "046d", idProduct: "c52b", bDeviceClass: "00" });
    await dev("1-2:1.0", { bInterfaceClass: "03" });
    deepEqual(await listSysfsUsb(root), [
      { id: "046d:c52b", bus: "1-2", name: "" },
      { id: "0bda:8153", bus: "1-10", name: "GbE" },
    ]);
    deepEqual(await listSysfsUsb(`${root}/absent`), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("usbipd: state JSON (usbipd-win's Automation format) and argv", () => {
  const state = JSON.stringify({
    Devices: [
      {
        BusId: "1-42",
        ClientIPAddress: "172.20.0.2",
        Description: "USB Input Device",
        InstanceId: "USB\\VID_046D&PID_C52B\\5&1A2B",
        IsForced: false,
        PersistedGuid: "ad9d8376-6284-495e-a80b-ff1826d7447d",
        StubInstanceId: null,
      },
      {
        BusId: null,
        ClientIPAddress: null,
        Description: "Persisted, unplugged",
        InstanceId: "USB\\VID_0BDA&PID_8153\\000001",
        IsForced: false,
        PersistedGuid: "ad9d8376-6284-495e-a80b-ff1826d7447e",
        StubInstanceId: null,
      },
      { BusId: "2-1", ClientIPAddress: null, Description: "odd", InstanceId: "ROOT\\HUB" },
    ],
  });
  deepEqual(parseUsbipdState(state), [
    { id: "046d:c52b", bus: "1-42", name: "USB Input Device", attached: true },
    { id: "0bda:8153", bus: "", name: "Persisted, unplugged", attached: false },
  ]);
  equal(idFromInstanceId("usb\\vid_abcd&pid_00ef"), "abcd:00ef");
  for (const bad of ["{}", "not json", "null", '{"Devices":1}']) {
    throws(() => parseUsbipdState(bad), (e) => e instanceof ToolError && e.exitCode === 6, bad);
  }
  deepEqual(usbipdBindArgv("046d:c52b"), ["usbipd.exe", "bind", "--hardware-id", "046d:c52b"]);
  deepEqual(usbipdAttachArgv("046d:c52b"), [
    "usbipd.exe",
    "attach",
    "--wsl",
    "--hardware-id",
    "046d:c52b",
  ]); // one-shot: --auto-attach would keep usbipd running
  deepEqual(usbipdDetachArgv("046d:c52b"), ["usbipd.exe", "detach", "--hardware-id", "046d:c52b"]);
});

Deno.test("lxd usb plan: adds the missing, removes the unwanted, leaves other devices alone", () => {
  deepEqual(usbDeviceSpec("046d:c52b"), {
    name: "usb-046d-c52b",
    type: "usb",
    options: { vendorid: "046d", productid: "c52b" },
  });
  const devices = {
    "usb-046d-c52b": { type: "usb", vendorid: "046d", productid: "c52b" },
    "usb-1111-2222": { type: "usb", vendorid: "1111", productid: "2222" },
    "usb-3333-4444": { type: "usb", vendorid: "3333", productid: "9999" }, // edited by hand
    "codchi-x11": { type: "proxy" },
    "usb-disk": { type: "disk", source: "/x", path: "/y" }, // not ours: not a usb device
  };
  const plan = usbPlan(["046d:c52b", "3333:4444", "5555:6666"], devices);
  deepEqual(plan.remove, ["usb-1111-2222", "usb-3333-4444"]);
  deepEqual(plan.add.map((d) => d.name), ["usb-3333-4444", "usb-5555-6666"]);
  deepEqual(usbPlan([], {}), { add: [], remove: [] });
  deepEqual(usbPlan(["046d:c52b"], { "usb-046d-c52b": devices["usb-046d-c52b"] }), {
    add: [],
    remove: [],
  });
});

Deno.test("machine usb list: attach appends once, detach removes", () => {
  deepEqual(changeUsbList([], "046d:c52b", "attach"), ["046d:c52b"]);
  deepEqual(changeUsbList(["046d:c52b"], "046d:c52b", "attach"), ["046d:c52b"]);
  deepEqual(changeUsbList(["a", "046d:c52b"], "046d:c52b", "detach"), ["a"]);
  deepEqual(changeUsbList([], "046d:c52b", "detach"), []);
});

Deno.test("usbipd plan: binds the unshared, attaches the detached, detaches only the removed", () => {
  const dev = (id: string, bus: string, shared: boolean, attached: boolean) => ({
    id,
    bus,
    name: id,
    shared,
    attached,
  });
  const devices = [
    dev("046d:c52b", "1-2", true, false), // shared, not attached
    dev("0bda:8153", "1-3", false, false), // never shared
    dev("1050:0407", "1-4", true, true), // attached (this machine or another distro)
    dev("abcd:0001", "", true, false), // persisted, unplugged
    dev("2222:0002", "1-5", true, true), // attached, not codchi's to touch
  ];
  deepEqual(
    usbipdPlan(["046d:c52b", "0bda:8153", "1050:0407", "abcd:0001", "ffff:0000"], [], devices),
    {
      detach: [],
      bind: ["0bda:8153"],
      attach: ["046d:c52b", "0bda:8153"],
      absent: ["abcd:0001", "ffff:0000"],
    },
  );
  // Detach: only the removed id, when it is attached; other attachments stay.
  deepEqual(usbipdPlan([], ["1050:0407"], devices), {
    detach: ["1050:0407"],
    bind: [],
    attach: [],
    absent: [],
  });
  deepEqual(usbipdPlan([], ["046d:c52b"], devices).detach, []); // not attached: nothing to do
  // Removed but still wanted (attach again after detach in one list): kept.
  deepEqual(usbipdPlan(["1050:0407"], ["1050:0407"], devices).detach, []);
  equal(usbipdBindHint("0bda:8153"), "usbipd bind --hardware-id 0bda:8153");
});

Deno.test("usbipd: the shared flag is PersistedGuid", () => {
  const state = JSON.stringify({
    Devices: [
      {
        BusId: "1-1",
        ClientIPAddress: null,
        Description: "a",
        InstanceId: "USB\\VID_0001&PID_0002\\x",
        PersistedGuid: null,
      },
      {
        BusId: "1-2",
        ClientIPAddress: null,
        Description: "b",
        InstanceId: "USB\\VID_0003&PID_0004\\y",
        PersistedGuid: "ad9d8376-6284-495e-a80b-ff1826d7447d",
      },
    ],
  });
  deepEqual(parseUsbipdDevices(state).map((d) => [d.id, d.shared]), [
    ["0001:0002", false],
    ["0003:0004", true],
  ]);
});
