/**
 * `status`'s fast path (src/cli/status_fast.ts) against the full path, with the real CLI, a
 * stand-in `lxc` and machines made by hand: the same output (table, --json), the same spawn,
 * the same error for a daemon that cannot be reached, and the full path whenever an input of its
 * memo changed. Which path ran is read from the modules Deno loaded.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeHome, REPO } from "../support/cli.ts";
import { makeMachine } from "./_helpers.ts";
import { loaded, runningMachine } from "./_startup.ts";

const FAST = `file://${REPO}/src/cli/status_fast.ts`;
const DRIVER = `file://${REPO}/src/driver/lxd/mod.ts`;

Deno.test("status's fast path: the full path's output, spawn and errors", async () => {
  const home = await makeHome();
  const m = await runningMachine(home);
  try {
    await makeMachine(home.configDir, "b-never-built");
    const memo = join(home.env.XDG_RUNTIME_DIR, "codchi", "exec", "_status.json");
    const calls = join(home.root, "lxc.calls");
    const env = { ...m.env, CODCHI_TRACE: "1" };
    /** One run: the full path (memo removed first) or the fast one (memo left). */
    const status = async (args: string[], path: "full" | "fast", extra = {}) => {
      if (path === "full") await Deno.remove(memo).catch(() => {});
      await Deno.writeTextFile(calls, "");
      const r = await loaded(home, args, { ...env, ...extra });
      const took = r.modules.has(FAST) && !r.modules.has(DRIVER) ? "fast" : "full";
      assert.equal(took, path, `${args.join(" ")}: ${r.stderr}`);
      const traced = (await Deno.readTextFile(calls)).split("\n").filter((l) => l);
      return { code: r.code, stdout: r.stdout, calls: traced };
    };
    for (const args of [["status"], ["--json", "status"], [], ["status", "-q"]]) {
      const full = await status(args, "full");
      const fast = await status(args, "fast");
      assert.deepEqual(fast, full, args.join(" "));
      assert.equal(fast.calls.length, 1);
    }
    assert.match((await status(["status"], "fast")).stdout, /^b-never-built +NotInstalled/m);
    // The daemon cannot be reached: the same error and exit code either way.
    const unreachable = join(home.root, "bin", "lxc");
    const standIn = await Deno.readTextFile(unreachable);
    await Deno.writeTextFile(
      unreachable,
      '#!/bin/sh\necho \'Error: Get "http://unix.socket/1.0": dial unix /var/lib/lxd/unix.socket: ' +
        "connect: connection refused' >&2\nexit 1\n",
    );
    // With the memo left from before: the fast path, whose error run.ts reports.
    const [a, b] = [
      await home.run(["--json", "status"], { env: m.env }),
      await Deno.remove(memo).then(() => home.run(["--json", "status"], { env: m.env })),
    ];
    assert.equal(a.code, b.code);
    assert.notEqual(a.code, 0);
    assert.deepEqual(JSON.parse(a.stderr), JSON.parse(b.stderr));
    assert.match(a.stderr, /Cannot reach the LXD daemon/);
    await Deno.writeTextFile(unreachable, standIn);
  } finally {
    m.daemon.close();
    await home.cleanup();
  }
});

