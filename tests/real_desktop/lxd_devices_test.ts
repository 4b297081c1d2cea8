/**
 * The device specs of guiDevices are accepted by the real LXD/Incus (validated on an empty,
 * never-started instance that is deleted again). Ignored (a reported skip) where no working
 * `lxc`/`incus` exists.
 */
import assert from "node:assert/strict";
import { guiDevices, hostGuiEnv } from "../../src/host/linux/devices.ts";
import { have, sh } from "./helpers.ts";

const candidate = have("lxc") ? "lxc" : have("incus") ? "incus" : undefined;
/** The working client, or undefined: then the test is reported as skipped (not passed). */
const bin = candidate && (await sh([candidate, "info"])).code === 0 ? candidate : undefined;

Deno.test({
  name: "LXD accepts every device guiDevices produces",
  ignore: bin === undefined,
}, async () => {
  if (!bin) return;
  const { devices } = guiDevices(
    hostGuiEnv(
      { DISPLAY: ":1", WAYLAND_DISPLAY: "wayland-0", XDG_RUNTIME_DIR: "/run/user/1000" },
      1000,
      1000,
    ),
    () => true,
  );
  assert.equal(Object.keys(devices).length, 4);
  // Not a codchi- name, so concurrent driver tests never take it for a machine.
  const name = `hostcheck-${Deno.pid}`;
  const init = await sh([bin, "init", "--empty", name, "-q"]);
  assert.equal(init.code, 0, init.stderr);
  try {
    for (const [dev, cfg] of Object.entries(devices)) {
      const { type, ...rest } = cfg;
      const r = await sh([
        bin,
        "config",
        "device",
        "add",
        name,
        dev,
        type,
        ...Object.entries(rest).map(([k, v]) => `${k}=${v}`),
        "-q",
      ]);
      assert.equal(r.code, 0, `${dev}: ${r.stderr}`);
    }
    const shown = await sh([bin, "config", "device", "show", name]);
    for (const dev of Object.keys(devices)) assert.match(shown.stdout, new RegExp(`^${dev}:`, "m"));
  } finally {
    await sh([bin, "delete", name, "-q"]);
  }
});
