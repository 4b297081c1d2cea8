/**
 * Hand-edited and hostile files, through the real CLI with temporary homes (no driver needed):
 * names must match folders, paths stay below their roots, nothing is written elsewhere, no file
 * content is echoed, and bad input is refused before any lock, keychain or driver is touched.
 */
import assert from "node:assert/strict";
import { makeHome, type TestHome } from "../support/cli.ts";
import { listTree, makeMachine } from "./_helpers.ts";

/** Runs codchi; asserts the exit code and that nothing changed anywhere under the home. */
async function refused(home: TestHome, argv: string[], code: number, re: RegExp) {
  const before = await listTree(home.root);
  const r = await home.run(argv);
  assert.equal(r.code, code, `codchi ${argv.join(" ")}: exit ${r.code}\n${r.stderr}`);
  assert.match(r.stderr, re);
  assert.doesNotMatch(r.stderr, /This is a bug|Removing what was made/);
  assert.deepEqual(await listTree(home.root), before, `codchi ${argv.join(" ")} wrote files`);
  return r;
}

Deno.test("machine.json whose name is not its folder's is refused, nothing written anywhere", async () => {
  const home = await makeHome();
  try {
    const file = await makeMachine(home.configDir, "m", { name: "other" });
    for (
      const argv of [["module", "delete", "m", "x"], ["module", "list", "m"], ["rebuild", "m"]]
    ) {
      const r = await refused(home, argv, 5, /key "name"/);
      assert.ok(r.stderr.includes(file), r.stderr);
    }
    await Deno.writeTextFile(
      file,
      JSON.stringify({ version: 1, name: "../../../../escaped", createdAt: "t" }),
    );
    await refused(home, ["module", "delete", "m", "x"], 5, /key "name"/);
    await refused(home, ["tar", "m", `${home.root}/out.tar`], 5, /key "name"/);
  } finally {
    await home.cleanup();
  }
});

Deno.test("hand-edited module sources that leave their roots are refused (exit 5, key named)", async () => {
  const home = await makeHome();
  try {
    for (
      const source of [
        { kind: "local", path: "../../../etc", scheme: "path" },
        { kind: "local", path: "/etc", scheme: "git" },
        { kind: "git", host: "example.org", path: "/a/../../b" },
        { kind: "forge", forge: "github", owner: "..", repo: "x" },
      ]
    ) {
      await makeMachine(home.configDir, "m", {
        modules: [{ name: "a", source, modulePath: "nixosModules.a" }],
      });
      await refused(home, ["module", "list", "m"], 5, /modules\.0\.source/);
    }
  } finally {
    await home.cleanup();
  }
});

Deno.test("a folder or symlink loop as machine.json is exit 5 naming the file", async () => {
  const home = await makeHome();
  try {
    const dir = `${home.configDir}/machines/m`;
    await Deno.mkdir(`${dir}/machine.json`, { recursive: true });
    await refused(home, ["module", "list", "m"], 5, /machine\.json cannot be read.*folder/);
    await Deno.remove(`${dir}/machine.json`);
    await Deno.symlink(`${dir}/machine.json`, `${dir}/machine.json`);
    await refused(home, ["module", "list", "m"], 5, /symlink loop/);
  } finally {
    await home.cleanup();
  }
});

Deno.test("config.json: {} and a BOM are accepted; content is never echoed; relative dataDir refused", async () => {
  const home = await makeHome();
  try {
    await Deno.mkdir(home.configDir, { recursive: true });
    const cfg = `${home.configDir}/config.json`;
    await Deno.writeTextFile(cfg, "{}");
    let r = await home.run(["status", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), "[]");
    await Deno.writeFile(
      cfg,
      new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("{}")]),
    );
    r = await home.run(["status", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    await Deno.writeTextFile(cfg, '{"dataDir": "rel/data"}');
    await refused(home, ["status"], 5, /key "dataDir": must be an absolute path/);
    // A config symlinked to another file: its content stays private.
    await Deno.remove(cfg);
    const other = `${home.root}/private.txt`;
    await Deno.writeTextFile(other, "password=hunter2 not json");
    await Deno.symlink(other, cfg);
    r = await refused(home, ["status"], 5, /is not valid JSON/);
    assert.ok(!r.stderr.includes("hunter2"), r.stderr);
    r = await refused(home, ["status", "--json"], 5, /"exitCode":5/);
    assert.ok(!r.stderr.includes("hunter2"), r.stderr);
    JSON.parse(r.stderr);
    // Bad UTF-8 in dataDir: refused, nothing created at the mangled path.
    await Deno.remove(cfg);
    await Deno.writeFile(
      cfg,
      new Uint8Array([...new TextEncoder().encode(`{"dataDir": "${home.root}/`), 0xfe, 0x22, 0x7d]),
    );
    await refused(home, ["status"], 5, /not valid UTF-8 \(bad byte at offset/);
  } finally {
    await home.cleanup();
  }
});

Deno.test("bad input is refused before the lock, the keychain or the driver", async () => {
  const home = await makeHome({ PATH: "/nonexistent" + ":" + (Deno.env.get("PATH") ?? "") });
  try {
    // No lxc at all: a usage error must still be exit 2, not "prerequisite missing" (9).
    const noLxc = { PATH: `${home.root}/nobin` };
    await Deno.mkdir(`${home.root}/nobin`);
    for (
      const argv of [
        ["init", "m", "ftp://example.org/x"],
        ["init", "m", "https://github.com/a/b", "--branch", "a..b"],
        ["init", "m", "https://github.com/a/b", "not a module path"],
        ["init", "m", "https://github.com/a/b", "-y", "--auth", "tok123"],
        ["init", "m", "projects/app", "-y", "x", "--use-nixpkgs", "remote"],
      ]
    ) {
      const before = await listTree(home.root);
      const r = await home.run(argv, { env: noLxc });
      assert.equal(r.code, 2, `${argv.join(" ")}: ${r.code}\n${r.stderr}`);
      assert.doesNotMatch(r.stderr, /Removing what was made/);
      assert.deepEqual(await listTree(home.root), before, `${argv.join(" ")} left files`);
    }
    // --json: the refusal is one JSON object.
    const r = await home.run(["--json", "init", "m", "ftp://x/y"], { env: noLxc });
    assert.equal(JSON.parse(r.stderr).error.exitCode, 2);
  } finally {
    await home.cleanup();
  }
});
