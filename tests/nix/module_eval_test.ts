/**
 * codchi's NixOS module (the flake's nixosModules.default) evaluated with nixpkgs' real module
 * system (../shared/nixpkgs-lib) and stand-in declarations of the NixOS options it touches
 * (tests/nix/eval/nixos_stubs.nix), for every driver, every documented option and Codchi-style
 * modules; asserts the contract with the host (src/contract.ts, src/host/linux/devices.ts).
 * Skips, saying why, when nixpkgs' lib or nix-instantiate is missing.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { posix } from "node:path";
import {
  CONTRACT,
  DISPLAY_VAR,
  ENV_FILE,
  HOST_CA_FILE,
  MACHINE_USER,
  WINDOWS_PATH_VAR,
} from "../../src/contract.ts";
import {
  MACHINE_PULSE_CLIENT_CONF,
  MACHINE_PULSE_SOCKET,
  MACHINE_SOCKET_DIR,
  MACHINE_WAYLAND_SOCKET,
  MACHINE_XAUTHORITY,
} from "../../src/host/linux/devices.ts";
import { FISH_LOADER } from "../../src/secrets/env_file.ts";
import { type EvalCase, evalCases, type Evaluated, skipReason } from "./_module_eval.ts";

const skip = await skipReason();
/** The shared body of `codchi-init` (the NixOS module and the test bed both wrap it). */
const INIT_BODY = await Deno.readTextFile(
  new URL("../../nix/nixos/driver/codchi-init.sh", import.meta.url),
);
if (skip) console.warn(`SKIPPED tests/nix/module_eval_test.ts: ${skip}`);
const test = (name: string, fn: () => Promise<void>) => Deno.test({ name, ignore: !!skip, fn });

const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const unit = (u: string) => u.replace(/\.(service|path)$/, "");

/** The contract every container driver must keep. */
function assertContainerContract(e: Evaluated, driver: string) {
  deepStrictEqual(e.failedAssertions, [], `${driver}: failed assertions`);
  deepStrictEqual(e.warnings, [], `${driver}: warnings`);
  equal(e.driver, driver);
  // The user codchi exec runs as, with a user manager from boot (exec needs /run/user/<uid>).
  deepStrictEqual(
    [e.user.name, e.user.uid, e.user.group, e.user.home],
    [MACHINE_USER.name, MACHINE_USER.uid, MACHINE_USER.group, MACHINE_USER.home],
  );
  equal(e.user.isNormalUser, true);
  equal(e.user.linger, true, `${driver}: lingering must be on for the machine user`);
  ok(e.user.extraGroups.includes("wheel"), "the user is in wheel (not sudo)");
  // Dev servers reachable from the host; a container has no console nor pressure info.
  equal(e.firewall, false, `${driver}: the firewall must be off by default`);
  equal(e.emergencyMode, false);
  equal(e.oomd, false);
  equal(e.isContainer, true);
  // The env file the host writes is what shells source and services import.
  match(e.extraInit, new RegExp(`\\. ${ENV_FILE}\\n`));
  // fish reads the same file through FISH_LOADER (tested against real fish in tests/secrets).
  const squash = (t: string) => t.replace(/\s+/g, " ").trim();
  ok(squash(e.fishInit).includes(squash(FISH_LOADER)), e.fishInit);
  const env = e.services[unit(CONTRACT.units.env)];
  ok(env, `${driver}: ${CONTRACT.units.env} exists`);
  ok(env.wantedBy.includes("sysinit.target"));
  match(env.serviceConfig.ExecStart.script, new RegExp(`\\. ${ENV_FILE}\\n`));
  equal(e.paths[unit(CONTRACT.units.envWatch)].pathConfig.PathChanged, ENV_FILE);
  ok(e.tmpfiles.includes(`z ${ENV_FILE} 0600 ${MACHINE_USER.name} root -`));
  // No unit runs the init script in the background: codchi runs `codchi-init` in the user's
  // terminal; the command's body is the shared script, recording its run in the marker.
  equal(e.services["codchi-init"], undefined, `${driver}: no background init unit`);
  ok(e.systemPackages.includes(CONTRACT.commands.init), `${driver}: ${CONTRACT.commands.init}`);
  ok(e.systemPackages.includes(CONTRACT.commands.welcome));
  const initCmd = e.codchiInit ?? "";
  ok(initCmd.includes(INIT_BODY), `${driver}: codchi-init runs the shared codchi-init.sh`);
  match(
    initCmd,
    new RegExp(`CODCHI_INIT_MARKER=${posix.join(MACHINE_USER.home, CONTRACT.initDoneMarker)}\n`),
  );
  match(initCmd, new RegExp(`CODCHI_INIT_WELCOME=.*/bin/${CONTRACT.commands.welcome}\n`));
  const syntax = new Deno.Command("bash", { args: ["-n", "-c", initCmd], stderr: "piped" })
    .outputSync();
  equal(syntax.code, 0, `${driver}: codchi-init is not valid bash: ${dec(syntax.stderr)}`);
  ok(e.disabledServices.includes("nix-daemon"), "the store's daemon is used, not one of its own");
  // The host's CA bundle, where the host pushes it, is trusted by default in a machine.
  const ca = e.services[unit(CONTRACT.units.hostCa)];
  ok(ca, `${driver}: ${CONTRACT.units.hostCa} exists`);
  match(ca.serviceConfig.ExecStart.script, new RegExp(`-r ${HOST_CA_FILE} `));
  equal(
    e.etc["ssl/certs/ca-certificates.crt"].source,
    `${posix.dirname(HOST_CA_FILE)}/ca-bundle.crt`,
  );
  // The host's proxy file (opt-in) reaches shells and services.
  match(e.extraInit, new RegExp(`\\. ${CONTRACT.proxyFile}\\n`));
  match(env.serviceConfig.ExecStart.script, /systemctl set-environment "\$n=\$v"/);
}

