/**
 * Services and the host's Windows PATH (issue 15 item 1, services): codchi.driver.wsl's
 * windowsPathServices and windowsPathWrapper, evaluated with nixpkgs' real module system (what a
 * listed service gets, the assertion for one without `script`, nothing on LXD), and the code they
 * add run under `sh` (appended after NixOS's PATH, once; the wrapper finds a Windows tool).
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { CONTRACT, WINDOWS_PATH_VAR } from "../../src/contract.ts";
import { evalCases, skipReason } from "./_module_eval.ts";

const skip = await skipReason();
if (skip) console.warn(`SKIPPED tests/nix/windows_path_services_test.ts: ${skip}`);
const test = (name: string, fn: () => void | Promise<void>) =>
  Deno.test({ name, ignore: !!skip, fn });

const SERVICES = `{ config, ... }: {
  codchi.driver.wsl.windowsPathServices = [ "reports" ];
  systemd.services.reports.script = "explorer.exe /tmp/report.html";
  systemd.services.plain.script = "true";
  # An ExecStart service through the wrapper (eval.nix shows a derivation's text).
  systemd.services.wrapped.serviceConfig.ExecStart = config.codchi.driver.wsl.windowsPathWrapper;
}`;
const NO_SCRIPT = `{
  codchi.driver.wsl.windowsPathServices = [ "daemon" ];
  systemd.services.daemon.serviceConfig.ExecStart = "/bin/daemon";
}`;

const [wsl, wslNoScript, lxd] = skip ? [] : await evalCases([
  { driver: "wsl", nix: [SERVICES] },
  { driver: "wsl", nix: [NO_SCRIPT] },
  { driver: "lxd", nix: [SERVICES] },
]);

test("wsl: a listed service's script starts by appending the Windows PATH", () => {
  deepStrictEqual(wsl.failedAssertions, []);
  const svc = wsl.services.reports;
  match(svc.script, new RegExp(`\\$\\{${WINDOWS_PATH_VAR}\\}`));
  ok(!svc.script.includes("@"), "placeholders filled");
  ok(
    svc.script.indexOf(WINDOWS_PATH_VAR) < svc.script.indexOf("explorer.exe"),
    "the PATH comes before the service's own lines",
  );
  ok(svc.after.includes(CONTRACT.units.env), "after the env file's import into systemd");
  // A service that is not listed is left alone.
  equal(wsl.services.plain.script.trim(), "true");
});

test("wsl: a listed service without `script` is an assertion naming the wrapper", () => {
  equal(wslNoScript.failedAssertions.length, 1);
  match(wslNoScript.failedAssertions[0], /daemon has no `script`.*windowsPathWrapper/);
});

test("lxd: the option changes nothing (no Windows PATH there)", () => {
  deepStrictEqual(lxd.failedAssertions, []);
  equal(lxd.services.reports.script.trim(), "explorer.exe /tmp/report.html");
  equal(lxd.services.reports.after.includes(CONTRACT.units.env), false);
});

test("the code under sh: appended after NixOS's PATH, once; the wrapper finds a Windows tool", async () => {
  const prefix = wsl.services.reports.script.split("explorer.exe /tmp/report.html")[0];
  const dir = await Deno.makeTempDir();
  try {
    // A "Windows" folder with a tool that NixOS does not have, and one that shadows nothing.
    await Deno.mkdir(`${dir}/mnt/c/Windows`, { recursive: true });
    await Deno.writeTextFile(`${dir}/mnt/c/Windows/clip.exe`, "#!/bin/sh\necho clip:$1\n");
    await Deno.chmod(`${dir}/mnt/c/Windows/clip.exe`, 0o755);
    const run = (script: string, env: Record<string, string>) => {
      const r = new Deno.Command("/bin/sh", {
        args: ["-c", script],
        clearEnv: true,
        env,
        stdout: "piped",
        stderr: "piped",
      }).outputSync();
      const d = new TextDecoder();
      return { code: r.code, out: d.decode(r.stdout), err: d.decode(r.stderr) };
    };
    const win = `${dir}/mnt/c/Windows`;
    let r = run(`${prefix}\n${prefix}\necho "$PATH"; clip.exe x`, {
      PATH: "/nix/store/abc-coreutils/bin:/usr/bin:/bin",
      [WINDOWS_PATH_VAR]: win,
    });
    equal(r.code, 0, r.err);
    deepStrictEqual(r.out.split("\n").slice(0, 2), [
      `/nix/store/abc-coreutils/bin:/usr/bin:/bin:${win}`,
      "clip:x",
    ]);
    // Unset (not WSL, or the host gave none): PATH as it was.
    r = run(`${prefix}\necho "$PATH"`, { PATH: "/usr/bin:/bin" });
    equal(r.out.trim(), "/usr/bin:/bin");
    // The wrapper (its text as evaluated) runs its arguments with the PATH appended.
    const wrapper = wsl.services.wrapped.serviceConfig.ExecStart.script as string;
    await Deno.writeTextFile(`${dir}/wrapper`, wrapper);
    r = run(`sh ${dir}/wrapper clip.exe y`, { PATH: "/usr/bin:/bin", [WINDOWS_PATH_VAR]: win });
    equal(r.code, 0, r.err);
    equal(r.out, "clip:y\n");
    ok(
      wsl.options.some((o) => o.name === "codchi.driver.wsl.windowsPathWrapper"),
      "the wrapper is a documented option",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
