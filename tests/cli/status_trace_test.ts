/** status on an empty host, bare `codchi`, CODCHI_TRACE lines, doctor's JSON and exit 9. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeHome } from "../support/cli.ts";
import { hasEscapes, listTree } from "./_helpers.ts";

const TRACE = /^codchi-trace: spawn (\d+) (-?\d+) (.+)$/;

Deno.test("status --json prints [] on an empty host without spawning anything", async () => {
  const home = await makeHome({ CODCHI_TRACE: "1" });
  try {
    const before = await listTree(home.root);
    const r = await home.run(["status", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), []);
    assert.equal(r.stdout.trim(), "[]");
    assert.deepEqual(r.traces, [], "status spawned a process on an empty host");
    assert.equal(r.stderr, "");
    assert.deepEqual(await listTree(home.root), before, "status wrote files");
    // --json may also stand before the command.
    const g = await home.run(["--json", "status"]);
    assert.equal(g.stdout.trim(), "[]");
  } finally {
    await home.cleanup();
  }
});

Deno.test("bare codchi runs status", async () => {
  const home = await makeHome({ CODCHI_TRACE: "1" });
  try {
    const [bare, status, bareJson] = await Promise.all([
      home.run([]),
      home.run(["status"]),
      home.run(["--json"]),
    ]);
    assert.equal(bare.code, 0, bare.stderr);
    assert.equal(bare.stdout, status.stdout);
    assert.match(bare.stdout, /No machines yet/);
    assert.ok(!hasEscapes(bare.stdout + bare.stderr));
    assert.deepEqual(bare.traces, []);
    assert.deepEqual(JSON.parse(bareJson.stdout), []);
  } finally {
    await home.cleanup();
  }
});

/** A temp bin folder with a fake `lxc` that answers `lxc query /1.0`. */
async function fakeLxc(root: string, exit = 0): Promise<string> {
  const bin = join(root, "bin");
  await Deno.mkdir(bin, { recursive: true });
  await Deno.writeTextFile(
    join(bin, "lxc"),
    `#!/bin/sh\necho "$@" >> "${root}/lxc.calls"\n` +
      (exit ? `echo "Error: daemon down" >&2\nexit ${exit}\n` : `echo '{}'\n`),
    { mode: 0o755 },
  );
  return bin;
}

Deno.test("CODCHI_TRACE=1: doctor's `lxc query /1.0` gives one well-formed trace line", async () => {
  const home = await makeHome({ CODCHI_TRACE: "1", CODCHI_DRIVER: "lxd" });
  try {
    const bin = await fakeLxc(home.root);
    const r = await home.run(["doctor", "--json"], {
      env: { PATH: `${bin}:${home.env.PATH}` },
    });
    const lxcTraces = r.traces.filter((l) => l.includes(" lxc "));
    assert.equal(lxcTraces.length, 1, r.stderr);
    const m = TRACE.exec(lxcTraces[0]);
    assert.ok(m, lxcTraces[0]);
    assert.equal(m[2], "0");
    assert.equal(m[3], "lxc query /1.0");
    assert.ok(Number(m[1]) >= 0 && Number(m[1]) < 60_000);
    // exactly one real spawn of lxc, and the trace counts it exactly
    assert.equal((await Deno.readTextFile(join(home.root, "lxc.calls"))).trim(), "query /1.0");
    for (const l of r.traces) assert.match(l, TRACE);
    const body = JSON.parse(r.stdout);
    assert.equal(body.checks.find((c: { name: string }) => c.name === "daemon").ok, true);

    // Without CODCHI_TRACE: no trace line at all.
    const quiet = await home.run(["doctor", "--json"], {
      env: { PATH: `${bin}:${home.env.PATH}`, CODCHI_TRACE: "0" },
    });
    assert.deepEqual(quiet.traces, []);
    assert.ok(!quiet.stderr.includes("codchi-trace"));
  } finally {
    await home.cleanup();
  }
});

Deno.test("trace line carries the child's exit code; doctor reports the dead daemon (exit 9)", async () => {
  const home = await makeHome({ CODCHI_TRACE: "1", CODCHI_DRIVER: "lxd" });
  try {
    const bin = await fakeLxc(home.root, 3);
    const r = await home.run(["doctor", "--json"], { env: { PATH: `${bin}:${home.env.PATH}` } });
    assert.equal(r.code, 9, r.stderr);
    const m = TRACE.exec(r.traces.find((l) => l.includes(" lxc ")) ?? "");
    assert.ok(m, r.stderr);
    assert.equal(m[2], "3");
    const body = JSON.parse(r.stdout);
    const daemon = body.checks.find((c: { name: string }) => c.name === "daemon");
    assert.equal(daemon.ok, false);
    assert.match(daemon.detail, /daemon down/);
    assert.match(daemon.fix, /systemctl start lxd/);
  } finally {
    await home.cleanup();
  }
});

