/** The process door: trace lines, redaction, argv formatting, spawn counting, ToolError. */
import assert from "node:assert/strict";
import {
  findOnPath,
  formatArgv,
  isExecutableFile,
  isPlainFile,
  makeOutput,
  ProcessRunner,
  redact,
  registerSecret,
  toolError,
  traceLine,
} from "../src/process.ts";
import { ToolError } from "../src/errors.ts";

const TRACE = /^codchi-trace: spawn (\d+) (-?\d+) (.+)$/;

Deno.test("traceLine format: codchi-trace: spawn <ms> <exit> <argv…>", () => {
  assert.equal(
    traceLine(12.6, 0, ["lxc", "query", "/1.0"]),
    "codchi-trace: spawn 13 0 lxc query /1.0",
  );
  assert.equal(
    traceLine(0, 127, ["sh", "-c", "echo hi"]),
    "codchi-trace: spawn 0 127 sh -c 'echo hi'",
  );
  assert.match(traceLine(1, -1, ["x"]), TRACE);
});

Deno.test("registered and per-call secrets are redacted in traces", () => {
  registerSecret("ghp_registeredSecret123");
  registerSecret("ab"); // too short to redact safely: ignored
  const line = traceLine(5, 0, ["git", "clone", "https://u:ghp_registeredSecret123@x/y"], [
    "percall-secret",
  ]);
  assert.ok(!line.includes("ghp_registeredSecret123"), line);
  assert.ok(line.includes("***"));
  assert.equal(redact("a percall-secret b", ["percall-secret", ""]), "a *** b");
  assert.equal(redact("ab cd"), "ab cd");
  // longer secrets first, so a secret containing another is fully hidden
  assert.equal(redact("xx-long-secret-xx", ["long", "long-secret"]), "xx-***-xx");
});

Deno.test("formatArgv quotes only what needs it", () => {
  assert.equal(formatArgv(["nix", "build", "--json", "a/b#c"]), "nix build --json 'a/b#c'");
  assert.equal(formatArgv(["echo", "it's"]), `echo 'it'\\''s'`);
  assert.equal(formatArgv(["a b", ""]), "'a b' ''");
});

Deno.test("ProcessRunner: counts spawns, traces each one, captures output", async () => {
  const lines: string[] = [];
  const r = new ProcessRunner(true, (l) => lines.push(l));
  const a = await r.run(["sh", "-c", "printf out; printf err >&2"]);
  assert.equal(a.code, 0);
  assert.equal(a.text, "out");
  assert.equal(a.errText, "err");
  const b = await r.run(["sh", "-c", "exit 3"], { check: false });
  assert.equal(b.code, 3);
  const c = await r.run(["cat"], { stdin: "from stdin" });
  assert.equal(c.text, "from stdin");
  assert.equal(r.spawns, 3);
  assert.equal(lines.length, 3);
  for (const l of lines) assert.match(l, TRACE);
  assert.equal(TRACE.exec(lines[1])![2], "3");
  assert.equal(TRACE.exec(lines[2])![3], "cat");
});

Deno.test("ProcessRunner: no trace lines when tracing is off", async () => {
  const lines: string[] = [];
  const r = new ProcessRunner(false, (l) => lines.push(l));
  await r.run(["true"]);
  assert.equal(r.spawns, 1);
  assert.deepEqual(lines, []);
});

Deno.test("ProcessRunner: failure is a ToolError with the stderr tail, secrets redacted", async () => {
  const lines: string[] = [];
  const r = new ProcessRunner(true, (l) => lines.push(l));
  await assert.rejects(
    () =>
      r.run(["sh", "-c", "echo 'token tok-SECRET-1 rejected' >&2; exit 7", "tok-SECRET-1"], {
        secrets: ["tok-SECRET-1"],
      }),
    (e: unknown) => {
      assert.ok(e instanceof ToolError);
      assert.equal(e.exitCode, 6);
      assert.equal(e.tool, "sh");
      assert.equal(e.code, 7);
      assert.match(e.message, /sh failed \(exit 7\)/);
      assert.match(e.message, /token \*\*\* rejected/);
      assert.ok(!e.message.includes("tok-SECRET-1"));
      return true;
    },
  );
  assert.ok(!lines[0].includes("tok-SECRET-1"), lines[0]);
  assert.match(lines[0], /^codchi-trace: spawn \d+ 7 sh -c /);
  await assert.rejects(() => r.run([]), /empty argv/);
});

