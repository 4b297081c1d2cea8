/**
 * The wsl.exe simulator behaves like WSL, not like the driver: display languages, idle stops,
 * hangs, systemd's start-up wait and user-session warning, the start folder, WSLENV.
 * Expected texts are WSL's own (microsoft/WSL localization/strings/<lang>/Resources.resw).
 */
import { assert, assertEquals } from "./assert.ts";
import { MACHINE_IMAGE, type Sandbox, sandbox, WSL_EXE } from "./sim.ts";

const utf8 = { WSL_UTF8: "1" };
const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("simulator locale: German, French and Chinese labels for Error code and --version", async () => {
  const sb = await sandbox();
  try {
    const cases: [string, string, string, string][] = [
      [
        "de",
        "Fehlercode: Wsl/Service/TerminateDistro/WSL_E_DISTRO_NOT_FOUND",
        "WSL-Version: 2.0.14.0",
        "Es ist keine Distribution",
      ],
      [
        "fr",
        "Code d'erreur\u00a0: Wsl/Service/TerminateDistro/WSL_E_DISTRO_NOT_FOUND",
        "Version WSL : 2.0.14.0",
        "Il n\u2019existe aucune",
      ],
      [
        "zh",
        "\u9519\u8bef\u4ee3\u7801: Wsl/Service/TerminateDistro/WSL_E_DISTRO_NOT_FOUND",
        "WSL \u7248\u672c: 2.0.14.0",
        "\u4e0d\u5b58\u5728",
      ],
    ];
    for (const [locale, codeLine, versionLine, msg] of cases) {
      const env = { ...utf8, WSL_SIM_LOCALE: locale };
      const t = await sb.wsl(["--terminate", "nope"], { env });
      assertEquals(t.code, 255);
      assert(text(t.stdout).includes(`${msg}`), text(t.stdout));
      assert(text(t.stdout).includes(codeLine), text(t.stdout));
      assert(!text(t.stdout).includes("Error code"), "no English label");
      const v = await sb.wsl(["--version"], { env });
      assert(text(v.stdout).startsWith(`${versionLine}\r\n`), text(v.stdout));
    }
  } finally {
    await sb.dispose();
  }
});

async function importA(sb: Sandbox) {
  const r = await sb.wsl(["--import", "a", `${sb.dir}/a`, MACHINE_IMAGE]);
  assertEquals(r.code, 0, text(r.stdout));
}
const state = async (sb: Sandbox) => text((await sb.wsl(["-l", "-v"], { env: utf8 })).stdout);

