/** Bad machine names are refused (exit 2, rule + suggestion) before anything is touched. */
import assert from "node:assert/strict";
import { makeHome } from "../support/cli.ts";
import { listTree, makeMachine } from "./_helpers.ts";

const BAD = [
  "gpu_test",
  "Caps",
  "1abc",
  "a-",
  "con",
  "lpt1",
  "a".repeat(57),
  "ünïcode",
  "café",
  "",
  "a b",
  " a",
  "../x",
  "a/b",
  "a\\b",
  "a.b",
  "-x",
];

/** argv of each command that takes a machine name, with `n` in its place. */
function allCommands(n: string): string[][] {
  return [
    ["init", "--", n],
    ["clone", "--", n, "https://example.invalid/x"],
    ["exec", "--", n, "true"],
    ["run", "--", n],
    ["rebuild", "--", n],
    ["delete", "--i-am-really-sure", "--", n],
    ["duplicate", "--", n, "copy"],
    ["duplicate", "ok", "--", n],
    ["gc", "--delete-old", "1", "--", n],
    ["module", "list", "--", n],
    ["module", "add", "--", n, "https://example.invalid/x", "nixosModules.a"],
    ["module", "delete", "--", n, "mod"],
    ["secrets", "list", "--", n],
    ["secrets", "get", "--", n, "KEY"],
    ["secrets", "set", "--", n, "KEY"],
    ["tar", "--", n, "out.tar"],
    ["recover", "--", n],
  ];
}

/** Every bad name through the commands that create, run, write or delete; a few through all. */
function commands(n: string, i: number): string[][] {
  const all = allCommands(n);
  if (i % 5 === 0) return all;
  const core = ["init", "exec", "delete", "duplicate", "module", "secrets"];
  return all.filter((a, j) =>
    core.includes(a[0]) && (a[0] !== "module" || j === 11) &&
    (a[0] !== "secrets" || j === 14) && (a[0] !== "duplicate" || j === 7)
  );
}

Deno.test("every bad machine name is refused with exit 2 by every command, nothing written", async () => {
  const home = await makeHome();
  try {
    await makeMachine(home.configDir, "ok");
    const before = await listTree(home.root);
    const runs = BAD.flatMap((n, i) => commands(n, i).map((argv) => ({ n, argv })));
    // Bounded parallelism keeps this quick without starving the machine.
    const results: { n: string; argv: string[]; code: number; stderr: string; stdout: string }[] =
      [];
    for (let i = 0; i < runs.length; i += 16) {
      const batch = runs.slice(i, i + 16);
      results.push(
        ...await Promise.all(batch.map(async ({ n, argv }) => {
          const r = await home.run(argv, { stdin: "", timeoutMs: 60_000 });
          return { n, argv, ...r };
        })),
      );
    }
    for (const r of results) {
      const what = `codchi ${r.argv.map((a) => JSON.stringify(a)).join(" ")}`;
      assert.equal(r.code, 2, `${what} exited ${r.code}:\n${r.stderr}`);
      assert.match(r.stderr, /^error: Invalid machine name /, what);
      assert.ok(r.stderr.includes(JSON.stringify(r.n)), `${what}: the name is not quoted`);
      assert.match(r.stderr, /lowercase letters, digits and hyphens/, what);
      const suggestion = /Try "([^"]*)"/.exec(r.stderr)?.[1];
      assert.ok(suggestion, `${what}: no suggestion`);
      assert.match(suggestion, /^[a-z]([a-z0-9-]*[a-z0-9])?$/, `${what}: bad suggestion`);
      assert.equal(r.stdout, "", what);
    }
    assert.deepEqual(await listTree(home.root), before, "a refused command wrote files");
  } finally {
    await home.cleanup();
  }
});

Deno.test("the error suggests gpu-test for gpu_test and explains the rule", async () => {
  const home = await makeHome();
  try {
    const r = await home.run(["init", "gpu_test"]);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.includes('Try "gpu-test"'), r.stderr);
    assert.ok(r.stderr.includes("at most 56 characters"), r.stderr);
    const j = await home.run(["--json", "init", "gpu_test"]);
    assert.equal(j.code, 2);
    assert.equal(j.stdout, "");
    const body = JSON.parse(j.stderr);
    assert.equal(body.error.type, "UsageError");
    assert.equal(body.error.exitCode, 2);
    assert.match(body.error.message, /gpu_test/);
    assert.match(body.error.hint, /gpu-test/);
  } finally {
    await home.cleanup();
  }
});

Deno.test("a name-like option value (-x) without -- is refused as an unknown option (exit 2)", async () => {
  const home = await makeHome();
  try {
    const before = await listTree(home.root);
    const r = await home.run(["init", "-x"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /unknown option '-x'/);
    assert.deepEqual(await listTree(home.root), before);
  } finally {
    await home.cleanup();
  }
});
