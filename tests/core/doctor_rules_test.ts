/** doctor's pure rules: Linux and Windows checks, version comparison, the verdict. */
import assert from "node:assert/strict";
import {
  canWork,
  type Check,
  compareVersions,
  linuxChecks,
  type LinuxFacts,
  windowsChecks,
} from "../../src/core/doctor.ts";
import { VCXSRV_INSTALL_HINT } from "../../src/host/windows/vcxsrv.ts";

const good: LinuxFacts = {
  driver: "lxd",
  driverReason: "lxc found on PATH",
  cliPath: "/usr/bin/lxc",
  daemon: { ok: true },
  inGroup: true,
  user: "ann",
  display: ":0",
  waylandDisplay: "wayland-0",
  pulse: true,
  secretService: true,
};
const byName = (cs: Check[], n: string) => cs.find((c) => c.name === n);

Deno.test("linux: everything present → all ok, codchi can work", () => {
  const cs = linuxChecks(good);
  assert.deepEqual(cs.map((c) => c.name), [
    "driver",
    "lxc binary",
    "permission",
    "daemon",
    "display",
    "sound",
    "secrets",
  ]);
  assert.ok(cs.every((c) => c.ok));
  assert.ok(canWork(cs));
  assert.equal(byName(cs, "display")!.detail, "X11 :0, Wayland wayland-0");
});

Deno.test("linux: each missing prerequisite has a fix; errors block, warnings do not", () => {
  const noCli = linuxChecks({ ...good, cliPath: undefined });
  assert.equal(byName(noCli, "lxc binary")!.ok, false);
  assert.match(byName(noCli, "lxc binary")!.fix!, /apt-get install lxd/);
  assert.equal(byName(noCli, "daemon"), undefined, "daemon is not asked without a CLI");
  assert.equal(canWork(noCli), false);

  const noDaemon = linuxChecks({ ...good, daemon: { ok: false, error: "socket refused" } });
  assert.match(byName(noDaemon, "daemon")!.detail, /socket refused/);
  assert.match(byName(noDaemon, "daemon")!.fix!, /systemctl start lxd/);
  assert.equal(canWork(noDaemon), false);

  const noGroup = linuxChecks({ ...good, inGroup: false });
  assert.match(byName(noGroup, "permission")!.fix!, /usermod -aG lxd ann/);
  assert.equal(canWork(noGroup), false);

  const bare = linuxChecks({
    ...good,
    display: undefined,
    waylandDisplay: undefined,
    pulse: false,
    secretService: false,
  });
  for (const n of ["display", "sound", "secrets"]) {
    const c = byName(bare, n)!;
    assert.equal(c.ok, false, n);
    assert.equal(c.severity, "warning", n);
    assert.ok(c.fix, n);
  }
  assert.equal(canWork(bare), true);
});

Deno.test("linux: incus names its own binary, group and service", () => {
  const cs = linuxChecks({
    ...good,
    driver: "incus",
    cliPath: undefined,
    inGroup: false,
  });
  assert.match(byName(cs, "incus binary")!.fix!, /apt-get install incus/);
  assert.match(byName(cs, "permission")!.fix!, /usermod -aG incus-admin ann/);
  const d = linuxChecks({
    ...good,
    driver: "incus",
    cliPath: "/usr/bin/incus",
    daemon: { ok: false },
  });
  assert.match(byName(d, "daemon")!.fix!, /systemctl start incus/);
});

Deno.test("compareVersions", () => {
  assert.equal(compareVersions("2.0.14.0", [2, 0, 14]), 0);
  assert.ok(compareVersions("2.0.13", [2, 0, 14]) < 0);
  assert.ok(compareVersions("2.1", [2, 0, 14]) > 0);
  assert.ok(compareVersions("10.0.0", [2, 0, 14]) > 0);
  assert.ok(compareVersions("1.99.99", [2, 0, 14]) < 0);
  assert.ok(compareVersions("2", [2, 0, 14]) < 0);
  assert.ok(compareVersions("garbage", [2, 0, 14]) < 0);
});

