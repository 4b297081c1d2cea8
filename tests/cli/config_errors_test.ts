/** Broken config.json / machine.json: refused with exit 5 naming file and key, never rewritten. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeHome } from "../support/cli.ts";
import { listTree, makeMachine } from "./_helpers.ts";

interface Case {
  what: string;
  text: string;
  /** Text the message must contain (the key), besides the file name. */
  names: RegExp;
}

const CONFIG_CASES: Case[] = [
  { what: "broken JSON", text: '{"version": 1,', names: /is not valid JSON/ },
  { what: "empty file", text: "", names: /is not valid JSON/ },
  { what: "unknown key", text: '{"version":1,"drivr":"lxd"}', names: /unknown key "drivr"/ },
  {
    what: "unknown nested key",
    text: '{"version":1,"tray":{"autostart":true,"colour":"red"}}',
    names: /unknown key "colour" at tray/,
  },
  {
    what: "wrong type",
    text: '{"version":1,"hostCertificates":"yes"}',
    names: /key "hostCertificates": .*expected boolean/,
  },
  {
    what: "wrong nested type",
    text: '{"version":1,"windows":{"vcxsrv":{"enable":1}}}',
    names: /key "windows\.vcxsrv\.enable"/,
  },
  { what: "bad enum", text: '{"version":1,"driver":"docker"}', names: /key "driver"/ },
  {
    what: "future version",
    text: '{"version":2}',
    names: /written by a newer codchi \(format version 2; this codchi reads version 1\)/,
  },
  { what: "not an object", text: "[1,2]", names: /expected object/ },
];

const MACHINE_CASES: Case[] = [
  { what: "broken JSON", text: '{"version":1,"name":"m"', names: /is not valid JSON/ },
  {
    what: "unknown key",
    text: '{"version":1,"name":"m","createdAt":"x","secret":"hunter2"}',
    names: /unknown key "secret"/,
  },
  {
    what: "wrong type",
    text: '{"version":1,"name":"m","createdAt":"x","modules":"none"}',
    names: /key "modules": .*expected array/,
  },
  {
    what: "bad module",
    text: JSON.stringify({
      version: 1,
      name: "m",
      createdAt: "x",
      modules: [{
        name: "a",
        source: { kind: "forge", forge: "github", owner: "o", repo: "r", branch: "x" },
        modulePath: "nixosModules.a",
      }],
    }),
    names: /unknown key "branch" at modules\.0\.source/,
  },
  { what: "missing key", text: '{"version":1,"name":"m"}', names: /key "createdAt"/ },
  {
    what: "future version",
    text: '{"version":2,"name":"m","createdAt":"x"}',
    names: /written by a newer codchi \(format version 2; this codchi reads version 1\)/,
  },
];

async function checkRefused(
  home: Awaited<ReturnType<typeof makeHome>>,
  file: string,
  c: Case,
  argv: string[],
) {
  await Deno.writeTextFile(file, c.text);
  // Lock files are kept on purpose (deleting them would race other codchi processes).
  const tree = async () => (await listTree(home.root)).filter((p) => !p.includes("/locks/"));
  const before = await tree();
  const bytes = await Deno.readFile(file);
  const stat = await Deno.stat(file);
  const r = await home.run(argv);
  assert.equal(r.code, 5, `${c.what}: codchi ${argv.join(" ")} exited ${r.code}\n${r.stderr}`);
  assert.ok(r.stderr.includes(file), `${c.what}: message does not name ${file}:\n${r.stderr}`);
  assert.match(r.stderr, c.names, `${c.what}: ${r.stderr}`);
  assert.match(r.stderr, /codchi (never overwrites it|leaves the file untouched)/, c.what);
  assert.equal(r.stdout, "");
  assert.deepEqual(await Deno.readFile(file), bytes, `${c.what}: ${file} was changed`);
  assert.equal((await Deno.stat(file)).mtime?.getTime(), stat.mtime?.getTime(), c.what);
  assert.deepEqual(await tree(), before, `${c.what}: files were added or removed`);
}

/** The same error as one JSON object on stderr with --json. */
async function checkJson(home: Awaited<ReturnType<typeof makeHome>>, file: string, argv: string[]) {
  const bytes = await Deno.readFile(file);
  const j = await home.run(["--json", ...argv]);
  assert.equal(j.code, 5);
  assert.equal(j.stdout, "");
  const body = JSON.parse(j.stderr);
  assert.equal(body.error.type, "ConfigError");
  assert.equal(body.error.exitCode, 5);
  assert.ok(body.error.message.includes(file));
  assert.match(body.error.hint, /codchi (never overwrites it|leaves the file untouched)/);
  assert.deepEqual(await Deno.readFile(file), bytes);
}

Deno.test("a bad config.json is refused by status, doctor and init (exit 5), left byte-identical", async () => {
  // One home per case, the cases side by side.
  await Promise.all(CONFIG_CASES.map(async (c) => {
    const home = await makeHome();
    try {
      const file = join(home.configDir, "config.json");
      await Deno.mkdir(home.configDir, { recursive: true });
      for (const argv of [["status"], [], ["doctor"], ["init", "fresh"]]) {
        await checkRefused(home, file, c, argv);
      }
      await checkJson(home, file, ["status"]);
    } finally {
      await home.cleanup();
    }
  }));
});

Deno.test("a bad machine.json is refused (exit 5), left byte-identical", async () => {
  await Promise.all(MACHINE_CASES.map(async (c) => {
    const home = await makeHome();
    try {
      const file = await makeMachine(home.configDir, "m");
      for (
        const argv of [
          ["module", "list", "m"],
          ["secrets", "list", "m"],
          ["module", "delete", "m", "a", "--no-build"],
        ]
      ) {
        await checkRefused(home, file, c, argv);
      }
      await checkJson(home, file, ["module", "list", "m"]);
    } finally {
      await home.cleanup();
    }
  }));
});

Deno.test("a valid hand-written machine.json with unknown-free keys is accepted", async () => {
  const home = await makeHome();
  try {
    await makeMachine(home.configDir, "m", {
      modules: [{
        name: "app",
        source: { kind: "forge", forge: "github", owner: "acme", repo: "app" },
        modulePath: "nixosModules.default",
      }],
    });
    const r = await home.run(["--json", "module", "list", "m"]);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].name, "app");
    assert.equal(rows[0].flake_module, "nixosModules.default");
    assert.match(rows[0].url, /acme\/app/);
  } finally {
    await home.cleanup();
  }
});
