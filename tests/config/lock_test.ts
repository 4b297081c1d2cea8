/** The per-machine lock: exclusive across processes, bounded wait, holder named, reusable. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { acquireLock, lockTimeoutMs, removeOnRelease } from "../../src/config/lock.ts";
import { ConflictError } from "../../src/errors.ts";
import { REPO } from "../support/cli.ts";

Deno.test("a lock held by another process makes acquireLock wait, then fail naming it", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "locks", "m.lock");
  // The holder: a child Deno process that takes the lock and waits for stdin to close.
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { acquireLock } from "${REPO}/src/config/lock.ts";
       const l = await acquireLock(${JSON.stringify(file)}, "m", 1000);
       console.log("held");
       for await (const _ of Deno.stdin.readable) { /* wait for EOF */ }
       l.release();`,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = child.stdout.getReader();
    const { value } = await reader.read();
    assert.match(new TextDecoder().decode(value), /held/);
    const holder = await Deno.readTextFile(file);
    assert.match(holder, new RegExp(`^pid ${child.pid}: codchi`));

    let waited = "";
    const t0 = performance.now();
    await assert.rejects(
      () => acquireLock(file, 'Machine "m"', 400, (h) => waited = h),
      (e: unknown) => {
        assert.ok(e instanceof ConflictError);
        assert.equal(e.exitCode, 4);
        assert.match(e.message, /Machine "m" is busy/);
        assert.ok(e.message.includes(`pid ${child.pid}`), e.message);
        return true;
      },
    );
    assert.ok(performance.now() - t0 >= 400);
    assert.ok(waited.includes(`pid ${child.pid}`), "onWait was not told the holder");

    // Once the holder is gone, the lock is free again.
    await child.stdin.close();
    reader.releaseLock();
    await child.status;
    const mine = await acquireLock(file, "m", 2000);
    assert.match(await Deno.readTextFile(file), new RegExp(`^pid ${Deno.pid}:`));
    mine.release();
    assert.equal(await Deno.readTextFile(file), "", "release leaves a stale holder");
  } finally {
    try {
      child.kill();
    } catch { /* exited */ }
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an uncontended lock is taken at once and can be taken again after release", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "deep", "x.lock");
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const l = await acquireLock(file, "x", 1000);
      assert.ok(performance.now() - t0 < 500);
      l.release();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lockTimeoutMs: CODCHI_LOCK_TIMEOUT_MS or 30 s", () => {
  const old = Deno.env.get("CODCHI_LOCK_TIMEOUT_MS");
  try {
    Deno.env.delete("CODCHI_LOCK_TIMEOUT_MS");
    assert.equal(lockTimeoutMs(), 30_000);
    Deno.env.set("CODCHI_LOCK_TIMEOUT_MS", "250");
    assert.equal(lockTimeoutMs(), 250);
    for (const bad of ["-1", "0", "abc"]) {
      Deno.env.set("CODCHI_LOCK_TIMEOUT_MS", bad);
      assert.equal(lockTimeoutMs(), 30_000, bad);
    }
  } finally {
    if (old === undefined) Deno.env.delete("CODCHI_LOCK_TIMEOUT_MS");
    else Deno.env.set("CODCHI_LOCK_TIMEOUT_MS", old);
  }
});

Deno.test("a lock file removed by its holder: the waiter takes the new file, never two holders", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "locks", "gone.lock");
  try {
    const a = await acquireLock(file, "m", 2000);
    let bHeld = false;
    const b = acquireLock(file, "m", 5000).then((l) => {
      bHeld = true;
      return l;
    });
    await new Promise((r) => setTimeout(r, 250)); // b is waiting on a's file now
    assert.equal(bHeld, false);
    removeOnRelease(file);
    a.release();
    const held = await b;
    // b holds the file that is at the path now (a fresh one), so a third process waits for b.
    const ino = (await Deno.stat(file)).ino;
    assert.ok(ino !== null);
    await assert.rejects(acquireLock(file, "m", 300), ConflictError);
    held.release();
    // Released without removal: the file stays, and is free.
    (await acquireLock(file, "m", 300)).release();
    assert.ok((await Deno.stat(file)).isFile);
    // Removal on release by the last holder: nothing left.
    const last = await acquireLock(file, "m", 300);
    removeOnRelease(file);
    last.release();
    await assert.rejects(Deno.stat(file), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
