import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { failureDigest, finalLine, parseSummary, unexpectedSkips } from "../../scripts/test_all.ts";

Deno.test("parseSummary reads Deno's ok and FAILED lines, steps and colours included", () => {
  assertEquals(
    parseSummary(
      "x\nneeds fish ... ignored (0ms)\nok | 12 passed (3 steps) | 0 failed | 1 ignored (2s)\n",
    ),
    { passed: 12, failed: 0, skipped: ["needs fish"] },
  );
  assertEquals(
    parseSummary("\x1b[0m\x1b[31mFAILED\x1b[0m | 11 passed | 2 failed (9s)\n"),
    { passed: 11, failed: 2, skipped: [] },
  );
  // two deno test runs in one suite (e.g. Wine tests then Linux checks) add up
  assertEquals(parseSummary("ok | 3 passed | 0 failed\nFAILED | 1 passed | 1 failed\n"), {
    passed: 4,
    failed: 1,
    skipped: [],
  });
});

Deno.test("skips: only the allowed ones pass under CI, and the final line names the count", () => {
  assertEquals(unexpectedSkips(["unit: fish renders env", "lxd: GPU device passes through"]), [
    "unit: fish renders env",
  ]);
  assertEquals(finalLine(3, 0, 0), "3 passed, 0 failed");
  assertEquals(finalLine(3, 1, 2), "3 passed, 1 failed, 2 skipped");
  // The line CI reads: `N passed, N failed` alone, optionally followed by `, N skipped`.
  const ci = /^\d+ passed, \d+ failed(, \d+ skipped)?$/;
  assertEquals(ci.test(finalLine(5, 0, 1)), true);
});

Deno.test("parseSummary finds nothing in output without a summary", () => {
  assertEquals(parseSummary("error: Module not found\n"), undefined);
});

import { compileArgv, plan } from "../../scripts/compile.ts";

Deno.test("compile plan: a console and a console-less binary on Windows, nix/ embedded", () => {
  const builds = plan("dist", ["x86_64-unknown-linux-gnu", "x86_64-pc-windows-msvc"]);
  assertEquals(builds.map((b) => b.output), [
    "dist/x86_64-unknown-linux-gnu/codchi",
    "dist/x86_64-pc-windows-msvc/codchi.exe",
    "dist/x86_64-pc-windows-msvc/codchiw.exe",
  ]);
  const w = compileArgv(builds[2]);
  assertEquals(w.includes("--no-terminal"), true);
  assertEquals(w.slice(w.indexOf("--include"), w.indexOf("--include") + 2), ["--include", "nix"]);
  assertEquals(compileArgv(builds[0]).includes("--no-terminal"), false);
});

Deno.test("failureDigest: Deno's ERRORS section, else the failure lines, capped", () => {
  const deno = [
    "running 1 test from ./tests/a_test.ts",
    "a ... \x1b[31mFAILED\x1b[0m (3ms)",
    "",
    " ERRORS ",
    "",
    "a => ./tests/a_test.ts:1:6",
    "error: AssertionError: 1 !== 2",
    "FAILED | 0 passed | 1 failed",
  ].join("\n");
  assertEquals(failureDigest(deno), [
    "a => ./tests/a_test.ts:1:6",
    "error: AssertionError: 1 !== 2",
    "FAILED | 0 passed | 1 failed",
  ]);
  const script = "building\n[lxd-testbed] debootstrap failed: exit 1\nok\n";
  assertEquals(failureDigest(script), ["[lxd-testbed] debootstrap failed: exit 1"]);
  const many = Array.from({ length: 50 }, (_, i) => `error ${i}`).join("\n");
  const capped = failureDigest(many, 5);
  assertEquals(capped.length, 5);
  assertEquals(capped[4], "… (46 more)");
});