Deno.test("ProcessRunner: onStderrLine sees each line and stderr is still captured", async () => {
  const seen: string[] = [];
  const r = new ProcessRunner(false);
  const out = await r.run(["sh", "-c", "printf 'a\\nb\\nc' >&2"], {
    onStderrLine: (l) => seen.push(l),
  });
  assert.deepEqual(seen, ["a", "b", "c"]);
  assert.equal(out.errText, "a\nb\nc");
});

Deno.test("ProcessRunner: timeout kills the child", async () => {
  const r = new ProcessRunner(false);
  const t0 = performance.now();
  const out = await r.run(["sleep", "5"], { timeoutMs: 200, check: false });
  assert.notEqual(out.code, 0);
  assert.ok(performance.now() - t0 < 3000);
});

Deno.test("toolError keeps the last 12 non-empty lines; stdout when stderr is empty", () => {
  const err = Array.from({ length: 20 }, (_, i) => `line ${i}`).join("\n\n");
  const e = toolError(
    ["/usr/bin/lxc", "start", "x"],
    makeOutput(1, new Uint8Array(), new TextEncoder().encode(err)),
  );
  assert.equal(e.tool, "lxc");
  assert.ok(!e.message.includes("line 7\n"));
  assert.match(e.message, /line 8/);
  assert.match(e.message, /line 19/);
  const o = toolError(
    ["x"],
    makeOutput(2, new TextEncoder().encode("only stdout"), new Uint8Array()),
  );
  assert.match(o.message, /only stdout/);
});

Deno.test("ProcessRunner: a missing program is exit 127 'command not found', not a throw", async () => {
  const r = new ProcessRunner(false);
  const out = await r.run(["codchi-no-such-program-x1"], { check: false });
  assert.equal(out.code, 127);
  assert.match(out.errText, /^codchi-no-such-program-x1: command not found/);
  await assert.rejects(() => r.run(["codchi-no-such-program-x1"]), ToolError);
});