const base = (driver: string): EvalCase => ({ driver });
let drivers: Record<string, Evaluated> = {};

test("lxd, wsl, none evaluate; the container drivers keep the host contract", async () => {
  const [lxd, wsl, none, dflt] = await evalCases([
    base("lxd"),
    base("wsl"),
    base("none"),
    {},
  ]);
  drivers = { lxd, wsl, none };
  assertContainerContract(lxd, "lxd");
  assertContainerContract(wsl, "wsl");
  // none: a plain NixOS system with codchi's options: the user, but no container plumbing.
  deepStrictEqual(none.failedAssertions, []);
  equal(none.isContainer, false);
  equal(none.user.name, MACHINE_USER.name);
  equal(none.services[unit(CONTRACT.units.env)], undefined);
  // nixosModules.default alone (what a standalone/VM flake imports) is driver "none".
  equal(dflt.driver, "none");
  deepStrictEqual(dflt.failedAssertions, []);
});

test("lxd: the socket folder the host writes is the one the machine reads", async () => {
  const e = drivers.lxd ?? (await evalCases([base("lxd")]))[0];
  for (const path of [MACHINE_XAUTHORITY, MACHINE_WAYLAND_SOCKET, MACHINE_PULSE_SOCKET]) {
    ok(e.extraInit.includes(path), `extraInit reads ${path}`);
  }
  match(e.extraInit, new RegExp(`export XAUTHORITY=${MACHINE_XAUTHORITY}\\n`));
  match(e.extraInit, new RegExp(`export PULSE_CLIENTCONFIG=${MACHINE_PULSE_CLIENT_CONF}\\n`));
  // User services and autostart entries (no shell) get the same display and sound.
  match(e.userManagerConfig, new RegExp(`"XAUTHORITY=${MACHINE_XAUTHORITY}"`));
  match(e.userManagerConfig, new RegExp(`"PULSE_SERVER=unix:${MACHINE_PULSE_SOCKET}"`));
  match(e.userManagerConfig, new RegExp(`"DISPLAY=${CONTRACT.display}"`));
  ok(e.tmpfiles.includes(`d ${MACHINE_SOCKET_DIR} 0755 root root -`));
  // NixOS's lxc-container.nix service overrides.
  const ov = e.systemdPackages.find((p) =>
    p.destination === "/etc/systemd/system/service.d/zzz-lxc-service.conf"
  );
  ok(ov, "the container service overrides are installed");
  for (
    const line of [
      "ProcSubset=all",
      "ProtectProc=default",
      "ProtectControlGroups=no",
      "ProtectKernelTunables=no",
      "NoNewPrivileges=no",
      "LoadCredential=",
    ]
  ) ok(ov.text.split("\n").includes(line), line);
});

test("wsl: wsl.conf mounts Windows drives for the machine user and logs in as it", async () => {
  const e = drivers.wsl ?? (await evalCases([base("wsl")]))[0];
  const conf = e.etc["wsl.conf"].text ?? "";
  match(conf, new RegExp(`uid=${MACHINE_USER.uid},gid=${MACHINE_USER.gid}`));
  match(conf, new RegExp(`\\[user\\]\\ndefault=${MACHINE_USER.name}\\n`));
});

