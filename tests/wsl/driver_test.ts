/** The WSL driver against the wsl.exe simulator: lifecycle, exactness, spawn counts, faults. */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { driver, machineEnv, sandbox } from "./sim.ts";
import { NotRunningError, PrerequisiteError, TimeoutError, ToolError } from "../../src/errors.ts";
import { ProcessRunner } from "../../src/process.ts";
import { preferredHost } from "../../src/driver/wsl/netns.ts";

const dec = new TextDecoder();

Deno.test("install store + machine, start, exec, states, stop, remove leaves nothing", async () => {
  const sb = await sandbox();
  try {
    const { d, paths } = driver(sb);
    assertEquals((await d.states()).machines.size, 0);
    await d.store.ensureRunning();
    await d.install("m1");
    await d.start("m1", machineEnv());
    const st = await d.states();
    assertEquals(st.store, { installed: true, running: true });
    assertEquals(st.machines.get("m1"), { running: true });
    const who = await d.exec("m1", ["id", "-un"], { capture: true });
    assertEquals(dec.decode(who.stdout).trim(), "codchi");
    const root = await d.exec("m1", ["id", "-un"], { capture: true, user: "root" });
    assertEquals(dec.decode(root.stdout).trim(), "root");
    // the env file reached the machine, root-only, and login shells read it
    const env = await d.exec(
      "m1",
      ["sh", "-c", 'echo "$CODCHI_SECRET_TOKEN:$CODCHI_MACHINE_NAME:$CODCHI_NETNS_HOST"'],
      {
        capture: true,
      },
    );
    // (and its preferred address for network isolation, from its name)
    assertEquals(dec.decode(env.stdout).trim(), `s3cr3t-value:x:${preferredHost("m1")}`);
    const perm = await d.exec("m1", ["stat", "-c", "%a %U", "/etc/codchi-env"], {
      capture: true,
      user: "root",
    });
    assertEquals(dec.decode(perm.stdout).trim(), "600 codchi");
    // the secret never was in any argv
    assert(!(await Deno.readTextFile(sb.log)).includes("s3cr3t-value"));
    const store = await d.store.run(["sh", "-c", "echo store:$(id -u)"]);
    assertEquals(store.text.trim(), "store:0");

    await d.stop("m1");
    assertEquals((await d.states()).machines.get("m1"), { running: false });
    await assertRejects(() => d.exec("m1", ["true"], { capture: true }), NotRunningError);
    await d.remove("m1");
    assertEquals((await d.states()).machines.size, 0);
    const left = [...Deno.readDirSync(`${sb.state}/roots`)].length;
    assertEquals(left, 1, "only the store's root folder is left");
    const data = `${paths.machineDataRoot}/m1`;
    assert(!(await exists(`${data}/ext4.vhdx`)), "the machine disk is gone");
  } finally {
    await sb.dispose();
  }
});

Deno.test("exec passes argv exactly and costs one spawn on a running machine", async () => {
  const sb = await sandbox();
  try {
    const { d, runner } = driver(sb);
    await d.install("m1");
    await d.start("m1", machineEnv());
    const args = [
      "two words",
      `"double" 'single'`,
      "$(id -u)",
      "`id -u`",
      "*",
      "line1\nline2",
      "ünïcødé ✓ 日本",
      "-e",
      "--exec",
      "--",
      "",
      "back\\slash\\",
      "$HOME ${PATH}",
      "a;b|c&d>e",
    ];
    const before = runner.spawns;
    const out = await d.exec("m1", ["sh", "-c", 'printf "%s\\0" "$@"', "sh", ...args], {
      capture: true,
    });
    assertEquals(runner.spawns - before, 1);
    assertEquals(out.code, 0);
    assertEquals(dec.decode(out.stdout).split("\0").slice(0, -1), args);
    // exit codes pass through; cwd and env are honoured
    const code = await d.exec("m1", ["sh", "-c", "exit 7"], { capture: true });
    assertEquals(code.code, 7);
    const cwd = await d.exec("m1", ["sh", "-c", 'pwd; echo "$FOO"'], {
      capture: true,
      cwd: "/tmp",
      env: { FOO: "bar baz" },
    });
    assertEquals(dec.decode(cwd.stdout), "/tmp\nbar baz\n");
    const stdin = await d.exec("m1", ["cat"], { capture: true, stdin: "from stdin" });
    assertEquals(dec.decode(stdin.stdout), "from stdin");
    // extra variables reach the user's session (through WSLENV, then machinectl --setenv) and root
    const tricky = { A_1: `$(id) 'q' "d" \\ \n;`, B: "" };
    for (const user of ["codchi", "root"] as const) {
      const v = await d.exec("m1", ["sh", "-c", 'printf "%s|%s" "$A_1" "${B-unset}"'], {
        capture: true,
        user,
        env: tricky,
      });
      assertEquals(dec.decode(v.stdout), `${tricky.A_1}|`, user);
    }
    // no command: the user's login shell (here fed by stdin)
    const shell = await d.exec("m1", [], { capture: true, stdin: "echo shell:$USER\n" });
    assertEquals(dec.decode(shell.stdout), "shell:codchi\n");
    // passthrough mode: the exit code still comes back
    const inherit = await d.exec("m1", ["sh", "-c", "exit 3"], { stdin: new Uint8Array() });
    assertEquals(inherit.code, 3);
  } finally {
    await sb.dispose();
  }
});

