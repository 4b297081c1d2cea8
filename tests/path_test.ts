/** src/path.ts gives node:path's answers for the paths codchi builds. */
import assert from "node:assert/strict";
import * as node from "node:path";
import { dirname, posix, win32 } from "../src/path.ts";

const POSIX = [
  "",
  ".",
  "/",
  "//",
  "a",
  "a/",
  "/a/b/",
  "/a//b/./c/..",
  "../x",
  "a/../..",
  "/../a",
  "./a/./b",
  "/home/u/.config/codchi/",
  "rel/../../up/",
];

Deno.test("posix: normalize, join, isAbsolute, dirname, basename match node:path", () => {
  for (const p of POSIX) {
    assert.equal(posix.normalize(p), node.posix.normalize(p), `normalize(${p})`);
    assert.equal(posix.isAbsolute(p), node.posix.isAbsolute(p), `isAbsolute(${p})`);
    assert.equal(posix.dirname(p), node.posix.dirname(p), `dirname(${p})`);
    assert.equal(posix.basename(p), node.posix.basename(p), `basename(${p})`);
    for (const q of POSIX) {
      assert.equal(posix.join(p, q), node.posix.join(p, q), `join(${p}, ${q})`);
      assert.equal(posix.join(p, q, "x"), node.posix.join(p, q, "x"), `join(${p}, ${q}, x)`);
    }
  }
  assert.equal(posix.join(), node.posix.join());
});

Deno.test("posix: relative matches node:path for absolute and relative inputs", () => {
  const abs = ["/", "/a", "/a/b", "/a/b/c/", "/a/bc", "/x/y", "/a//b/../b"];
  for (const a of [...abs, "rel", "."]) {
    for (const b of [...abs, "rel/x"]) {
      assert.equal(posix.relative(a, b), node.posix.relative(a, b), `relative(${a}, ${b})`);
    }
  }
});

const WIN = [
  "C:\\Users\\u",
  "C:\\Users\\u\\",
  "C:/Users/u/AppData/Roaming",
  "C:",
  "C:\\",
  "C:x\\..\\y",
  "\\\\server\\share\\dir\\",
  "\\\\server\\share",
  "\\temp\\.\\x\\..\\y",
  "rel\\..\\..\\z",
  "a/b\\c",
];

Deno.test("win32: normalize, join, isAbsolute, dirname match node:path", () => {
  for (const p of WIN) {
    assert.equal(win32.normalize(p), node.win32.normalize(p), `normalize(${p})`);
    assert.equal(win32.isAbsolute(p), node.win32.isAbsolute(p), `isAbsolute(${p})`);
    assert.equal(win32.dirname(p), node.win32.dirname(p), `dirname(${p})`);
    for (const q of ["codchi", "a\\b", "..", "x/y/"]) {
      assert.equal(win32.join(p, q), node.win32.join(p, q), `join(${p}, ${q})`);
    }
  }
});

Deno.test("dirname picks the OS from the path", () => {
  assert.equal(dirname("/a/b/c.json"), "/a/b");
  assert.equal(dirname("C:\\a\\b\\c.json"), "C:\\a\\b");
  assert.equal(dirname("rel.json"), ".");
});
