import assert from "node:assert/strict";
import {
  diffDevices,
  guiDevices,
  hostGuiEnv,
  localDisplayNumber,
  parseProcNetUnix,
  pulseSocketPath,
} from "../../../src/host/linux/devices.ts";

const env = hostGuiEnv(
  {
    DISPLAY: ":1",
    WAYLAND_DISPLAY: "wayland-0",
    XDG_RUNTIME_DIR: "/run/user/1000",
  },
  1000,
  1000,
);
const existsOf = (...paths: string[]) => (p: string) => paths.includes(p);

Deno.test("everything present: X11, Wayland, Pulse, GPU", () => {
  const r = guiDevices(
    env,
    existsOf(
      "@/tmp/.X11-unix/X1",
      "/run/user/1000/wayland-0",
      "/run/user/1000/pulse/native",
      "/dev/dri",
    ),
  );
  assert.deepEqual(r.devices["codchi-x11"], {
    type: "proxy",
    bind: "instance",
    connect: "unix:@/tmp/.X11-unix/X1",
    listen: "unix:@/tmp/.X11-unix/X0",
    "security.uid": "1000",
    "security.gid": "1000",
  });
  assert.equal(r.devices["codchi-wayland"].connect, "unix:/run/user/1000/wayland-0");
  assert.equal(r.devices["codchi-wayland"].listen, "unix:/mnt/codchi/wayland-0");
  assert.equal(r.devices["codchi-wayland"].uid, "1000");
  assert.equal(r.devices["codchi-pulse"].listen, "unix:/mnt/codchi/pulse-native");
  assert.deepEqual(r.devices["codchi-gpu"], { type: "gpu", gid: "100", mode: "0660" });
  assert.deepEqual(r.env, {
    DISPLAY: ":0",
    XAUTHORITY: "/mnt/codchi/Xauthority",
    WAYLAND_DISPLAY: "/mnt/codchi/wayland-0",
    PULSE_SERVER: "unix:/mnt/codchi/pulse-native",
    PULSE_CLIENTCONFIG: "/mnt/codchi/pulse-client.conf",
  });
  // Never a bind mount of the host's /tmp/.X11-unix, never a listen socket under /tmp or /run.
  for (const d of Object.values(r.devices)) {
    assert.notEqual(d.type, "disk");
    assert.doesNotMatch(d.listen ?? "", /^unix:\/(tmp|run)\//);
  }
});

Deno.test("only devices whose host side exists", () => {
  assert.deepEqual(guiDevices(env, existsOf()), { devices: {}, env: {} });
  const pathOnly = guiDevices(env, existsOf("/tmp/.X11-unix/X1"));
  assert.equal(pathOnly.devices["codchi-x11"].connect, "unix:/tmp/.X11-unix/X1");
  assert.deepEqual(Object.keys(pathOnly.devices), ["codchi-x11"]);
  const nv = guiDevices(env, existsOf("/dev/nvidiactl"));
  assert.deepEqual(Object.keys(nv.devices), ["codchi-gpu"]);
  const remote = guiDevices({ ...env, DISPLAY: "localhost:10.0" }, () => true);
  assert.equal(remote.devices["codchi-x11"], undefined);
});

Deno.test("display numbers and pulse servers", () => {
  assert.equal(localDisplayNumber(":0"), 0);
  assert.equal(localDisplayNumber(":12.0"), 12);
  assert.equal(localDisplayNumber("unix:3"), 3);
  assert.equal(localDisplayNumber("host:0"), undefined);
  assert.equal(localDisplayNumber(undefined), undefined);
  assert.equal(pulseSocketPath({ ...env, PULSE_SERVER: "tcp:x unix:/p/s" }), "/p/s");
  assert.equal(pulseSocketPath({ ...env, PULSE_SERVER: "tcp:host" }), undefined);
  assert.equal(pulseSocketPath(env), "/run/user/1000/pulse/native");
  const abs = guiDevices({ ...env, WAYLAND_DISPLAY: "/abs/wl" }, existsOf("/abs/wl"));
  assert.equal(abs.devices["codchi-wayland"].connect, "unix:/abs/wl");
});

Deno.test("diffDevices touches only codchi devices", () => {
  const current = {
    "codchi-x11": { type: "proxy", connect: "unix:@/tmp/.X11-unix/X0" },
    "codchi-pulse": { type: "proxy" },
    home: { type: "disk" },
  };
  const wanted = {
    "codchi-x11": { type: "proxy", connect: "unix:@/tmp/.X11-unix/X1" },
    "codchi-gpu": { type: "gpu" },
  };
  assert.deepEqual(diffDevices(current, wanted), {
    add: ["codchi-gpu"],
    remove: ["codchi-pulse"],
    replace: ["codchi-x11"],
  });
});

Deno.test("parseProcNetUnix lists bound sockets", () => {
  const text = "Num       RefCount Protocol Flags    Type St Inode Path\n" +
    "0000000000000000: 00000002 00000000 00010000 0001 01 12345 @/tmp/.X11-unix/X5\n" +
    "0000000000000000: 00000002 00000000 00010000 0001 01 12346 /tmp/.X11-unix/X5\n" +
    "0000000000000000: 00000002 00000000 00010000 0001 01 12347\n";
  assert.deepEqual([...parseProcNetUnix(text)], ["@/tmp/.X11-unix/X5", "/tmp/.X11-unix/X5"]);
});
