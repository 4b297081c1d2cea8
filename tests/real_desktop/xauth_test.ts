/**
 * A real Xvfb that requires authorisation: the FamilyWild cookie derived by xauth.ts is the only
 * thing that lets a client in. Also checks the abstract-socket detection used by guiDevices.
 */
import assert from "node:assert/strict";
import { guiDevices, hostExists, hostGuiEnv } from "../../src/host/linux/devices.ts";
import {
  machineXauthority,
  parseXauthority,
  serializeXauthority,
  XauthFamily,
} from "../../src/host/linux/xauth.ts";
import { freeDisplay, sh, startAuthXvfb, waitFor } from "./helpers.ts";

/** Starts Xvfb on a free display with a fresh cookie; returns its number, auth file and stopper. */
async function startXvfb(dir: string) {
  const n = freeDisplay(90 + Math.floor(Math.random() * 50));
  const auth = `${dir}/host-${n}.xauth`;
  const { cookie, x } = await startAuthXvfb(n, auth);
  assert.ok(await waitFor(() => hostExists()(`@/tmp/.X11-unix/X${n}`), 5000));
  return { n, auth, cookie, x };
}

const xclient = (tool: string[], display: number, xauthority: string) =>
  sh(tool, { env: { DISPLAY: `:${display}`, XAUTHORITY: xauthority, HOME: "/nonexistent" } });

Deno.test("FamilyWild cookie from the host's Xauthority opens the display, nothing else does", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codchi-xauth-" });
  const { n, auth, cookie, x } = await startXvfb(dir);
  try {
    // Without a cookie the server refuses (it was started with -auth).
    const denied = await xclient(["xdpyinfo"], n, `${dir}/none`);
    assert.notEqual(denied.code, 0, "Xvfb let an unauthorised client in");

    const machineFile = machineXauthority(await Deno.readFile(auth), n, Deno.hostname());
    assert.ok(machineFile, "no cookie found in the host's file");
    const wild = `${dir}/machine.xauth`;
    await Deno.writeFile(wild, machineFile, { mode: 0o600 });

    // The real xauth reads our file as one FamilyWild entry with no display number.
    const nlist = await sh(["xauth", "-f", wild, "nlist"]);
    assert.equal(nlist.code, 0, nlist.stderr);
    const fields = nlist.stdout.trim().split(/\s+/);
    assert.deepEqual(fields.slice(0, 3), ["ffff", "0000", "0000"], nlist.stdout);
    assert.equal(fields.at(-1), cookie);
    assert.equal(nlist.stdout.trim().split("\n").length, 1);

    const ok = await xclient(["xdpyinfo"], n, wild);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`name of display:\\s+:${n}`));
    const root = await xclient(["xwininfo", "-root"], n, wild);
    assert.equal(root.code, 0, root.stderr);
    assert.match(root.stdout, /Width: 320/);

    // A stale cookie (what the machine had before the host's changed) is refused.
    const stale = parseXauthority(machineFile)[0];
    stale.data = stale.data.map((b) => b ^ 0xff);
    await Deno.writeFile(`${dir}/stale.xauth`, serializeXauthority([stale]));
    const refused = await xclient(["xdpyinfo"], n, `${dir}/stale.xauth`);
    assert.notEqual(refused.code, 0);
    assert.equal(stale.family, XauthFamily.wild);
  } finally {
    await x.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("guiDevices sees the running display's abstract socket", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codchi-xdev-" });
  const { n, x } = await startXvfb(dir);
  try {
    const env = hostGuiEnv({ DISPLAY: `:${n}` }, 1000, 1000);
    const r = guiDevices(env, hostExists());
    assert.equal(r.devices["codchi-x11"]?.connect, `unix:@/tmp/.X11-unix/X${n}`);
    assert.equal(r.env.DISPLAY, ":0");
  } finally {
    await x.stop();
    await Deno.remove(dir, { recursive: true });
  }
  // Once the server is gone, the device is no longer proposed.
  const gone = guiDevices(hostGuiEnv({ DISPLAY: `:${n}` }, 1000, 1000), hostExists());
  assert.equal(gone.devices["codchi-x11"], undefined);
});
