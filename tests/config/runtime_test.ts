/** codchi's runtime folder (src/config/runtime.ts): its place, memo files, build stamps. */
import assert from "node:assert/strict";
import { buildStamp, memoPath, peekMemo, xdgRuntimeDir } from "../../src/config/runtime.ts";

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

Deno.test("runtime folder: $XDG_RUNTIME_DIR/codchi when absolute; paths.ts uses the same", async () => {
  const { computePaths } = await import("../../src/config/paths.ts");
  assert.equal(xdgRuntimeDir({ XDG_RUNTIME_DIR: "/run/user/1000" }), "/run/user/1000/codchi");
  assert.equal(xdgRuntimeDir({ XDG_RUNTIME_DIR: "/run/user/1000//" }), "/run/user/1000/codchi");
  assert.equal(xdgRuntimeDir({ XDG_RUNTIME_DIR: "/" }), "/codchi");
  for (const v of [undefined, "", "run/user/1000", "./x"]) {
    assert.equal(xdgRuntimeDir({ XDG_RUNTIME_DIR: v }), undefined, String(v));
  }
  const env = { HOME: "/home/a", XDG_RUNTIME_DIR: "/run/user/7/" };
  assert.equal(computePaths("linux", env).runtimeDir, "/run/user/7/codchi");
  assert.equal(
    computePaths("linux", { HOME: "/home/a" }).runtimeDir,
    "/home/a/.local/share/codchi/run",
  );
  assert.equal(memoPath("/run/user/7/codchi", "_status"), "/run/user/7/codchi/exec/_status.json");
});

Deno.test("memo files: read unchecked when they have a memo's shape, else undefined", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/m.json`;
    const memo = {
      build: "1,2",
      inputs: { env: "[]", config: null, machine: null, built: null, pin: null, storeDir: false },
      bin: "incus",
      project: "p",
      list: ["incus", "list"],
    };
    await Deno.writeTextFile(file, JSON.stringify(memo));
    assert.deepEqual(peekMemo(file), memo);
    for (const bad of ["", "null", "[]", "{", JSON.stringify({ ...memo, bin: "podman" })]) {
      await Deno.writeTextFile(file, bad);
      assert.equal(peekMemo(file), undefined, bad);
    }
    const { inputs: _, ...noInputs } = memo;
    await Deno.writeTextFile(file, JSON.stringify(noInputs));
    assert.equal(peekMemo(file), undefined);
    assert.equal(peekMemo(`${dir}/missing.json`), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("build stamps: every module a stamp names exists (a renamed module would drop out silently)", async () => {
  const src = new URL("../../src/", import.meta.url);
  const calls: string[] = [];
  for await (const file of walk(src.pathname)) {
    const text = await Deno.readTextFile(file);
    for (const m of text.matchAll(/buildStamp\(import\.meta\.dirname, \[([^\]]*)\]/g)) {
      const dir = file.slice(0, file.lastIndexOf("/"));
      for (const name of m[1].matchAll(/"([^"]+)"/g)) {
        calls.push(file);
        const path = `${dir}/${name[1]}`;
        assert.ok((await Deno.stat(path)).isFile, `${file}: ${name[1]}`);
      }
    }
  }
  // exec_memo.ts, hash_memo.ts and trusted.ts each stamp their results.
  assert.equal(new Set(calls).size, 3, [...new Set(calls)].join(", "));
});

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir.replace(/\/$/, "")}/${e.name}`;
    if (e.isDirectory) yield* walk(path);
    else if (e.name.endsWith(".ts")) yield path;
  }
}