Deno.test("states() is one spawn for 10 machines; CODCHI_TRACE shows it", async () => {
  const sb = await sandbox();
  try {
    const trace: string[] = [];
    const { d, runner } = driver(sb, { runner: new ProcessRunner(true, (l) => trace.push(l)) });
    await d.store.ensureRunning();
    for (let i = 0; i < 10; i++) await d.install(`m${i}`);
    await d.start("m3", machineEnv());
    const before = runner.spawns;
    const logged = (await sb.calls()).length;
    const st = await d.states();
    assertEquals(runner.spawns - before, 1);
    assertEquals((await sb.calls()).length - logged, 1);
    assertEquals(st.machines.size, 10);
    assertEquals(st.machines.get("m3"), { running: true });
    assertEquals(st.machines.get("m4"), { running: false });
    assertEquals(st.store.installed, true);
    const wslLines = trace.slice(-1).filter((l) => l.includes("wsl.exe --list --verbose"));
    assertEquals(wslLines.length, 1);
    const n = trace.length;
    await d.exec("m3", ["true"], { capture: true });
    assertEquals(trace.length - n, 1, "exec on a running machine: one traced spawn");
  } finally {
    await sb.dispose();
  }
});

Deno.test("duplicate copies the disk; exportTree streams a tar of the machine's folders", async () => {
  const sb = await sandbox();
  try {
    const { d } = driver(sb);
    await d.install("m1");
    await d.start("m1", machineEnv());
    await d.exec("m1", ["sh", "-c", "echo hello > ~/note"], { capture: true });
    await d.duplicate("m1", "m2");
    await d.start("m2", machineEnv());
    const note = await d.exec("m2", ["cat", "/home/codchi/note"], { capture: true });
    assertEquals(dec.decode(note.stdout), "hello\n");
    await assertRejects(() => d.duplicate("m1", "m2"), Error, "already exists");
    const tar = `${sb.dir}/m2.tar`;
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    await d.exportTree("m2", ["/home/codchi", "/root", "/no/such/folder"], (c) => {
      chunks.push(c.slice());
      return Promise.resolve();
    });
    await Deno.writeFile(tar, new Uint8Array(await new Blob(chunks).arrayBuffer()));
    const list = await new Deno.Command("tar", { args: ["-tf", tar], stdout: "piped" }).output();
    assertEquals(list.code, 0);
    const names = dec.decode(list.stdout).split("\n");
    assert(names.includes("home/codchi/note"), names.join(", "));
    assert(names.includes("root/"), names.join(", "));
    assert(!names.some((n) => n.includes("codchi-env")), "never the env file (secrets)");
    await d.remove("m2");
    await d.remove("m1");
    assertEquals((await d.states()).machines.size, 0);
  } finally {
    await sb.dispose();
  }
});

Deno.test("store recover keeps /nix and renews the rest", async () => {
  const sb = await sandbox();
  try {
    const { d } = driver(sb);
    await d.store.ensureRunning();
    await d.store.run(["sh", "-c", "echo kept > /nix/store/marker; echo junk > /etc/junk"]);
    await d.store.recover();
    await d.store.ensureRunning();
    const r = await d.store.run([
      "sh",
      "-c",
      "cat /nix/store/marker; test -e /etc/junk || echo fresh",
    ]);
    assertEquals(r.text, "kept\nfresh\n");
  } finally {
    await sb.dispose();
  }
});

Deno.test("machine recover keeps /home and renews the rest", async () => {
  const sb = await sandbox();
  try {
    const { d } = driver(sb);
    await d.install("m1");
    await d.start("m1", machineEnv());
    await d.exec("m1", ["sh", "-c", "echo kept > ~/f"], { capture: true });
    await d.exec("m1", ["sh", "-c", "echo junk > /etc/junk"], { capture: true, user: "root" });
    await d.recover("m1");
    await d.start("m1", machineEnv());
    const script = "cat ~/f; test -e /etc/junk || echo fresh";
    const r = await d.exec("m1", ["sh", "-c", script], { capture: true });
    assertEquals(dec.decode(r.stdout), "kept\nfresh\n");
  } finally {
    await sb.dispose();
  }
});

