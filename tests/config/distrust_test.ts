/** Files codchi reads are distrusted: strict UTF-8 (BOM accepted), no content echoed, typed errors. */
import assert from "node:assert/strict";
import { z } from "zod";
import {
  decodeUtf8,
  fileHash,
  firstInvalidUtf8,
  lineColumn,
  parseJson,
  readJson,
  readOwnFile,
} from "../../src/config/store.ts";
import { ConfigError } from "../../src/errors.ts";
import { GlobalConfigSchema } from "../../src/config/schema.ts";

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("firstInvalidUtf8: valid text of every length, and each kind of bad byte", () => {
  for (const s of ["", "abc", "ü", "€", "𝄞", "a€b𝄞ü\u{10ffff}"]) {
    assert.equal(firstInvalidUtf8(enc(s)), -1, s);
  }
  const cases: [number[], number][] = [
    [[0x61, 0xff], 1], // never valid
    [[0xc3], 0], // truncated 2-byte
    [[0x61, 0xc3, 0x28], 1], // bad continuation
    [[0xc0, 0xaf], 0], // overlong "/"
    [[0xe0, 0x80, 0xaf], 0], // overlong 3-byte
    [[0xed, 0xa0, 0x80], 0], // UTF-16 surrogate
    [[0xf4, 0x90, 0x80, 0x80], 0], // above U+10FFFF
    [[0x80], 0], // lone continuation
    [[0x2f, 0x74, 0x6d, 0x70, 0x2f, 0xfe, 0xfd], 5], // the `/tmp/\xfe\xfd` dataDir
  ];
  for (const [bytes, at] of cases) {
    assert.equal(firstInvalidUtf8(new Uint8Array(bytes)), at, JSON.stringify(bytes));
  }
});

Deno.test("decodeUtf8: a BOM is dropped; bad bytes are a ConfigError naming file and offset", () => {
  assert.equal(decodeUtf8("f", new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])), "{}");
  assert.throws(
    () => decodeUtf8("/x/config.json", new Uint8Array([0x7b, 0xff, 0x7d])),
    (e) =>
      e instanceof ConfigError && /\/x\/config\.json/.test(e.message) && /offset 1/.test(e.message),
  );
});

Deno.test("parseJson: a syntax error gives line and column, never the file's content", () => {
  const secret = "hunter2-do-not-echo";
  for (const text of [`{"a": ${secret}}`, `${secret}`, `{\n  "a": 1,\n  ${secret}\n}`]) {
    assert.throws(() => parseJson("/c/config.json", text, z.object({})), (e) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /\/c\/config\.json is not valid JSON/);
      assert.ok(!e.message.includes(secret), e.message);
      assert.ok(!(e.hint ?? "").includes(secret));
      return true;
    });
  }
  assert.deepEqual(lineColumn("ab\ncd", 4), { line: 2, column: 2 });
  assert.deepEqual(parseJson("f", "\uFEFF{}", GlobalConfigSchema).version, 1);
});

Deno.test("readJson/readOwnFile: a folder or a symlink loop is a typed error naming the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/config.json`);
    await Deno.symlink(`${dir}/loop-b`, `${dir}/loop-a`);
    await Deno.symlink(`${dir}/loop-a`, `${dir}/loop-b`);
    for (const [f, why] of [["config.json", /folder/], ["loop-a", /symlink loop/]] as const) {
      await assert.rejects(() => readJson(`${dir}/${f}`, GlobalConfigSchema), (e) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.ok(e.message.includes(`${dir}/${f}`));
        assert.match(e.message, why);
        return true;
      });
      await assert.rejects(() => fileHash(`${dir}/${f}`), ConfigError);
    }
    assert.equal(await readOwnFile(`${dir}/absent`), undefined);
    // A BOM-prefixed, otherwise empty-object config is valid (all keys optional).
    await Deno.writeFile(`${dir}/bom.json`, new Uint8Array([0xef, 0xbb, 0xbf, ...enc("{}")]));
    assert.equal((await readJson(`${dir}/bom.json`, GlobalConfigSchema))?.version, 1);
    // Relative and non-UTF-8 data folders are refused.
    await Deno.writeTextFile(`${dir}/rel.json`, '{"dataDir": "data"}');
    await assert.rejects(() => readJson(`${dir}/rel.json`, GlobalConfigSchema), /dataDir/);
    await Deno.writeFile(
      `${dir}/bad.json`,
      new Uint8Array([...enc('{"dataDir": "/tmp/'), 0xfe, 0xfd, ...enc('"}')]),
    );
    await assert.rejects(() => readJson(`${dir}/bad.json`, GlobalConfigSchema), /UTF-8/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
