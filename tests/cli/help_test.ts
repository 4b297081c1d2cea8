/** `codchi --help`, every command's help (with examples) and `--version`, from the real CLI. */
import assert from "node:assert/strict";
import { makeHome, REPO } from "../support/cli.ts";
import { hasEscapes, listTree } from "./_helpers.ts";

const COMMANDS = [
  "status",
  "init",
  "clone",
  "exec",
  "rebuild",
  "delete",
  "duplicate",
  "gc",
  "module",
  "module list",
  "module add",
  "module set",
  "module delete",
  "secrets",
  "secrets list",
  "secrets get",
  "secrets set",
  "tar",
  "store",
  "store debug",
  "store recover",
  "recover",
  "doctor",
  "completion",
];

/** The lines of the Examples section of a help text (empty when there is none). */
function examples(help: string): string[] {
  const m = /^Examples?:\n((?: {2}.*\n?)+)/m.exec(help);
  return m ? m[1].split("\n").map((l) => l.trim()).filter(Boolean) : [];
}

Deno.test("codchi --help lists every command and has examples", async () => {
  const home = await makeHome();
  try {
    const before = await listTree(home.root);
    const r = await home.run(["--help"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: codchi /);
    for (const c of COMMANDS.filter((c) => !c.includes(" "))) {
      assert.match(r.stdout, new RegExp(`^  ${c}[ |]`, "m"), `--help misses ${c}`);
    }
    for (const alias of ["exec|run", "delete|rm", "duplicate|dup", "module|mod"]) {
      assert.ok(r.stdout.includes(alias), `--help misses alias ${alias}`);
    }
    for (const flag of ["--json", "-v, --verbose", "-q, --quiet", "--version", "-h, --help"]) {
      assert.ok(r.stdout.includes(flag), `--help misses ${flag}`);
    }
    assert.ok(examples(r.stdout).some((l) => l.startsWith("codchi init ")));
    assert.ok(!hasEscapes(r.stdout));
    assert.deepEqual(await listTree(home.root), before, "--help wrote files");
  } finally {
    await home.cleanup();
  }
});

Deno.test("every command's --help has an Examples section using that command", async () => {
  const home = await makeHome();
  try {
    const results = await Promise.all(
      COMMANDS.map(async (c) => [c, await home.run([...c.split(" "), "--help"])] as const),
    );
    for (const [c, r] of results) {
      assert.equal(r.code, 0, `${c} --help: ${r.stderr}`);
      const usage = new RegExp(`^Usage: codchi ${c}((?:\\|[a-z]+)*) `, "m").exec(r.stdout);
      assert.ok(usage, `${c}: no usage line:\n${r.stdout}`);
      const ex = examples(r.stdout);
      assert.ok(ex.length > 0, `${c} --help has no Examples section:\n${r.stdout}`);
      // The example runs this command (by its name or an alias shown in the usage line).
      const words = c.split(" ");
      const last = [words.at(-1)!, ...usage[1].split("|").filter(Boolean)];
      const prefix = words.slice(0, -1).join(" ");
      assert.ok(
        ex.some((l) => last.some((n) => l.includes(`${prefix} ${n}`.trim()))),
        `${c}: no example runs it:\n${ex.join("\n")}`,
      );
    }
  } finally {
    await home.cleanup();
  }
});

Deno.test("help works as `codchi help <cmd>` and for aliases", async () => {
  const home = await makeHome();
  try {
    const [a, b, c] = await Promise.all([
      home.run(["help", "exec"]),
      home.run(["run", "--help"]),
      home.run(["mod", "--help"]),
    ]);
    for (const r of [a, b]) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Usage: codchi exec\|run /m);
    }
    assert.equal(c.code, 0);
    assert.match(c.stdout, /^Usage: codchi module\|mod /m);
  } finally {
    await home.cleanup();
  }
});

Deno.test("--version prints deno.json's version and nothing else", async () => {
  const { version } = JSON.parse(await Deno.readTextFile(`${REPO}/deno.json`));
  assert.match(version, /^\d+\.\d+\.\d+/);
  const home = await makeHome();
  try {
    const r = await home.run(["--version"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${version}\n`);
    assert.equal(r.stderr, "");
  } finally {
    await home.cleanup();
  }
});

Deno.test("an unknown command or option is a usage error (exit 2) with a hint", async () => {
  const home = await makeHome();
  try {
    const [a, b] = await Promise.all([
      home.run(["statsu"]),
      home.run(["status", "--frobnicate"]),
    ]);
    for (const r of [a, b]) {
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^error: /);
      assert.match(r.stderr, /codchi --help/);
      assert.equal(r.stdout, "");
    }
  } finally {
    await home.cleanup();
  }
});
