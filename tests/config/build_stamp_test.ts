/** The build stamp (src/config/build_stamp.ts): what makes a remembered result stale. */
import assert from "node:assert/strict";
import { buildStamp } from "../../src/config/build_stamp.ts";

Deno.test("build stamp: changes with a module's mtime, relative paths from the caller's folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/a`);
    await Deno.writeTextFile(`${dir}/a/one.ts`, "1");
    await Deno.writeTextFile(`${dir}/two.ts`, "2");
    const stamp = () => buildStamp(`${dir}/a`, ["one.ts", "../two.ts"]);
    const first = stamp();
    // Two modules and the running binary.
    assert.equal(first.split(",").length, 3);
    assert.equal(stamp(), first);
    await Deno.utime(`${dir}/two.ts`, 1, 1_000);
    const second = stamp();
    assert.notEqual(second, first);
    assert.equal(second.split(",")[1], "1000000");
    await Deno.utime(`${dir}/a/one.ts`, 1, 2_000);
    assert.equal(stamp().split(",")[0], "2000000");
    // The binary's stamp is the last one.
    const bin = Deno.statSync(Deno.execPath()).mtime!.getTime();
    assert.equal(stamp().split(",")[2], String(bin));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("build stamp: modules not on disk (a compiled codchi, or no folder) leave the binary's", async () => {
  const bin = String(Deno.statSync(Deno.execPath()).mtime!.getTime());
  assert.equal(buildStamp("/nonexistent-codchi-modules", ["a.ts", "b.ts"]), bin);
  assert.equal(buildStamp(undefined, ["a.ts"]), bin);
  // A later module missing is skipped, the ones found still count.
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.ts`, "");
    await Deno.utime(`${dir}/a.ts`, 1, 3_000);
    assert.equal(buildStamp(dir, ["a.ts", "gone.ts"]), `3000000,${bin}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
