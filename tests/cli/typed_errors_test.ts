/** Errors through the real CLI: a typed error's exit code and hint, its cause only with -v. */
import { equal, match, ok } from "node:assert/strict";
import { makeHome, runCli } from "../support/cli.ts";

Deno.test("no HOME: exit 9 (a prerequisite), the hint names the fix, not reported as a bug", async () => {
  const home = await makeHome();
  try {
    const env = { ...home.env };
    delete (env as Record<string, string | undefined>).HOME;
    const r = await runCli(["status"], env);
    equal(r.code, 9, r.stderr);
    match(r.stderr, /HOME is not set/);
    match(r.stderr, /set HOME to your home folder/);
    equal(/This is a bug/.test(r.stderr), false);
  } finally {
    await home.cleanup();
  }
});

Deno.test("a broken machine.json: exit 5; -v adds what caused it (the JSON parser's error)", async () => {
  const home = await makeHome();
  try {
    const dir = `${home.configDir}/machines/m`;
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(`${dir}/machine.json`, '{"version":1,');
    const plain = await home.run(["module", "list", "m"]);
    equal(plain.code, 5, plain.stderr);
    match(plain.stderr, /is not valid JSON/);
    equal(plain.stderr.includes("caused by:"), false);
    const verbose = await home.run(["-v", "module", "list", "m"]);
    equal(verbose.code, 5, verbose.stderr);
    match(verbose.stderr, /caused by: SyntaxError: /);
    ok(verbose.stderr.indexOf("caused by:") > verbose.stderr.indexOf("is not valid JSON"));
  } finally {
    await home.cleanup();
  }
});
