/**
 * `codchi doctor` through the ports (core/doctor.ts `doctor`): the fake driver's probes and the
 * real Linux host's session, judged by the rules; the driver is never built or started.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { doctor } from "../../src/core/doctor.ts";
import { fakeHost } from "../support/fake_core.ts";

const LXD = { name: "lxd" as const, reason: "lxc found on PATH" };

Deno.test("doctor: a healthy LXD host can work; only the probes were asked, nothing spawned", async () => {
  await using h = await fakeHost({ env: { DISPLAY: ":0" } });
  await Deno.mkdir(`${h.root}/run/pulse`, { recursive: true });
  await Deno.writeTextFile(`${h.root}/run/pulse/native`, "");
  const r = await doctor(h.ctx, LXD);
  equal(r.ok, true);
  deepEqual(h.driver.calls, ["diagnose"]);
  equal(h.driver.runner.spawns, 0);
  const by = new Map(r.checks.map((c) => [c.name, c]));
  equal(by.get("driver")?.detail, "lxd (lxc found on PATH)");
  equal(by.get("lxc binary")?.detail, "/usr/bin/lxc");
  equal(by.get("permission")?.detail, "alice may use lxd");
  equal(by.get("display")?.detail, "X11 :0");
  // The sound socket the host port found in XDG_RUNTIME_DIR.
  equal(by.get("sound")?.ok, true);
  // The in-memory secret store is no Secret Service: a warning, not an error.
  equal(by.get("secrets")?.ok, false);
  equal(by.get("secrets")?.severity, "warning");
});

Deno.test("doctor: the driver's findings become errors with fixes; no session is a warning", async () => {
  await using h = await fakeHost();
  h.driver.diagnosis = {
    kind: "lxd",
    daemon: { ok: false },
    project: { name: "codchi-alice-1", source: "this data folder's own" },
    permission: { user: "alice", group: "lxd", ok: false },
  };
  const r = await doctor(h.ctx, { name: "lxd", reason: "CODCHI_DRIVER" });
  equal(r.ok, false);
  const by = new Map(r.checks.map((c) => [c.name, c]));
  match(by.get("lxc binary")?.fix ?? "", /apt-get install lxd/);
  match(by.get("permission")?.fix ?? "", /usermod -aG lxd alice/);
  equal(by.get("project")?.detail, "codchi-alice-1 (this data folder's own)");
  // No client: the daemon is not judged.
  equal(by.has("daemon"), false);
  equal(by.get("display")?.ok, false);
  equal(by.get("sound")?.ok, false);
});

Deno.test("doctor: a remote that does not answer is an error naming it; the display a warning", async () => {
  await using h = await fakeHost({ env: { DISPLAY: ":0" } });
  h.driver.diagnosis = {
    kind: "lxd",
    cliPath: "/usr/bin/lxc",
    daemon: { ok: true },
    remote: { name: "build", source: "config.json remote", ok: false, error: "Error: refused" },
    permission: { user: "alice", group: "lxd", ok: true },
  };
  const r = await doctor(h.ctx, LXD);
  equal(r.ok, false);
  const remote = r.checks.find((c) => c.name === "remote");
  match(
    remote?.detail ?? "",
    /^the remote build \(config\.json remote\) does not answer: Error: refused$/,
  );
  const display = r.checks.find((c) => c.name === "display");
  equal(display?.severity, "warning");
  match(display?.detail ?? "", /remote build/);
});

Deno.test("doctor: the WSL driver's findings get WSL's checks; VcXsrv asked of the host when enabled", async () => {
  await using h = await fakeHost({ driver: { name: "wsl" } });
  h.driver.diagnosis = { kind: "wsl", wslPath: "C:\\wsl.exe", wslVersion: "2.0.9.0" };
  const old = await doctor(h.ctx, { name: "wsl", reason: "Windows host" });
  equal(old.ok, false);
  match(old.checks[0].detail, /WSL 2\.0\.9\.0 is older than 2\.0\.14/);
  equal(old.checks[0].fix, "wsl --update");
  const usbipd = old.checks.find((c) => c.name === "usbipd");
  equal(usbipd?.ok, false);
  h.driver.diagnosis = { kind: "wsl", wslPath: "C:\\wsl.exe", wslVersion: "2.3.26.0" };
  const fine = await doctor(h.ctx, { name: "wsl", reason: "Windows host" });
  equal(fine.ok, true);
  ok(!fine.checks.some((c) => c.name === "lxc binary"), "WSL got LXD's checks");
  // VcXsrv enabled: the host port is asked; the fake host's (Linux) finds none: a warning.
  h.config.windows.vcxsrv.enable = true;
  const asked = await doctor(h.ctx, { name: "wsl", reason: "Windows host" });
  const vcxsrv = asked.checks.find((c) => c.name === "vcxsrv");
  equal(vcxsrv?.ok, false);
  match(vcxsrv?.fix ?? "", /winget install marha\.VcXsrv/);
  equal(asked.ok, true);
  h.config.windows.vcxsrv.enable = false;
  const off = await doctor(h.ctx, { name: "wsl", reason: "Windows host" });
  equal(off.checks.some((c) => c.name === "vcxsrv"), false);
  // config.json's windows.vpnkit reaches its check.
  h.config.windows.vpnkit = true;
  const vpn = await doctor(h.ctx, { name: "wsl", reason: "Windows host" });
  match(vpn.checks.find((c) => c.name === "vpnkit")?.detail ?? "", /wsl-vpnkit is on/);
});