/** The evaluated extraInit's Windows-PATH code run by `sh` with `path` and the variable set. */
function runWindowsPath(snippet: string, path: string, windows?: string): string {
  const env: Record<string, string> = { PATH: path };
  if (windows !== undefined) env[WINDOWS_PATH_VAR] = windows;
  const r = new Deno.Command("/bin/sh", {
    args: ["-c", `${snippet}\n${snippet}\nprintf %s "$PATH"`], // twice: a nested login shell
    clearEnv: true,
    env,
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  equal(r.code, 0, dec(r.stderr));
  return dec(r.stdout);
}

test("wsl: the host's Windows PATH comes after NixOS's; VS Code does not nag", async () => {
  const e = drivers.wsl ?? (await evalCases([base("wsl")]))[0];
  const file = await Deno.readTextFile(
    new URL("../../nix/nixos/driver/wsl/windows_path.sh", import.meta.url),
  );
  const snippet = file.replaceAll("@windowsPathVar@", WINDOWS_PATH_VAR);
  ok(!snippet.includes("@"), "every placeholder is filled");
  const at = e.extraInit.indexOf(snippet);
  ok(at >= 0, `the WSL module's extraInit holds windows_path.sh:\n${e.extraInit}`);
  // After the env file (which carries the variable) is sourced.
  const envAt = e.extraInit.indexOf(`. ${ENV_FILE}\n`);
  ok(envAt >= 0 && envAt < at, "the env file is sourced before the Windows PATH is appended");
  equal(e.sessionVariables.DONT_PROMPT_WSL_INSTALL, "1");
  // What the code does: appended once, NixOS first; nothing without the variable.
  const nixos = "/run/wrappers/bin:/run/current-system/sw/bin";
  const win = "/mnt/c/Windows/System32:/mnt/c/Program Files/Microsoft VS Code/bin";
  equal(runWindowsPath(snippet, nixos, win), `${nixos}:${win}`);
  equal(runWindowsPath(snippet, nixos), nixos);
  equal(runWindowsPath(snippet, nixos, ""), nixos);
  // Other drivers have no Windows: neither the code nor the variable.
  const lxd = drivers.lxd ?? (await evalCases([base("lxd")]))[0];
  ok(!lxd.extraInit.includes(WINDOWS_PATH_VAR));
  equal(lxd.sessionVariables.DONT_PROMPT_WSL_INSTALL, undefined);
});

test("wsl: the clock is set from the host's once a minute (it lags after the host slept)", async () => {
  const e = drivers.wsl ?? (await evalCases([base("wsl")]))[0];
  const svc = e.services["codchi-clock"];
  ok(svc, "the WSL module has codchi-clock.service");
  match(String(svc.serviceConfig.ExecStart), /\/bin\/hwclock --hctosys$/);
  equal(svc.serviceConfig.Type, "oneshot");
  equal(svc.unitConfig.ConditionPathExists, "/dev/rtc0");
  const timer = e.timers["codchi-clock"];
  ok(timer?.enable, "and its timer");
  deepStrictEqual(timer.wantedBy, ["timers.target"]);
  equal(timer.timerConfig.OnUnitActiveSec, "60s");
  ok(timer.timerConfig.OnBootSec, "it runs soon after boot too");
  // The container drivers share the host's kernel clock: nothing to set there.
  for (const d of [drivers.lxd, drivers.none]) {
    const other = d ?? (await evalCases([base("lxd")]))[0];
    equal(other.services["codchi-clock"], undefined);
    equal(other.timers["codchi-clock"], undefined);
  }
});

/** Runs display.sh (with `ip` printing `route`) under sh; returns DISPLAY and WAYLAND_DISPLAY. */
async function runDisplay(code: string, route: string, vars: Record<string, string>) {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/ip`, `#!/bin/sh\nprintf '%s' '${route}'\n`);
    await Deno.chmod(`${dir}/ip`, 0o755);
    const awk = new Deno.Command("sh", { args: ["-c", "command -v awk"], stdout: "piped" })
      .outputSync();
    const script = code.replaceAll("@ip@", `${dir}/ip`).replaceAll("@awk@", dec(awk.stdout).trim());
    const r = new Deno.Command("/bin/sh", {
      args: ["-c", `${script}\nprintf '%s|%s' "\${DISPLAY-}" "\${WAYLAND_DISPLAY-unset}"`],
      clearEnv: true,
      env: { PATH: "/usr/bin:/bin", ...vars },
      stdout: "piped",
      stderr: "piped",
    }).outputSync();
    equal(r.code, 0, dec(r.stderr));
    return dec(r.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

test("wsl: the host's VcXsrv display (:n) is reached through WSL's gateway, else WSLg", async () => {
  const e = drivers.wsl ?? (await evalCases([base("wsl")]))[0];
  const file = (await Deno.readTextFile(
    new URL("../../nix/nixos/driver/wsl/display.sh", import.meta.url),
  )).replaceAll("@displayVar@", DISPLAY_VAR);
  // The module holds display.sh with the contract's variable and store paths of ip and awk.
  const m = /\/nix\/store\/[a-z0-9]+-iproute2-[^/]+\/bin\/ip/.exec(e.extraInit);
  const a = /\/nix\/store\/[a-z0-9]+-gawk-[^/]+\/bin\/awk/.exec(e.extraInit);
  ok(m && a, e.extraInit);
  ok(e.extraInit.includes(file.replaceAll("@ip@", m[0]).replaceAll("@awk@", a[0])));
  // `ip route show default` as iproute2 prints it in a WSL 2 machine (NAT networking).
  const route = "default via 172.29.48.1 dev eth0 proto kernel \n";
  const wayland = { WAYLAND_DISPLAY: "/mnt/wslg/runtime-dir/wayland-0" };
  equal(await runDisplay(file, route, { [DISPLAY_VAR]: ":0", ...wayland }), "172.29.48.1:0|unset");
  equal(await runDisplay(file, "", { [DISPLAY_VAR]: ":3" }), "127.0.0.1:3|unset");
  equal(await runDisplay(file, route, { [DISPLAY_VAR]: "x.example:1" }), "x.example:1|unset");
  // Not set: left to WSLg (no /mnt/wslg here, so nothing changes).
  equal(await runDisplay(file, route, { DISPLAY: ":9" }), ":9|unset");
  // The LXD module reads the same variable.
  const lxd = drivers.lxd ?? (await evalCases([base("lxd")]))[0];
  ok(lxd.extraInit.includes(`\${${DISPLAY_VAR}:-${CONTRACT.display}}`), lxd.extraInit);
});

test("Codchi's jvm example (attribute set) and the list form merge", async () => {
  for (const driver of ["lxd", "wsl", "none"]) {
    const [e] = await evalCases([{ driver, files: ["jvm.nix", "jvm_list.nix"] }]);
    deepStrictEqual(e.failedAssertions, []);
    deepStrictEqual(e.javaPackages, {
      openjdk8: "openjdk-8.0.1",
      "openjdk-17": "openjdk-17.0.1",
    });
    const jdks = e.tmpfiles.filter((r) => r.includes("/.jdks/"));
    equal(jdks.length, 2, jdks.join("\n"));
    match(
      jdks.join("\n"),
      new RegExp(
        `^L\\+ ${MACHINE_USER.home}/\\.jdks/openjdk8 - - - - \\S+-openjdk-8\\.0\\.1/lib/openjdk$`,
        "m",
      ),
    );
    match(
      e.activationScripts["codchi-jvm"],
      /ln -sfn \S+-openjdk-17\.0\.1\/lib\/openjdk \/usr\/lib\/jvm\/openjdk-17\n/,
    );
  }
});

test("a secret described in two modules: the descriptions are joined as lines", async () => {
  const [e] = await evalCases([{ driver: "lxd", files: ["secrets_a.nix", "secrets_b.nix"] }]);
  deepStrictEqual(e.failedAssertions, []);
  deepStrictEqual(e.declaredSecrets, [
    {
      name: "GITLAB_TOKEN",
      description:
        "Access token with read_api scope.\n\nCreate it at https://gitlab.example.com/-/user_settings.",
    },
    { name: "app.db-password", description: "" },
  ]);
});

test("welcome text (older Codchi) and initScript (newer) both work, in any combination", async () => {
  const [old, both, dflt] = await evalCases([
    { driver: "lxd", files: ["welcome_old.nix"] },
    { driver: "wsl", files: ["welcome_old.nix", "welcome_new.nix"] },
    { driver: "lxd" },
  ]);
  deepStrictEqual(old.failedAssertions, []);
  // text replaces the default; extraText follows it.
  match(
    old.welcome ?? "",
    /\nHello from acme!\nRun `make setup` in ~\/app first\.\nCODCHI_WELCOME\n/,
  );
  ok(!(old.welcome ?? "").includes("Welcome to your new code machine"));
  equal(old.initScript, "echo first\n");
  match(dflt.welcome ?? "", /Welcome to your new code machine \$CODCHI_MACHINE_NAME!/);
  // Definitions from two modules: the lines of both, below the replaced text.
  match(both.welcome ?? "", /\nHello from acme!\n/);
  match(both.welcome ?? "", /\nRun `make setup` in ~\/app first\.\n/);
  match(both.welcome ?? "", /\nDocs: ~\/app\/README\.md\n/);
  match(both.initScript, /echo first\n/);
  match(both.initScript, /git clone https:\/\/example\.invalid\/acme\/app ~\/app\n/);
  // codchi-init shows the welcome first, then runs the script (the shared body's order).
  ok(INIT_BODY.indexOf('CODCHI_INIT_WELCOME"') < INIT_BODY.indexOf('bash "$CODCHI_INIT_SCRIPT'));
  match(both.codchiInit ?? "", /CODCHI_INIT_SCRIPT=.*codchi-init-script\n/);
});

test("Codchi's gpu example: docker with NVIDIA passes NixOS's toolkit assertion", async () => {
  const [lxd, wsl, noGpu] = await evalCases([
    { driver: "lxd", files: ["gpu_docker.nix"] },
    { driver: "wsl", files: ["gpu_docker.nix"] },
    { driver: "lxd", files: ["gpu_docker.nix"], nix: ["{ codchi.gpu.enable = false; }"] },
  ]);
  deepStrictEqual(lxd.failedAssertions, []);
  deepStrictEqual(wsl.failedAssertions, []);
  deepStrictEqual(lxd.nvidiaToolkit, {
    enable: true,
    "mount-nvidia-executables": false,
    suppressNvidiaDriverAssertion: true,
    "discovery-mode": "auto",
  });
  equal(wsl.nvidiaToolkit["discovery-mode"], "wsl");
  equal(lxd.docker, true);
  deepStrictEqual(noGpu.failedAssertions, [
    "codchi.docker.enableNvidia needs codchi.gpu.enable = true.",
  ]);
});

test('standalone: nixosModules.default with codchi.driver.name = "none"', async () => {
  const [e] = await evalCases([{ files: ["standalone.nix"] }]);
  deepStrictEqual(e.failedAssertions, []);
  equal(e.driver, "none");
  deepStrictEqual(e.declaredSecrets, [{ name: "TEST", description: "An example secret." }]);
});

test("an option nobody declares fails the evaluation (no catch-all in the stand-ins)", async () => {
  const r = await evalCases([{ driver: "lxd", files: ["unknown_option.nix"] }]).then(
    () => "",
    (e: Error) => e.message,
  );
  match(r, /codchi\.welcome\.colour' does not exist/);
});

test("every documented option, set away from its default, evaluates on every driver", async () => {
  const [{ options }] = await evalCases([{}]);
  const settings: Record<string, string> = {
    "codchi.driver.name": "", // set per case below
    "codchi.initScript": 'codchi.initScript = "echo hi";',
    "codchi.secrets.env": "codchi.secrets.env.A_TOKEN = { };",
    "codchi.secrets.env.<name>.name": 'codchi.secrets.env.x.name = "X_TOKEN";',
    "codchi.secrets.env.<name>.description": 'codchi.secrets.env.x.description = "d";',
    "codchi.welcome.text": 'codchi.welcome.text = "hi";',
    "codchi.welcome.extraText": 'codchi.welcome.extraText = "more";',
    "programs.java.packages": "programs.java.packages = [ pkgs.jdk17 ];",
    "codchi.driver.wsl.windowsPathServices":
      'codchi.driver.wsl.windowsPathServices = [ "x" ]; systemd.services.x.script = "true";',
    "codchi.driver.wsl.windowsPathWrapper": "", // read-only
  };
  const cases: EvalCase[] = [];
  const names: string[] = [];
  for (const o of options) {
    let set = settings[o.name];
    if (set === undefined) {
      equal(o.type, "boolean", `${o.name}: give the test a value for this option`);
      const on = o.default !== "true";
      set = `${o.name} = ${on};` +
        (o.name === "codchi.docker.enableNvidia" ? " codchi.docker.enable = true;" : "");
    }
    if (set === "") continue;
    for (const driver of ["lxd", "wsl", "none"]) {
      cases.push({ driver, nix: [`{ pkgs, ... }: { ${set} }`] });
      names.push(`${o.name} on ${driver}`);
    }
  }
  const results = await evalCases(cases);
  results.forEach((e, i) => deepStrictEqual(e.failedAssertions, [], names[i]));
  ok(results.length >= 3 * 12, `${results.length} cases`);
});