Deno.test("ProcessRunner: timeout is exit 124; env is added to the parent's; cwd applies", async () => {
  const r = new ProcessRunner(false);
  const t = await r.run(["sleep", "5"], { timeoutMs: 100, check: false });
  assert.equal(t.code, 124);
  const dir = await Deno.makeTempDir();
  try {
    const out = await r.run(["sh", "-c", 'printf "%s|%s|%s" "$CODCHI_X" "$PWD" "${HOME:+home}"'], {
      env: { CODCHI_X: "1 2" },
      cwd: dir,
    });
    assert.equal(out.text, `1 2|${await Deno.realPath(dir)}|home`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ProcessRunner: large stdin and stdout stream without a deadlock", async () => {
  const r = new ProcessRunner(false);
  const big = new Uint8Array(4 * 1024 * 1024).map((_, i) => i % 251);
  const out = await r.run(["cat"], { stdin: big });
  assert.equal(out.stdout.length, big.length);
  assert.deepEqual(out.stdout.subarray(0, 1000), big.subarray(0, 1000));
  // A child that does not read its stdin is no error.
  const ignored = await r.run(["true"], { stdin: big });
  assert.equal(ignored.code, 0);
});

Deno.test("ProcessRunner: onSpawn signals the running child, and is a no-op once it ended", async () => {
  const r = new ProcessRunner(false);
  let send: ((sig: Deno.Signal) => void) | undefined;
  const t0 = performance.now();
  const running = r.run(["sleep", "30"], {
    check: false,
    onSpawn: (s) => {
      send = s;
    },
  });
  assert.ok(send, "onSpawn is called as soon as the child runs");
  send("SIGTERM");
  const out = await running;
  assert.equal(out.code, 128 + 15, "the child died of SIGTERM");
  assert.ok(performance.now() - t0 < 5000);
  send("SIGKILL"); // ended: nothing happens, nothing throws
});

Deno.test("findOnPath: first match in PATH order, empty entries skipped, custom separator", () => {
  const files = new Set(["/b/lxc", "/c/lxc", "C:\\w/wsl.exe", "/d/x"]);
  const is = (p: string) => files.has(p);
  assert.equal(findOnPath("lxc", "/a::/b:/c", is), "/b/lxc");
  assert.equal(findOnPath("lxc", "/c:/b", is), "/c/lxc");
  assert.equal(findOnPath("incus", "/a:/b:/c", is), undefined);
  assert.equal(findOnPath("lxc", "", is), undefined);
  assert.equal(findOnPath("lxc", ":", is), undefined);
  assert.equal(findOnPath("wsl.exe", "C:\\x;C:\\w", is, ";"), "C:\\w/wsl.exe");
  assert.equal(findOnPath("x", "/d/", is), "/d/x", "a trailing slash is not doubled");
});

Deno.test("isExecutableFile / isPlainFile / findOnPath look at real files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/run`, "#!/bin/sh\n", { mode: 0o755 });
    await Deno.chmod(`${dir}/run`, 0o755);
    await Deno.writeTextFile(`${dir}/data`, "not executable", { mode: 0o644 });
    await Deno.chmod(`${dir}/data`, 0o644);
    await Deno.mkdir(`${dir}/sub`, { mode: 0o755 });
    assert.equal(isExecutableFile(`${dir}/run`), true);
    assert.equal(isExecutableFile(`${dir}/data`), false);
    assert.equal(isExecutableFile(`${dir}/sub`), false, "a folder is no program");
    assert.equal(isExecutableFile(`${dir}/missing`), false);
    assert.equal(isPlainFile(`${dir}/data`), true);
    assert.equal(isPlainFile(`${dir}/sub`), false);
    assert.equal(isPlainFile(`${dir}/missing`), false);
    const path = `/nonexistent-codchi:${dir}`;
    assert.equal(findOnPath("run", path, isExecutableFile), `${dir}/run`);
    assert.equal(findOnPath("data", path, isExecutableFile), undefined);
    assert.equal(findOnPath("data", path, isPlainFile), `${dir}/data`);
    assert.equal(findOnPath("sub", path, isPlainFile), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Runs `code` (whileSignalled and `self(signal)` at hand) in a fresh Deno: status, stdout. */
async function inChild(code: string): Promise<{ status: Deno.CommandStatus; out: string }> {
  const url = new URL("../src/process.ts", import.meta.url).href;
  const src = `import { whileSignalled } from ${JSON.stringify(url)};
    const self = async (s) => { Deno.kill(Deno.pid, s); await new Promise((r) => setTimeout(r, 200)); };
    ${code}`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", src],
    stdout: "piped",
    stderr: "null",
  }).output();
  return { status: out, out: new TextDecoder().decode(out.stdout).trim() };
}

// The test runner itself stops on SIGINT, so every signal goes to a child Deno.
const POSIX = { ignore: Deno.build.os === "windows" };

Deno.test(
  "whileSignalled: SIGINT and SIGTERM during the work reach the handler",
  POSIX,
  async () => {
    const { status, out } = await inChild(`
    const got = [];
    const r = await whileSignalled((s) => got.push(s), async () => {
      await self("SIGINT");
      await self("SIGTERM");
      await self("SIGINT");
      return 42;
    });
    console.log(r, got.join(" "));`);
    assert.equal(status.code, 0);
    assert.equal(out, "42 SIGINT SIGTERM SIGINT");
  },
);

Deno.test("whileSignalled: only the listed signals are listened to", POSIX, async () => {
  const { status, out } = await inChild(`
    await whileSignalled((s) => console.log("caught", s), async () => {
      await self("SIGINT");
      await self("SIGTERM"); // not listened to: ends the process
      console.log("survived");
    }, ["SIGINT"]);`);
  assert.equal(status.signal, "SIGTERM", `exit ${status.code}`);
  assert.equal(out, "caught SIGINT");
});

Deno.test(
  "whileSignalled: the listeners are gone once the work settled (returned or threw)",
  POSIX,
  async () => {
    for (const work of ["async () => 1", "async () => { throw new Error('x'); }"]) {
      for (const sig of ["SIGINT", "SIGTERM"]) {
        // A listener left behind would catch the signal, and the child would go on to exit 7.
        const { status, out } = await inChild(`
        const r = await whileSignalled(() => console.log("caught"), ${work}).catch(() => "threw");
        console.log(r);
        await self("${sig}");
        Deno.exit(7);`);
        assert.equal(status.signal, sig, `${work} ${sig}: exit ${status.code}`);
        assert.match(out, /^(1|threw)$/);
      }
    }
  },
);
