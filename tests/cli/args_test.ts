/** argv handling: global flags, exec's untouched command, error rendering (unit + real CLI). */
import assert from "node:assert/strict";
import { protectExecArgs, reportError, scanGlobalFlags } from "../../src/cli/program.ts";
import { ConfigError, NotFoundError, UsageError } from "../../src/errors.ts";
import { registerSecret } from "../../src/process.ts";
import { Ui, uiOptions } from "../../src/ui.ts";
import { makeHome } from "../support/cli.ts";
import { hasEscapes } from "./_helpers.ts";

Deno.test("protectExecArgs keeps everything after the machine name as operands", () => {
  assert.deepEqual(protectExecArgs(["exec", "m", "ls", "-la"]), ["exec", "m", "--", "ls", "-la"]);
  assert.deepEqual(protectExecArgs(["run", "m", "--json"]), ["run", "m", "--", "--json"]);
  assert.deepEqual(protectExecArgs(["exec", "m", "--", "cmd", "--flag"]), [
    "exec",
    "m",
    "--",
    "cmd",
    "--flag",
  ]);
  // a user's own `--` inside the command is kept
  assert.deepEqual(protectExecArgs(["exec", "m", "git", "--", "x"]), [
    "exec",
    "m",
    "--",
    "git",
    "--",
    "x",
  ]);
  assert.deepEqual(protectExecArgs(["--json", "-v", "exec", "m", "top", "-b"]), [
    "--json",
    "-v",
    "exec",
    "m",
    "--",
    "top",
    "-b",
  ]);
  assert.deepEqual(protectExecArgs(["exec", "-h"]), ["exec", "-h"]);
  assert.deepEqual(protectExecArgs(["exec", "m"]), ["exec", "m"]);
  assert.deepEqual(protectExecArgs(["exec", "--", "m", "ls"]), ["exec", "--", "m", "ls"]);
  assert.deepEqual(protectExecArgs(["status", "m", "x"]), ["status", "m", "x"]);
  assert.deepEqual(protectExecArgs(["module", "list", "exec"]), ["module", "list", "exec"]);
  assert.deepEqual(protectExecArgs([]), []);
});

Deno.test("scanGlobalFlags reads codchi's flags, never those of an exec'd command", () => {
  assert.deepEqual(scanGlobalFlags(["--json", "status"]), { verbose: 0, json: true });
  assert.deepEqual(scanGlobalFlags(["-vv", "--verbose", "status"]), { verbose: 3 });
  assert.deepEqual(scanGlobalFlags(["-q"]), { verbose: 0, quiet: true });
  assert.deepEqual(scanGlobalFlags(["-vq"]), { verbose: 1, quiet: true });
  assert.deepEqual(scanGlobalFlags(["status", "--", "--json", "-v"]), { verbose: 0 });
  assert.deepEqual(
    scanGlobalFlags(protectExecArgs(["exec", "m", "jq", "--json", "-q", "-vv"])),
    { verbose: 0 },
  );
  assert.deepEqual(scanGlobalFlags(protectExecArgs(["-v", "exec", "m", "ls", "-v"])), {
    verbose: 1,
  });
});

function capture(json: boolean, color = false) {
  let err = "";
  const orig = Deno.stderr.writeSync;
  const ui = new Ui({ json, verbose: 0, quiet: false, color, errColor: color, live: false });
  return {
    ui,
    run(e: unknown): { code: number; err: string } {
      Deno.stderr.writeSync = (b: Uint8Array) => {
        err += new TextDecoder().decode(b);
        return b.length;
      };
      try {
        return { code: reportError(e, ui), err };
      } finally {
        Deno.stderr.writeSync = orig;
      }
    },
  };
}

Deno.test("reportError: JSON on stderr with type, message, hint, exitCode", () => {
  const r = capture(true).run(new NotFoundError('There is no machine "x".', "Create it."));
  assert.equal(r.code, 3);
  assert.deepEqual(JSON.parse(r.err), {
    error: {
      type: "NotFoundError",
      message: 'There is no machine "x".',
      hint: "Create it.",
      exitCode: 3,
    },
  });
  const i = capture(true).run(new Error("boom"));
  assert.equal(i.code, 1);
  assert.equal(JSON.parse(i.err).error.type, "InternalError");
});

Deno.test("reportError: text without colour unless asked, secrets redacted", () => {
  registerSecret("s3cr3t-token-value");
  const plain = capture(false).run(new ConfigError("bad s3cr3t-token-value", "fix it"));
  assert.equal(plain.code, 5);
  assert.equal(plain.err, "error: bad ***\nfix it\n");
  const colored = capture(false, true).run(new UsageError("nope"));
  assert.equal(colored.code, 2);
  assert.ok(hasEscapes(colored.err));
  const bug = capture(false).run(new TypeError("x is undefined"));
  assert.equal(bug.code, 1);
  assert.match(bug.err, /This is a bug in codchi/);
});

Deno.test("uiOptions: colour only on a TTY without a non-empty NO_COLOR", () => {
  assert.equal(uiOptions({}, {}, true, true).color, true);
  assert.equal(uiOptions({}, { NO_COLOR: "1" }, true, true).color, false);
  assert.equal(uiOptions({}, { NO_COLOR: "" }, true, true).color, true);
  assert.equal(uiOptions({}, {}, false, true).color, false);
  // stderr (progress, warnings, errors) follows its own terminal, not stdout's
  assert.equal(uiOptions({}, {}, false, true).errColor, true);
  assert.equal(uiOptions({}, {}, true, false).errColor, false);
  assert.equal(uiOptions({}, { NO_COLOR: "1" }, true, true).errColor, false);
  assert.equal(uiOptions({ json: true }, {}, true, true).live, false);
  assert.equal(uiOptions({}, {}, true, false).live, false);
  assert.deepEqual(uiOptions({ verbose: 2, quiet: true }, {}, false, false), {
    json: false,
    level: "error",
    verbose: 0,
    quiet: true,
    color: false,
    errColor: false,
    live: false,
  });
});

Deno.test("CLI: --json errors are one JSON object on stderr; flags after exec's -- are not codchi's", async () => {
  const home = await makeHome();
  try {
    const j = await home.run(["--json", "exec", "nosuch", "--", "ls"]);
    assert.equal(j.code, 3, j.stderr);
    assert.equal(j.stdout, "");
    const body = JSON.parse(j.stderr);
    assert.deepEqual(Object.keys(body.error).sort(), ["exitCode", "hint", "message", "type"]);
    assert.equal(body.error.type, "NotFoundError");
    assert.match(body.error.message, /no machine "nosuch"/);
    // `--json` belongs to jq here: codchi's own error stays text.
    const t = await home.run(["exec", "nosuch", "jq", "--json"]);
    assert.equal(t.code, 3);
    assert.match(t.stderr, /^error: There is no machine "nosuch"/);
    // Without NO_COLOR and without a TTY there is no colour either.
    const n = await home.run(["exec", "nosuch"], { env: { NO_COLOR: "" } });
    assert.ok(!hasEscapes(n.stdout + n.stderr), JSON.stringify(n.stderr));
    const s = await home.run(["status"], { env: { NO_COLOR: "" } });
    assert.ok(!hasEscapes(s.stdout + s.stderr));
  } finally {
    await home.cleanup();
  }
});
