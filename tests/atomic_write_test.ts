/**
 * src/atomic_write.ts on real files: content, exact modes, folders made, no temp file left, and
 * on failure the temp file is gone and the target is as it was.
 */
import assert from "node:assert/strict";
import { parentOf, writeAtomic } from "../src/atomic_write.ts";

const POSIX = Deno.build.os !== "windows";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

function modeOf(path: string): number {
  return Deno.statSync(path).mode! & 0o777;
}

Deno.test("writeAtomic: text and bytes land whole, over an old file, with no temp file left", async () => {
  await withDir(async (dir) => {
    const f = `${dir}/a.json`;
    await writeAtomic(f, "first\n");
    assert.equal(await Deno.readTextFile(f), "first\n");
    await writeAtomic(f, new Uint8Array([0, 1, 2, 255]));
    assert.deepEqual(await Deno.readFile(f), new Uint8Array([0, 1, 2, 255]));
    await writeAtomic(f, "", { sync: true });
    assert.equal(await Deno.readTextFile(f), "");
    await writeAtomic(f, "ünïcode ✓", { sync: true });
    assert.equal(await Deno.readTextFile(f), "ünïcode ✓");
    assert.deepEqual(names(dir), ["a.json"]);
  });
});

Deno.test(
  "writeAtomic: the mode is exact whatever the umask; a new file's replaces the old one's",
  {
    ignore: !POSIX,
  },
  async () => {
    await withDir(async (dir) => {
      const f = `${dir}/m`;
      // 0666 and 0777 would lose bits to any umask with write or group bits.
      for (const mode of [0o600, 0o644, 0o666, 0o755, 0o777, 0o400]) {
        await writeAtomic(f, `mode ${mode}`, { mode, sync: mode === 0o600 });
        assert.equal(modeOf(f).toString(8), mode.toString(8));
        assert.equal(await Deno.readTextFile(f), `mode ${mode}`);
      }
      // Without a mode: a new file's default (0666 less the umask), not the old file's 0400.
      await writeAtomic(f, "plain");
      const fresh = `${dir}/fresh`;
      await Deno.writeTextFile(fresh, "");
      assert.equal(modeOf(f), modeOf(fresh));
    });
  },
);

Deno.test("writeAtomic: missing folders are made, with dirMode when given", async () => {
  await withDir(async (dir) => {
    await writeAtomic(`${dir}/x/y/z.txt`, "deep", { dirMode: 0o700, mode: 0o600 });
    assert.equal(await Deno.readTextFile(`${dir}/x/y/z.txt`), "deep");
    if (POSIX) {
      assert.equal(modeOf(`${dir}/x`), 0o700);
      assert.equal(modeOf(`${dir}/x/y`), 0o700);
    }
    // An existing folder keeps its mode.
    await Deno.mkdir(`${dir}/open`, { mode: 0o755 });
    await Deno.chmod(`${dir}/open`, 0o755);
    await writeAtomic(`${dir}/open/f`, "x", { dirMode: 0o700 });
    if (POSIX) assert.equal(modeOf(`${dir}/open`), 0o755);
  });
});

Deno.test("writeAtomic: a failed rename removes the temp file and leaves the target as it was", async () => {
  await withDir(async (dir) => {
    // The target is a folder with a file in it: the rename fails after the temp file was written.
    await Deno.mkdir(`${dir}/target`);
    await Deno.writeTextFile(`${dir}/target/inside`, "kept");
    await assert.rejects(() => writeAtomic(`${dir}/target`, "new", { mode: 0o600, sync: true }));
    assert.deepEqual(names(dir), ["target"]);
    assert.equal(await Deno.readTextFile(`${dir}/target/inside`), "kept");
  });
});

Deno.test(
  "writeAtomic: a write that fails half-way removes the temp file; the target is as it was",
  {
    ignore: !POSIX,
  },
  async () => {
    await withDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/target`, "old");
      await Deno.chmod(`${dir}/target`, 0o644);
      // A child Deno whose files may not grow past 64 KiB (ulimit -f; SIGXFSZ ignored, so the
      // write fails with EFBIG after the first 64 KiB landed), writing 1 MiB.
      const url = new URL("../src/atomic_write.ts", import.meta.url).href;
      const code = `import { writeAtomic } from ${JSON.stringify(url)};
      await writeAtomic(${
        JSON.stringify(`${dir}/target`)
      }, new Uint8Array(1 << 20), { mode: 0o600, sync: true })
        .then(() => console.log("written"), (e) => console.log("failed:", e.message));`;
      const out = await new Deno.Command("sh", {
        args: [
          "-c",
          'trap "" XFSZ; ulimit -f 128; exec "$0" eval --no-check "$1"',
          Deno.execPath(),
          code,
        ],
        stdout: "piped",
        stderr: "inherit",
      }).output();
      const said = new TextDecoder().decode(out.stdout);
      assert.match(said, /^failed: .*(File too large|os error 27)/, said);
      assert.deepEqual(names(dir), ["target"]);
      assert.equal(await Deno.readTextFile(`${dir}/target`), "old");
      assert.equal(modeOf(`${dir}/target`), 0o644);
    });
  },
);

Deno.test("writeAtomic: a folder that cannot be made fails before any file is written", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/plain`, "a file, not a folder");
    await assert.rejects(() => writeAtomic(`${dir}/plain/sub/f`, "x"));
    assert.deepEqual(names(dir), ["plain"]);
    assert.equal(await Deno.readTextFile(`${dir}/plain`), "a file, not a folder");
  });
});

Deno.test("writeAtomic: concurrent writers leave one whole version and no temp file", async () => {
  await withDir(async (dir) => {
    const f = `${dir}/c.json`;
    await Promise.all(
      Array.from(
        { length: 30 },
        (_, i) => writeAtomic(f, JSON.stringify({ i, pad: "x".repeat(20_000) })),
      ),
    );
    const last = JSON.parse(await Deno.readTextFile(f));
    assert.ok(last.i >= 0 && last.i < 30 && last.pad.length === 20_000);
    assert.deepEqual(names(dir), ["c.json"]);
  });
});

Deno.test("parentOf: POSIX and Windows paths, roots and bare names", () => {
  assert.equal(parentOf("/a/b/c"), "/a/b");
  assert.equal(parentOf("/c"), "/");
  assert.equal(parentOf("c"), ".");
  assert.equal(parentOf("a/c"), "a");
  assert.equal(parentOf("C:\\Users\\me\\f.json"), "C:\\Users\\me");
  assert.equal(parentOf("C:\\f.json"), "C:\\");
  assert.equal(parentOf("C:/x/f"), "C:/x");
});
