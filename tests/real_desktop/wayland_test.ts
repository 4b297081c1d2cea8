/**
 * A real headless weston: guiDevices proposes a proxy for its socket, and a client given the
 * machine-style WAYLAND_DISPLAY (an absolute socket path, outside XDG_RUNTIME_DIR) lists the
 * compositor's globals.
 */
import assert from "node:assert/strict";
import { guiDevices, hostExists, hostGuiEnv } from "../../src/host/linux/devices.ts";
import { Background, have, sh, waitFor } from "./helpers.ts";

Deno.test("weston's socket becomes a proxy device and an absolute WAYLAND_DISPLAY reaches it", async () => {
  if (!have("weston") || !have("wayland-info")) {
    return console.warn("weston/wayland-info missing: skipped");
  }
  const dir = await Deno.makeTempDir({ prefix: "codchi-wl-" });
  await Deno.chmod(dir, 0o700);
  const name = `wayland-codchi-${Deno.pid}`;
  // No desktop shell and no input method: weston then starts no helper clients of its own.
  await Deno.writeTextFile(
    `${dir}/weston.ini`,
    "[core]\nshell=fullscreen-shell.so\nidle-time=0\n[input-method]\npath=\n",
  );
  const weston = new Background(
    ["weston", `--config=${dir}/weston.ini`, "--backend=headless-backend.so", `--socket=${name}`],
    { XDG_RUNTIME_DIR: dir, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
  );
  try {
    const socket = `${dir}/${name}`;
    assert.ok(await waitFor(() => hostExists()(socket), 15000), "weston did not create its socket");
    const r = guiDevices(
      hostGuiEnv({ WAYLAND_DISPLAY: name, XDG_RUNTIME_DIR: dir }, 1000, 1000),
      hostExists(),
    );
    assert.equal(r.devices["codchi-wayland"]?.connect, `unix:${socket}`);
    assert.equal(r.env.WAYLAND_DISPLAY, "/mnt/codchi/wayland-0");
    // In the machine WAYLAND_DISPLAY is an absolute path and XDG_RUNTIME_DIR is elsewhere.
    const other = await Deno.makeTempDir({ prefix: "codchi-wl-client-" });
    try {
      const info = await sh(["wayland-info"], {
        env: { WAYLAND_DISPLAY: socket, XDG_RUNTIME_DIR: other },
      });
      assert.equal(info.code, 0, info.stderr);
      assert.match(info.stdout, /wl_compositor/);
    } finally {
      await Deno.remove(other, { recursive: true });
    }
  } finally {
    await weston.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