Deno.test("doctor --json: shape, and exit 9 naming the fix when lxc is missing", async () => {
  const home = await makeHome({ CODCHI_DRIVER: "lxd", CODCHI_TRACE: "1" });
  try {
    // runCli starts Deno by its absolute path, so a PATH without lxc still runs codchi.
    const r = await home.run(["doctor", "--json"], { env: { PATH: "/nonexistent-codchi-path" } });
    assert.equal(r.code, 9, r.stderr);
    assert.deepEqual(r.traces, [], "doctor spawned something although lxc is missing");
    const body = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(body).sort(), ["checks", "driver", "ok"]);
    assert.equal(body.driver, "lxd");
    assert.equal(body.ok, false);
    for (const c of body.checks) {
      assert.equal(typeof c.name, "string");
      assert.equal(typeof c.ok, "boolean");
      assert.ok(c.severity === "error" || c.severity === "warning");
      assert.equal(typeof c.detail, "string");
      if (!c.ok) assert.equal(typeof c.fix, "string", `${c.name} has no fix`);
    }
    const driver = body.checks.find((c: { name: string }) => c.name === "driver");
    assert.match(driver.detail, /CODCHI_DRIVER/);
    const lxc = body.checks.find((c: { name: string }) => c.name === "lxc binary");
    assert.equal(lxc.ok, false);
    assert.equal(lxc.severity, "error");
    assert.match(lxc.fix, /apt-get install lxd/);
    assert.equal(body.checks.some((c: { name: string }) => c.name === "daemon"), false);

    // The table for people says the same, without colour when not on a terminal.
    const t = await home.run(["doctor"], { env: { PATH: "/nonexistent-codchi-path" } });
    assert.equal(t.code, 9);
    assert.match(t.stdout, /^CHECK\s+RESULT\s+DETAIL\s+FIX$/m);
    assert.match(t.stdout, /^lxc binary\s+MISSING\s+lxc is not on PATH/m);
    assert.match(t.stdout, /codchi cannot work on this host yet/);
    assert.ok(!hasEscapes(t.stdout + t.stderr));
  } finally {
    await home.cleanup();
  }
});

Deno.test("doctor with incus forced asks incus and names incus-admin", async () => {
  const home = await makeHome({ CODCHI_DRIVER: "incus" });
  try {
    const r = await home.run(["doctor", "--json"], { env: { PATH: "/nonexistent-codchi-path" } });
    assert.equal(r.code, 9);
    const body = JSON.parse(r.stdout);
    assert.equal(body.driver, "incus");
    const bin = body.checks.find((c: { name: string }) => c.name === "incus binary");
    assert.equal(bin.ok, false);
    assert.match(bin.fix, /incus/);
  } finally {
    await home.cleanup();
  }
});

Deno.test("an unknown CODCHI_DRIVER is a usage error (exit 2)", async () => {
  const home = await makeHome({ CODCHI_DRIVER: "docker" });
  try {
    const r = await home.run(["doctor"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /CODCHI_DRIVER=docker is not a driver/);
  } finally {
    await home.cleanup();
  }
});

Deno.test("windows host (APPDATA/USERPROFILE): doctor asks wsl.exe --version, exit 9 when old", async () => {
  const home = await makeHome({
    CODCHI_HOST_OS: "windows",
    USERPROFILE: "C:\\Users\\t",
    APPDATA: "C:\\Users\\t\\AppData\\Roaming",
    LOCALAPPDATA: "C:\\Users\\t\\AppData\\Local",
    CODCHI_TRACE: "1",
  });
  try {
    const fake = async (version: string) => {
      const f = join(home.root, `wsl-${version}.exe`);
      await Deno.writeTextFile(
        f,
        `#!/bin/sh\n[ "$1" = --version ] || exit 1\necho "WSL version: ${version}"\necho "Kernel version: 5.15.153.1-2"\n`,
        { mode: 0o755 },
      );
      return f;
    };
    const missing = await home.run(["doctor", "--json"], { env: { PATH: "/nonexistent" } });
    assert.equal(missing.code, 9, missing.stderr);
    const m = JSON.parse(missing.stdout);
    assert.equal(m.driver, "wsl");
    assert.match(m.checks[0].fix, /wsl --install/);
    assert.deepEqual(missing.traces, []);

    const oldExe = await fake("2.0.9.0");
    const old = await home.run(["doctor", "--json"], { env: { CODCHI_WSL_EXE: oldExe } });
    assert.equal(old.code, 9, old.stderr);
    assert.match(JSON.parse(old.stdout).checks[0].detail, /WSL 2\.0\.9\.0 is older than 2\.0\.14/);
    assert.equal(old.traces.length, 1);
    assert.match(old.traces[0], new RegExp(`^codchi-trace: spawn \\d+ 0 ${oldExe} --version$`));

    const newExe = await fake("2.3.26.0");
    const ok = await home.run(["doctor", "--json"], { env: { CODCHI_WSL_EXE: newExe } });
    assert.equal(ok.code, 0, ok.stderr);
    const body = JSON.parse(ok.stdout);
    assert.equal(body.ok, true);
    assert.equal(body.checks[0].detail, "WSL 2.3.26.0");
  } finally {
    await home.cleanup();
  }
});