Deno.test("with 30% transient failures every lifecycle step still succeeds", async () => {
  const sb = await sandbox();
  try {
    sb.set({ WSL_SIM_FAIL_RATE: "0.3", WSL_SIM_SEED: Deno.env.get("CODCHI_TEST_SEED") ?? "42" });
    const { d, debug } = driver(sb);
    await d.store.ensureRunning();
    await d.install("m1");
    await d.start("m1", machineEnv());
    const out = await d.exec("m1", ["echo", "ok"], { capture: true, stdin: "" });
    assertEquals(dec.decode(out.stdout), "ok\n");
    assertEquals((await d.states()).machines.get("m1"), { running: true });
    await d.duplicate("m1", "m2");
    await d.start("m1", machineEnv());
    await d.exportTree("m1", ["/home/codchi"], async () => {});
    await d.stop("m1");
    await d.remove("m2");
    await d.remove("m1");
    assertEquals((await d.states()).machines.size, 0);
    const faults = (await sb.calls()).filter((c) => c.fault);
    assert(faults.length > 3, `faults were injected (${faults.length})`);
    assert(debug.some((l) => l.includes("transient failure")), "retries are logged");
  } finally {
    await sb.dispose();
  }
});

Deno.test("a persistent failure stops within its bound, clearly, leaving nothing", async () => {
  const sb = await sandbox();
  try {
    const { d, paths } = driver(sb, { retry: { attempts: 4, totalMs: 3_000, baseDelayMs: 10 } });
    sb.set({ WSL_SIM_FAIL_PERSIST: "catastrophic" });
    const t0 = performance.now();
    const err = await assertRejects(() => d.install("m1"), ToolError);
    assert(performance.now() - t0 < 10_000);
    assert(err.message.includes("Catastrophic failure"), err.message);
    assert(err.hint?.includes("wsl --shutdown"));
    // the store is imported, then its disk cannot be made sparse: the half-made store goes
    sb.set({ WSL_SIM_FAIL_OPS: "manage" });
    await assertRejects(() => d.store.ensureRunning(), ToolError, "Catastrophic failure");
    // imported, then its health check keeps failing: the half-made store goes too
    const rpcs = Array.from({ length: 12 }, () => "rpc").join(",");
    sb.set({
      WSL_SIM_FAIL_PERSIST: undefined,
      WSL_SIM_FAIL_OPS: "exec",
      WSL_SIM_FAIL_SEQ: `ok,${rpcs}`,
    });
    await assertRejects(() => d.store.ensureRunning(), ToolError, "remote procedure call");
    const imports = (await sb.calls()).filter((c) => c.op === "import" && c.code === 0);
    assertEquals(imports.length, 2, "both stores were imported before they failed");
    sb.set({ WSL_SIM_FAIL_SEQ: undefined, WSL_SIM_FAIL_OPS: undefined });
    const st = await d.states();
    assertEquals(st.store.installed, false);
    assertEquals(st.machines.size, 0);
    assertEquals([...Deno.readDirSync(`${sb.state}/roots`)].length, 0);
    assert(!(await exists(paths.storeDir)), "the store folder codchi made is gone");
    // a real error is never retried
    const calls = (await sb.calls()).length;
    await assertRejects(() => d.stop("nope"), Error, "is not registered");
    assertEquals((await sb.calls()).length - calls, 1);
  } finally {
    await sb.dispose();
  }
});

Deno.test("start waits for readiness within its bound; the store restarts after a stop", async () => {
  const sb = await sandbox();
  try {
    const { d } = driver(sb, { startTimeoutMs: 1_500, machineProbe: ["false"] });
    await d.install("m1");
    await d.store.ensureRunning(); // the bound is the machine's: time only its start
    const t0 = performance.now();
    await assertRejects(() => d.start("m1", machineEnv()), TimeoutError, "within 2 s");
    assert(performance.now() - t0 < 6_000);
    await d.store.stop();
    assertEquals((await d.states()).store, { installed: true, running: false });
    sb.set({ WSL_SIM_VERSION: "1.2.5.0" });
    await assertRejects(() => d.checkVersion(), PrerequisiteError, "too old");
    sb.set({ WSL_SIM_VERSION: undefined });
    await d.store.ensureRunning();
    assertEquals((await d.states()).store, { installed: true, running: true });
  } finally {
    await sb.dispose();
  }
});

Deno.test("a missing wsl.exe is a prerequisite error naming the fix", async () => {
  const sb = await sandbox();
  try {
    const { d } = driver(sb, { wslExe: `${sb.dir}/no/wsl.exe` });
    await assertRejects(() => d.states(), PrerequisiteError, "was not found");
  } finally {
    await sb.dispose();
  }
});

async function exists(p: string) {
  try {
    await Deno.stat(p);
    return true;
  } catch {
    return false;
  }
}
