/** The bench's floor gets exactly the argv codchi spawned: trace lines parse back to argv. */
import assert from "node:assert/strict";
import { traceArgv } from "../../scripts/bench.ts";
import { traceLine } from "../../src/process.ts";

Deno.test("traceArgv(traceLine(argv)) is argv, quoting included", () => {
  const cases = [
    ["lxc", "list", "-q", "--format", "json", "codchi"],
    [
      "lxc",
      "exec",
      "-q",
      "codchi-m",
      "-T",
      "--env",
      "PATH=/a:/b",
      "--",
      "/bin/sh",
      "-lc",
      `if [ "$#" -gt 0 ]; then exec "$@"; fi`,
      "codchi",
      "true",
    ],
    ["echo", "it's", "", "a b", "'", "''", "\\'", "x'y'z", "ünï cödé"],
  ];
  for (const argv of cases) assert.deepEqual(traceArgv(traceLine(12, 0, argv)), argv);
  assert.throws(() => traceArgv("not a trace"), /not a trace line/);
});
