import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { parseSummary } from "../../scripts/test_all.ts";

Deno.test("parseSummary reads Deno's ok and FAILED lines, steps and colours included", () => {
  assertEquals(parseSummary("x\nok | 12 passed (3 steps) | 0 failed | 1 ignored (2s)\n"), {
    passed: 12,
    failed: 0,
  });
  assertEquals(
    parseSummary("\x1b[0m\x1b[31mFAILED\x1b[0m | 11 passed | 2 failed (9s)\n"),
    { passed: 11, failed: 2 },
  );
  // two deno test runs in one suite (e.g. Wine tests then Linux checks) add up
  assertEquals(parseSummary("ok | 3 passed | 0 failed\nFAILED | 1 passed | 1 failed\n"), {
    passed: 4,
    failed: 1,
  });
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
