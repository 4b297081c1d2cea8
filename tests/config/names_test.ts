/** The machine-name rule, its suggestions (property-style) and container names. */
import assert from "node:assert/strict";
import {
  containerName,
  machineNameProblem,
  machineOfContainer,
  MAX_NAME_LENGTH,
  suggestMachineName,
  validateMachineName,
} from "../../src/config/names.ts";
import { UsageError } from "../../src/errors.ts";

Deno.test("valid names", () => {
  for (const n of ["a", "java", "gpu-test", "a1", "x-1-y", "a".repeat(MAX_NAME_LENGTH), "cons"]) {
    assert.equal(machineNameProblem(n), undefined, n);
    assert.equal(validateMachineName(n), n);
  }
  assert.equal(MAX_NAME_LENGTH, 56);
  assert.equal(containerName("a".repeat(MAX_NAME_LENGTH)).length, 63);
});

Deno.test("invalid names and why", () => {
  const cases: [string, RegExp][] = [
    ["", /empty/],
    ["gpu_test", /contains "_"/],
    ["Caps", /does not start with a letter a-z/],
    ["ünï", /does not start with a letter a-z/],
    ["1abc", /start/],
    ["-x", /start/],
    ["a-", /ends with a hyphen/],
    ["con", /reserved/],
    ["nul", /reserved/],
    ["com1", /reserved/],
    ["lpt9", /reserved/],
    ["a".repeat(57), /57 characters, more than 56/],
    ["a b", /contains " "/],
    ["a/b", /contains "\/"/],
    ["../x", /start/],
    ["aé", /contains "é"/],
    ["a.b", /contains "\."/],
  ];
  for (const [n, why] of cases) {
    const p = machineNameProblem(n);
    assert.ok(p, `${JSON.stringify(n)} accepted`);
    assert.match(p, why, n);
    assert.throws(() => validateMachineName(n), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.equal(e.exitCode, 2);
      assert.match(e.hint ?? "", /lowercase letters, digits and hyphens/);
      assert.match(e.hint ?? "", /Try "[a-z][a-z0-9-]*"/);
      return true;
    });
  }
});

Deno.test("suggestMachineName: known cases", () => {
  assert.equal(suggestMachineName("gpu_test"), "gpu-test");
  assert.equal(suggestMachineName("Caps"), "caps");
  assert.equal(suggestMachineName("1abc"), "m-1abc");
  assert.equal(suggestMachineName("a-"), "a");
  assert.equal(suggestMachineName("con"), "con-machine");
  assert.equal(suggestMachineName("café"), "cafe");
  assert.equal(suggestMachineName(""), "machine");
  assert.equal(suggestMachineName("../x"), "x");
  assert.equal(suggestMachineName("My Dev Box"), "my-dev-box");
});

/** A small seeded PRNG, so a failure can be reproduced. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

Deno.test("suggestMachineName always returns a valid name (5000 random strings)", () => {
  const rand = rng(42);
  const alphabet = [
    ..."abcxyzABCXYZ0123456789-_. /\\:*?\"<>|~`'!@#$%^&()[]{}",
    "é",
    "ß",
    "Å",
    "ﬁ",
    "İ",
    "😀",
    "\u0301",
    "\t",
    "\n",
    "\0",
    "ー",
    "中",
  ];
  const extras = ["con", "nul", "aux", "com1", "lpt3", "prn", "-", "--", "a".repeat(80)];
  for (let i = 0; i < 5000; i++) {
    const len = Math.floor(rand() * 90);
    let s = "";
    for (let j = 0; j < len; j++) s += alphabet[Math.floor(rand() * alphabet.length)];
    if (rand() < 0.1) s = extras[Math.floor(rand() * extras.length)] + s.slice(0, 3);
    const n = suggestMachineName(s);
    assert.equal(machineNameProblem(n), undefined, `${JSON.stringify(s)} -> ${JSON.stringify(n)}`);
    // a valid name is its own suggestion
    assert.equal(suggestMachineName(n), n, JSON.stringify(n));
  }
});

Deno.test("containerName / machineOfContainer round-trip; foreign containers are ignored", () => {
  assert.equal(containerName("java"), "codchi-java");
  assert.equal(machineOfContainer("codchi-java"), "java");
  assert.equal(machineOfContainer("codchistore"), undefined);
  assert.equal(machineOfContainer("codchi-Bad_Name"), undefined);
  assert.equal(machineOfContainer("ubuntu"), undefined);
});
