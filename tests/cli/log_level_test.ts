/** CODCHI_LOG and -q/-v: which messages each level shows (Ui), and the CLI's reading of it. */
import assert from "node:assert/strict";
import { LOG_LEVELS, logLevel, Ui, uiOptions } from "../../src/ui.ts";
import { UsageError } from "../../src/errors.ts";
import { makeHome } from "../support/cli.ts";

Deno.test("logLevel: flags win, else CODCHI_LOG (any case), else info; a bad value is a UsageError", () => {
  assert.equal(logLevel({}, undefined), "info");
  assert.equal(logLevel({}, ""), "info");
  for (const l of LOG_LEVELS) {
    assert.equal(logLevel({}, l), l);
    assert.equal(logLevel({}, l.toUpperCase()), l);
  }
  assert.equal(logLevel({ quiet: true }, "trace"), "error");
  assert.equal(logLevel({ verbose: 1 }, "warn"), "debug");
  assert.equal(logLevel({ verbose: 2 }, undefined), "trace");
  assert.equal(logLevel({ verbose: 3 }, "error"), "trace");
  for (const bad of ["verbose", "codchi=debug", "2", "warning"]) {
    assert.throws(() => logLevel({}, bad), UsageError);
    assert.throws(() => logLevel({ quiet: true }, bad), UsageError);
  }
});

Deno.test("Ui: each level shows its messages and those above it", () => {
  const kinds = ["warn", "step", "debug"] as const;
  const want: Record<string, string[]> = {
    error: [],
    warn: ["warn"],
    info: ["warn", "step"],
    debug: ["warn", "step", "debug"],
    trace: ["warn", "step", "debug"],
  };
  for (const level of LOG_LEVELS) {
    const err: string[] = [];
    const ui = new Ui(
      uiOptions({}, { CODCHI_LOG: level }, false, false),
      () => {},
      (s) => err.push(s),
    );
    ui.warn("warn");
    ui.step("step");
    ui.debug("debug");
    const shown = kinds.filter((k) => err.some((l) => l.includes(k)));
    assert.deepEqual(shown, want[level], level);
    assert.equal(ui.opts.quiet, level === "error");
    assert.equal(ui.opts.verbose, { debug: 1, trace: 2 }[level as string] ?? 0);
  }
});

Deno.test("CLI: CODCHI_LOG=trace traces spawns, -q overrides it, a bad value is exit 2 before anything", async () => {
  const home = await makeHome();
  try {
    const trace = await home.run(["init", "-N", "t1"], { env: { CODCHI_LOG: "trace" } });
    assert.equal(trace.code, 0, trace.stderr);
    assert.ok(trace.traces.length >= 1, trace.stderr);
    const debug = await home.run(["init", "-N", "t2"], { env: { CODCHI_LOG: "debug" } });
    assert.equal(debug.code, 0, debug.stderr);
    assert.deepEqual(debug.traces, []);
    const quiet = await home.run(["-q", "init", "-N", "t3"], { env: { CODCHI_LOG: "trace" } });
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.deepEqual(quiet.traces, []);
    assert.equal(quiet.stderr, "");
    // A bad value: a usage error naming the levels, and nothing made or spawned.
    const bad = await home.run(["init", "-N", "t4"], {
      env: { CODCHI_LOG: "loud", CODCHI_TRACE: "1" },
    });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /CODCHI_LOG="loud" is not a log level/);
    assert.match(bad.stderr, /error, warn, info, debug, trace/);
    assert.deepEqual(bad.traces, []);
    await assert.rejects(Deno.stat(`${home.configDir}/machines/t4`), Deno.errors.NotFound);
    const json = await home.run(["--json", "status"], { env: { CODCHI_LOG: "loud" } });
    assert.equal(json.code, 2);
    assert.equal(JSON.parse(json.stderr).error.type, "UsageError");
  } finally {
    await home.cleanup();
  }
});
