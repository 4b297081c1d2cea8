/**
 * The WSL driver survives WSL as the simulator plays it: translated messages, no error code for
 * "no distros", hangs, idle stops, attached disks, and the real machine image's layout (no /bin,
 * systemd=true, the real init.sh).
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { driver, machineEnv, REAL_MACHINE_IMAGE, type Sandbox, sandbox } from "./sim.ts";
import { NotRunningError, TimeoutError } from "../../src/errors.ts";
import { machinePaths } from "../../src/config/paths.ts";
import { ENV_FILE, MACHINE_USER } from "../../src/contract.ts";

const dec = new TextDecoder();

/** Waits (bounded) until `n` wsl.exe processes are attached to distros in the simulator. */
async function attached(sb: Sandbox, n: number): Promise<void> {
  for (let i = 0; i < 150; i++) {
    const reg = JSON.parse(await Deno.readTextFile(`${sb.state}/registry.json`));
    if ((reg.clients ?? []).length >= n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`fewer than ${n} wsl.exe processes attached after 15 s`);
}

Deno.test("no distros on current WSL (no error code) in German, French, Chinese: states is empty", async () => {
  const sb = await sandbox();
  try {
    const { d } = driver(sb);
    for (const locale of ["de", "fr", "zh", "en"]) {
      sb.set({ WSL_SIM_VERSION: "2.5.10.0", WSL_SIM_LOCALE: locale });
      const st = await d.states();
      assertEquals([st.store.installed, st.machines.size], [false, 0], locale);
    }
    // The version in any language; too old is still too old.
    sb.set({ WSL_SIM_LOCALE: "zh" });
    assertEquals(await d.checkVersion(), "2.5.10.0");
    sb.set({ WSL_SIM_VERSION: "1.2.5.0", WSL_SIM_LOCALE: "fr" });
    await assertRejects(() => d.checkVersion(), Error, "too old");
  } finally {
    await sb.dispose();
  }
});

Deno.test("transient errors in German are retried; a hang is a timeout naming the call and the fix", async () => {
  const sb = await sandbox();
  try {
    const { d, debug } = driver(sb, { bounds: { shortMs: 1500, startMs: 1500 } });
    sb.set({ WSL_SIM_LOCALE: "de", WSL_SIM_FAIL_SEQ: "catastrophic,rpc" });
    assertEquals((await d.states()).machines.size, 0);
    assertEquals(debug.filter((l) => l.includes("transient failure")).length, 2, debug.join("\n"));
    sb.set({ WSL_SIM_FAIL_SEQ: "hang" });
    const t0 = performance.now();
    const e = await assertRejects(() => d.states(), TimeoutError);
    assert(performance.now() - t0 < 6000, "bounded");
    assert(e.message.includes("wsl.exe --list --verbose"), e.message);
    assert((e as TimeoutError).hint?.includes("wsl --shutdown"), String((e as TimeoutError).hint));
  } finally {
    await sb.dispose();
  }
});

Deno.test("the store and a machine stay up through WSL's idle stop; exec hangs are bounded", async () => {
  const sb = await sandbox();
  try {
    const { d, runner } = driver(sb, { bounds: { startMs: 2000 } });
    await d.store.ensureRunning();
    await d.install("m1");
    await d.start("m1", machineEnv());
    // WSL's idle timer fires 15 s after the last call: by then both detached keep-alives have
    // attached (the simulator's registry lists the wsl.exe processes attached to distros).
    await attached(sb, 2);
    assertEquals((await sb.wsl(["--sim-fire-idle"])).code, 0);
    const st = await d.states();
    assertEquals([st.store.running, st.machines.get("m1")?.running], [true, true]);
    const before = runner.spawns;
    const who = await d.exec("m1", ["id", "-un"], { capture: true });
    assertEquals(dec.decode(who.stdout).trim(), "codchi");
    assertEquals(runner.spawns - before, 1, "exec stays one spawn");
    // A machine the user stopped is stopped (its keep-alive ends with it).
    await d.stop("m1");
    await sb.wsl(["--sim-fire-idle"]);
    assertEquals((await d.states()).machines.get("m1")?.running, false);
    // An exec whose wsl.exe hangs before the command starts is bounded.
    await d.start("m1", machineEnv());
    sb.set({ WSL_SIM_FAIL_SEQ: "hang", WSL_SIM_FAIL_OPS: "exec" });
    const e = await assertRejects(() => d.exec("m1", ["true"], { capture: true }), TimeoutError);
    assert(e.message.includes("codchi-m1"), e.message);
    sb.set({ WSL_SIM_FAIL_SEQ: undefined, WSL_SIM_FAIL_OPS: undefined });
    // The tar stream of a machine that is stopped: NotRunningError (WSL would boot it unready).
    await d.stop("m1");
    await assertRejects(
      () => d.exportTree("m1", ["/home/codchi"], async () => {}),
      NotRunningError,
    );
  } finally {
    await sb.dispose();
  }
});

Deno.test("duplicate copies a current disk although --terminate leaves it attached", async () => {
  const sb = await sandbox();
  try {
    const { d } = driver(sb);
    await d.store.ensureRunning();
    await d.install("a");
    await d.start("a", machineEnv());
    await d.exec("a", ["sh", "-c", "echo fresh > /home/codchi/f"], { capture: true });
    await d.duplicate("a", "b");
    const r = await sb.wsl(["-d", "codchi-b", "-e", "cat", "/home/codchi/f"]);
    assertEquals(dec.decode(r.stdout), "fresh\n");
  } finally {
    await sb.dispose();
  }
});

/** A stand-in NixOS system for the real image: activation makes /bin/sh, systemd is "running". */
const FAKE_SYSTEM = `#!/usr/lib/codchi/busybox sh
export PATH=/usr/lib/codchi/bin
mkdir -p /bin /usr/bin
ln -sf /usr/lib/codchi/busybox /bin/sh
printf '#!/bin/sh\\necho running\\n' > /usr/bin/systemctl
chmod 755 /usr/bin/systemctl
: > /run/fake-nixos-booted
exec sleep 2147483647
`;

Deno.test("the real machine image's layout: no /bin, systemd=true, the real init.sh", async () => {
  const sb = await sandbox();
  try {
    sb.set({ WSL_SIM_INIT_TIMEOUT_MS: "1000" });
    const { d, paths } = driver(sb, { machineImage: REAL_MACHINE_IMAGE });
    await d.store.ensureRunning();
    await d.install("r");
    const system = `${machinePaths(paths, "r").profilesDir}/system`;
    await Deno.mkdir(system, { recursive: true });
    await Deno.writeTextFile(`${system}/init`, FAKE_SYSTEM, { mode: 0o755 });
    const noSh = await sb.wsl(["-d", "codchi-r", "-u", "root", "-e", "/bin/sh", "-c", "true"]);
    assert(noSh.code !== 0, "the image has no /bin/sh before NixOS runs");
    await sb.wsl(["--terminate", "codchi-r"]);
    await d.start("r", { ...machineEnv(), vars: {} }); // the machine's name from the driver
    const cat = await sb.wsl([
      "-d",
      "codchi-r",
      "--user",
      "root",
      "-e",
      "/usr/lib/codchi/busybox",
      "sh",
      "-c",
      `stat -c '%a %u' ${ENV_FILE}; grep -c s3cr3t ${ENV_FILE}; ls /run/fake-nixos-booted`,
    ]);
    assertEquals(
      dec.decode(cat.stdout),
      `600 ${MACHINE_USER.uid}\n1\n/run/fake-nixos-booted\n`,
      "init.sh took the pushed env file and started the system",
    );
    // init.sh shared the home with the store under /mnt/wsl; remove takes that mount back first
    // (it would keep the machine's disk mounted in WSL's VM).
    const share = "/mnt/wsl/codchi/machines/r/home";
    const mounted = async () =>
      dec.decode(
        (await sb.wsl(["-d", "codchistore", "-e", "grep", "-c", ` ${share} `, "/proc/mounts"]))
          .stdout,
      ).trim();
    assert(Number(await mounted()) >= 1, "the store sees the machine's home");
    await d.remove("r");
    assertEquals(await mounted(), "0", "no mount of the removed machine's home is left");
  } finally {
    sb.set({ WSL_SIM_INIT_TIMEOUT_MS: undefined });
    await sb.dispose();
  }
});