Deno.test("status's fast path: the full path runs whenever an input changed", async () => {
  const home = await makeHome();
  const m = await runningMachine(home);
  try {
    const path = async (extra: Record<string, string> = {}) => {
      const r = await loaded(home, ["status"], { ...m.env, ...extra });
      assert.equal(r.code, 0, r.stderr);
      return r.modules.has(FAST) && !r.modules.has(DRIVER) ? "fast" : "full";
    };
    assert.equal(await path(), "full");
    assert.equal(await path(), "fast");
    // Another project named by the environment: chosen by the full path, then remembered.
    assert.equal(await path({ CODCHI_LXD_PROJECT: "other" }), "full");
    assert.equal(await path({ CODCHI_LXD_PROJECT: "other" }), "fast");
    assert.equal(await path(), "full");
    // config.json appears (the driver's choices may depend on it). The fast path spawned the
    // remembered listing before it checked (a listing only reads): it waits for it and drops
    // it, and the full path lists again, with the same output as a full path alone.
    await Deno.writeTextFile(join(home.configDir, "config.json"), "{}\n");
    const calls = join(home.root, "lxc.calls");
    await Deno.writeTextFile(calls, "");
    const changed = await loaded(home, ["status"], m.env);
    assert.ok(changed.modules.has(DRIVER), changed.stderr);
    const listed = (await Deno.readTextFile(calls)).split("\n").filter((l) => /(^| )list /.test(l));
    assert.deepEqual(listed, [listed[0], listed[0]]);
    const memo = join(home.env.XDG_RUNTIME_DIR, "codchi", "exec", "_status.json");
    await Deno.remove(memo);
    assert.equal((await home.run(["status"], { env: m.env })).stdout, changed.stdout);
    assert.equal(await path(), "fast");
    await Deno.writeTextFile(join(home.configDir, "config.json"), "{ }\n");
    assert.equal(await path(), "full");
    assert.equal(await path(), "fast");
    // The data folder's project pin changes.
    await Deno.writeTextFile(join(home.dataDir, "lxd-project"), "default\n");
    assert.equal(await path(), "full");
    assert.equal(await path(), "fast");
    // Debug output is the full path's.
    const r = await loaded(home, ["-v", "status"], m.env);
    assert.ok(r.modules.has(DRIVER));
    // A memo without the listing's argv (an older codchi's): the full path, which writes it.
    const { list, ...older } = JSON.parse(await Deno.readTextFile(memo));
    assert.deepEqual(list, ["lxc", "list", "-q", "--format", "json", "codchi"]); // pinned: default
    await Deno.writeTextFile(memo, JSON.stringify(older));
    assert.equal(await path(), "full");
    assert.equal(await path(), "fast");
    // Nor without the records' folders (written since the listing runs before the check).
    const { records, ...noRecords } = JSON.parse(await Deno.readTextFile(memo));
    assert.deepEqual(records, [join(home.configDir, "machines"), join(home.configDir, "journal")]);
    await Deno.writeTextFile(memo, JSON.stringify(noRecords));
    assert.equal(await path(), "full");
    assert.equal(await path(), "fast");
  } finally {
    m.daemon.close();
    await home.cleanup();
  }
});

Deno.test("status's fast path: spawns the remembered listing first, and nothing without machines", async () => {
  const home = await makeHome();
  const m = await runningMachine(home);
  try {
    const calls = join(home.root, "lxc.calls");
    const run = async (extra: Record<string, string> = {}) => {
      await Deno.writeTextFile(calls, "");
      const r = await loaded(home, ["status"], { ...m.env, ...extra });
      assert.equal(r.code, 0, r.stderr);
      const took = r.modules.has(FAST) && !r.modules.has(DRIVER) ? "fast" : "full";
      const spawned = (await Deno.readTextFile(calls)).split("\n").filter((l) => l);
      return { took, spawned, stdout: r.stdout };
    };
    // Another project: the fast path spawns the very listing the driver did, aimed at it.
    const other = { CODCHI_LXD_PROJECT: "other" };
    const full = await run(other);
    const fast = await run(other);
    assert.deepEqual([full.took, fast.took], ["full", "fast"]);
    assert.deepEqual(fast.spawned, ["--project other list -q --format json codchi"]);
    assert.deepEqual(fast.spawned, full.spawned);
    assert.equal(fast.stdout, full.stdout);
    // No machine left: no listing at all, the same words as the full path.
    await Deno.remove(join(home.configDir, "machines"), { recursive: true });
    const none = await run(other);
    assert.deepEqual([none.took, none.spawned], ["fast", []]);
    assert.match(none.stdout, /^No machines yet/);
  } finally {
    m.daemon.close();
    await home.cleanup();
  }
});
