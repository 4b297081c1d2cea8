/** Two codchi processes on one machine: the second waits a bounded time, then fails naming the holder. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { acquireLock } from "../../src/config/lock.ts";
import { makeHome } from "../support/cli.ts";
import { makeMachine } from "./_helpers.ts";

Deno.test("a second writer waits, then fails with exit 4 naming the holder's pid", async () => {
  const home = await makeHome();
  try {
    const file = await makeMachine(home.configDir, "m");
    const before = await Deno.readFile(file);
    const lockFile = join(home.configDir, "locks", "m.lock");
    const held = await acquireLock(lockFile, "test holder", 1000);
    try {
      const t0 = performance.now();
      const r = await home.run(["module", "delete", "m", "app", "--no-build"], {
        env: { CODCHI_LOCK_TIMEOUT_MS: "700" },
      });
      const ms = performance.now() - t0;
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /Machine "m" is busy/);
      assert.ok(r.stderr.includes(`pid ${Deno.pid}`), `holder not named:\n${r.stderr}`);
      assert.ok(ms >= 700, `it did not wait (${Math.round(ms)} ms)`);
      assert.ok(ms < 15_000, `it waited too long (${Math.round(ms)} ms)`);
      const j = await home.run(["--json", "rebuild", "m"], {
        env: { CODCHI_LOCK_TIMEOUT_MS: "300" },
      });
      assert.equal(j.code, 4, j.stderr);
      const body = JSON.parse(j.stderr.trim().split("\n").at(-1)!);
      assert.equal(body.error.type, "ConflictError");
      assert.equal(body.error.exitCode, 4);
      assert.match(body.error.message, new RegExp(`pid ${Deno.pid}`));
    } finally {
      held.release();
    }
    assert.deepEqual(await Deno.readFile(file), before);
    // Released: the same command now gets the lock and reaches its own check (no such module).
    const after = await home.run(["module", "delete", "m", "app", "--no-build"], {
      env: { CODCHI_LOCK_TIMEOUT_MS: "700" },
    });
    assert.equal(after.code, 3, after.stderr);
    assert.match(after.stderr, /has no module "app"/);
  } finally {
    await home.cleanup();
  }
});

Deno.test("the waiter proceeds as soon as the holder releases within the bound", async () => {
  const home = await makeHome();
  try {
    await makeMachine(home.configDir, "m");
    const lockFile = join(home.configDir, "locks", "m.lock");
    const held = await acquireLock(lockFile, "test holder", 1000);
    const pending = home.run(["module", "delete", "m", "app", "--no-build"], {
      env: { CODCHI_LOCK_TIMEOUT_MS: "20000" },
    });
    await new Promise((r) => setTimeout(r, 600));
    held.release();
    const t0 = performance.now();
    const r = await pending;
    assert.equal(r.code, 3, r.stderr);
    assert.ok(performance.now() - t0 < 10_000);
  } finally {
    await home.cleanup();
  }
});