Deno.test("simulator idle: a distro stops with its daemons when no wsl.exe is attached; the VM later", async () => {
  const sb = await sandbox();
  try {
    await importA(sb);
    // A daemon started by a call does not keep the distro running.
    await sb.wsl(["-d", "a", "-e", "sh", "-c", "setsid sleep 1000 </dev/null >/dev/null 2>&1 &"]);
    assert((await state(sb)).includes("Running"));
    assertEquals((await sb.wsl(["--sim-fire-idle"])).code, 0);
    assert((await state(sb)).includes("Stopped"), "stopped by the idle timer");
    const vm = JSON.parse(await Deno.readTextFile(`${sb.state}/registry.json`)).vmPid;
    assert(vm, "the VM outlives its last distro for a while");
    await sb.wsl(["--sim-fire-idle"]);
    assertEquals(JSON.parse(await Deno.readTextFile(`${sb.state}/registry.json`)).vmPid, undefined);
    // A wsl.exe call still attached keeps it running.
    const keep = new Deno.Command(WSL_EXE, {
      args: ["-d", "a", "-e", "sleep", "1000"],
      env: { WSL_SIM_STATE: sb.state },
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    for (let i = 0; i < 100 && !(await state(sb)).includes("Running"); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await sb.wsl(["--sim-fire-idle"]);
    assert((await state(sb)).includes("Running"), "kept running by the attached wsl.exe");
    await sb.wsl(["--terminate", "a"]);
    assertEquals((await keep.status).code, 137, "terminate ends the attached command");
    // The real timer: WSL_SIM_IDLE_MS after the last call ended.
    sb.set({ WSL_SIM_IDLE_MS: "300" });
    await sb.wsl(["-d", "a", "-e", "true"]);
    assert((await state(sb)).includes("Running"));
    await new Promise((r) => setTimeout(r, 400));
    assert((await state(sb)).includes("Stopped"));
  } finally {
    sb.set({ WSL_SIM_IDLE_MS: undefined });
    await sb.dispose();
  }
});

Deno.test("simulator hang: a hanging call never returns", async () => {
  const sb = await sandbox();
  try {
    const child = new Deno.Command(WSL_EXE, {
      args: ["--list", "--verbose"],
      env: { WSL_SIM_STATE: sb.state, WSL_SIM_LOG: sb.log, WSL_SIM_FAIL_SEQ: "hang" },
      stdout: "null",
      stderr: "null",
    }).spawn();
    const won = await Promise.race([
      child.status.then(() => "exited"),
      new Promise((r) => setTimeout(() => r("hung"), 1500)),
    ]);
    assertEquals(won, "hung");
    child.kill("SIGKILL");
    await child.status;
    assertEquals((await sb.calls())[0].fault, "hang");
  } finally {
    await sb.dispose();
  }
});

/** Turns distro "a" into one with `[boot] systemd=true` and the given /sbin/init. */
async function withSystemd(sb: Sandbox, init: string) {
  await importA(sb);
  const systemctl = `#!/bin/sh
# systemctl stand-in: "running" once /run/sd-up exists.
case "$1" in
  is-system-running) if [ -e /run/sd-up ]; then echo running; else echo starting; exit 1; fi ;;
  is-active) if [ -e /run/sd-up ]; then echo active; else echo inactive; exit 3; fi ;;
esac`;
  const script =
    'printf "%s\\n" "$1" > /sbin/init && printf "%s\\n" "$2" > /usr/bin/systemctl && ' +
    "chmod 755 /sbin/init /usr/bin/systemctl && " +
    "printf '[boot]\\nsystemd=true\\n' > /etc/wsl.conf";
  const r = await sb.wsl(["-d", "a", "-e", "sh", "-c", script, "sh", init, systemctl]);
  assertEquals(r.code, 0, text(r.stderr));
  await sb.wsl(["--terminate", "a"]);
}

Deno.test("simulator systemd: waits for systemd at boot; no session: the warning on stderr, once", async () => {
  const sb = await sandbox();
  try {
    await withSystemd(sb, "#!/bin/sh\nsleep 0.6; : > /run/sd-up; exec sleep 1000");
    let t0 = performance.now();
    const up = await sb.wsl(["-d", "a", "-e", "cat", "/run/sd-up"]);
    assertEquals(up.code, 0, "the command ran after systemd was up");
    assert(performance.now() - t0 >= 500);
    assertEquals(text(up.stderr), "");
    await sb.wsl(["--terminate", "a"]);

    await sb.wsl([
      "-d",
      "a",
      "-e",
      "sh",
      "-c",
      "printf '#!/bin/sh\\nexec sleep 1000\\n' > /sbin/init",
    ]);
    await sb.wsl(["--terminate", "a"]);
    sb.set({ WSL_SIM_INIT_TIMEOUT_MS: "500" });
    t0 = performance.now();
    const cold = await sb.wsl(["-d", "a", "--user", "codchi", "-e", "echo", "hi"]);
    assert(performance.now() - t0 >= 1000, "boot wait + session wait");
    assertEquals(text(cold.stdout), "hi\n");
    assertEquals(
      text(cold.stderr),
      "wsl: Failed to start the systemd user session for 'codchi'. See journalctl for more details.\n",
    );
    const again = await sb.wsl(["-d", "a", "--user", "codchi", "-e", "true"]);
    assertEquals(text(again.stderr), "", "one try per user and boot");
  } finally {
    sb.set({ WSL_SIM_INIT_TIMEOUT_MS: undefined });
    await sb.dispose();
  }
});

Deno.test("simulator: without --cd the Windows folder, WSLENV /p = /l, untranslatable dropped", async () => {
  const sb = await sandbox();
  try {
    await importA(sb);
    const here = await Deno.makeTempDir({ dir: sb.dir });
    const out = await new Deno.Command(WSL_EXE, {
      args: ["-d", "a", "-e", "pwd"],
      cwd: here,
      env: { WSL_SIM_STATE: sb.state },
      stdout: "piped",
    }).output();
    assertEquals(text(out.stdout), `/mnt/host${here}\n`);
    const env = {
      WSLENV: "P/p:L/l:UNC/p:REL/p:UNSET",
      P: "C:\\a;D:\\b",
      L: "C:\\a;rel;\\\\srv\\share",
      UNC: "\\\\srv\\share\\x.tar",
      REL: "x\\y",
    };
    const r = await sb.wsl([
      "-d",
      "a",
      "-e",
      "sh",
      "-c",
      'echo "$P|$L|${UNC-dropped}|${REL-dropped}|${UNSET-unset}|$WSLENV"',
    ], { env });
    assertEquals(
      text(r.stdout),
      "/mnt/c/a:/mnt/d/b|/mnt/c/a|dropped|dropped||P/p:L/l:UNC/p:REL/p:UNSET\n",
    );
  } finally {
    await sb.dispose();
  }
});