Deno.test("windows: wsl missing, too old, inbox, current; VcXsrv only when enabled", () => {
  const missing = windowsChecks({ vcxsrv: { enabled: false, found: false } });
  assert.match(missing[0].fix!, /wsl --install/);
  assert.equal(canWork(missing), false);
  const old = windowsChecks({
    wslPath: "wsl.exe",
    wslVersion: "2.0.9.0",
    vcxsrv: { enabled: false, found: false },
  });
  assert.match(old[0].detail, /older than 2\.0\.14/);
  assert.equal(old[0].fix, "wsl --update");
  assert.equal(canWork(old), false);
  const inbox = windowsChecks({ wslPath: "wsl.exe", vcxsrv: { enabled: false, found: false } });
  assert.match(inbox[0].detail, /inbox/);
  assert.equal(canWork(inbox), false);
  const ok = windowsChecks({
    wslPath: "wsl.exe",
    wslVersion: "2.3.26.0",
    vcxsrv: { enabled: true, found: false },
  });
  assert.equal(ok[0].ok, true);
  const vcx = ok.find((c) => c.name === "vcxsrv")!;
  assert.equal(vcx.ok, false);
  assert.equal(vcx.severity, "warning");
  assert.match(vcx.fix!, /winget install/);
  // The same words exec prints when it falls back to WSLg, and the manifests' package ids.
  assert.ok(vcx.fix!.startsWith(VCXSRV_INSTALL_HINT), vcx.fix);
  assert.equal(canWork(ok), true);
  assert.equal(
    windowsChecks({ wslPath: "w", wslVersion: "2.0.14", vcxsrv: { enabled: false, found: false } })
      .some((c) => c.name === "vcxsrv"),
    false,
  );
});

Deno.test("linux: a remote in use is named; one that does not answer blocks; no display there", () => {
  const up = linuxChecks({
    ...good,
    remote: { name: "build", source: "config.json remote", ok: true },
  });
  assert.equal(byName(up, "remote")!.ok, true);
  assert.match(byName(up, "remote")!.detail, /^build \(config\.json remote\) answers/);
  // The local display does not reach remote machines: a warning, not a blocker.
  assert.equal(byName(up, "display")!.ok, false);
  assert.equal(byName(up, "display")!.severity, "warning");
  assert.match(byName(up, "display")!.detail, /remote build/);
  assert.ok(canWork(up));
  const down = linuxChecks({
    ...good,
    remote: { name: "build", source: "CODCHI_LXD_REMOTE", ok: false, error: "connection refused" },
  });
  assert.equal(byName(down, "remote")!.ok, false);
  assert.match(byName(down, "remote")!.detail, /does not answer: connection refused/);
  assert.match(byName(down, "remote")!.fix!, /codchi remote add build/);
  assert.equal(canWork(down), false);
  assert.equal(byName(linuxChecks(good), "remote"), undefined);
});

Deno.test("windows: usbipd-win missing is a warning naming winget; found is ok", async () => {
  const base = {
    wslPath: "wsl.exe",
    wslVersion: "2.3.26.0",
    vcxsrv: { enabled: false, found: false },
  };
  const missing = windowsChecks(base).find((c) => c.name === "usbipd")!;
  assert.equal(missing.ok, false);
  assert.equal(missing.severity, "warning");
  const { USBIPD_INSTALL_HINT } = await import("../../src/driver/wsl/usb.ts");
  assert.equal(missing.fix, USBIPD_INSTALL_HINT);
  assert.equal(canWork(windowsChecks(base)), true);
  const found = windowsChecks({ ...base, usbipdPath: "C:/Program Files/usbipd-win/usbipd.exe" })
    .find((c) => c.name === "usbipd")!;
  assert.equal(found.ok, true);
  assert.match(found.detail, /usbipd-win/);
});

Deno.test("windows: wsl-vpnkit is never a failure; doctor says when to turn it on or off", () => {
  const base = {
    wslPath: "wsl.exe",
    wslVersion: "2.3.26.0",
    vcxsrv: { enabled: false, found: false },
  };
  const off = windowsChecks(base).find((c) => c.name === "vpnkit")!;
  assert.equal(off.ok, true);
  assert.match(off.detail, /off/);
  // The symptoms and the switch (config.json and the tray).
  assert.match(off.fix!, /no network, or DNS lookups time out, while a Windows VPN is connected/);
  assert.match(off.fix!, /windows\.vpnkit to true/);
  assert.match(off.fix!, /tray/);
  const on = windowsChecks({ ...base, vpnkit: true }).find((c) => c.name === "vpnkit")!;
  assert.equal(on.ok, true);
  assert.match(on.detail, /is on/);
  assert.match(on.fix!, /windows\.vpnkit to false/);
  assert.equal(canWork(windowsChecks({ ...base, vpnkit: true })), true);
  // Linux hosts have no such switch.
  assert.equal(byName(linuxChecks(good), "vpnkit"), undefined);
});
