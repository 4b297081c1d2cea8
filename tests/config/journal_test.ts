/** The journal's pure recovery decisions and its record files (no processes). */
import assert from "node:assert/strict";
import {
  hasJournal,
  type Journal,
  JournalWriter,
  listJournals,
  PARTS,
  readJournal,
  settlePlan,
} from "../../src/config/journal.ts";
import { computePaths } from "../../src/config/paths.ts";
import { ConfigError } from "../../src/errors.ts";

const rec = (op: Journal["op"], made: Journal["made"]): Journal => ({
  version: 1,
  op,
  machine: "m",
  pid: 1,
  startedAt: "t",
  made,
});

Deno.test("settlePlan: init and duplicate remove exactly what they began, container first", () => {
  for (const op of ["init", "duplicate"] as const) {
    assert.deepEqual(settlePlan(rec(op, [])).remove, []);
    assert.deepEqual(settlePlan(rec(op, ["config"])).remove, ["config"]);
    assert.deepEqual(
      settlePlan(rec(op, ["home", "config", "container", "secrets"])).remove,
      ["container", "secrets", "home", "config"],
    );
  }
});

Deno.test("settlePlan: a delete is always finished, config last", () => {
  for (const made of [[], ["container"], [...PARTS]] as Journal["made"][]) {
    const plan = settlePlan(rec("delete", made));
    assert.deepEqual(plan.remove, [...PARTS]);
    assert.equal(plan.remove.at(-1), "config");
    assert.equal(plan.remove[0], "container");
    assert.match(plan.message, /Finishing the interrupted delete/);
  }
});

Deno.test("settlePlan: recover and store creation drop only a half-made container", () => {
  assert.deepEqual(settlePlan(rec("recover", [])).remove, []);
  assert.deepEqual(settlePlan(rec("recover", ["container"])).remove, ["container"]);
  assert.deepEqual(settlePlan(rec("store", ["container"])).remove, ["container"]);
  // Never the home or the config of a machine being recovered.
  assert.deepEqual(settlePlan(rec("recover", ["container", "home", "config"])).remove, [
    "container",
  ]);
  assert.match(settlePlan(rec("recover", ["container"])).message, /codchi rebuild m/);
});

Deno.test("JournalWriter: intent on disk before each part, gone at the end", async () => {
  const root = await Deno.makeTempDir();
  try {
    const paths = computePaths("linux", { HOME: root });
    assert.equal(await hasJournal(paths, "m"), false);
    const j = await JournalWriter.begin(paths, "m", "init", { made: ["secrets"] });
    assert.equal(await hasJournal(paths, "m"), true);
    assert.deepEqual((await readJournal(paths, "m"))?.made, ["secrets"]);
    await j.making("config");
    await j.making("config");
    await j.making("home");
    const back = await readJournal(paths, "m");
    assert.deepEqual(back?.made, ["secrets", "config", "home"]);
    assert.equal(back?.pid, Deno.pid);
    assert.deepEqual(await listJournals(paths), ["m"]);
    await j.end();
    await j.end(); // twice is fine
    assert.equal(await hasJournal(paths, "m"), false);
    assert.deepEqual(await listJournals(paths), []);
    // A hand-edited record is a typed error, not a crash.
    await Deno.writeTextFile(`${root}/.config/codchi/journal/x.json`, '{"op":"init"}');
    await assert.rejects(() => readJournal(paths, "x"), ConfigError);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("switch: the record carries the build record; settling removes nothing", async () => {
  assert.deepEqual(settlePlan(rec("switch", [])).remove, []);
  assert.match(settlePlan(rec("switch", [])).message, /Finishing the interrupted switch of "m"/);
  const root = await Deno.makeTempDir();
  try {
    const paths = computePaths("linux", { HOME: root });
    const built = {
      version: 1 as const,
      flakeHash: "f",
      lockHash: "l",
      system: "/nix/store/abc-nixos-system",
      builtAt: "t",
      driver: "sha256:x",
    };
    const j = await JournalWriter.begin(paths, "m", "switch", { built });
    assert.deepEqual((await readJournal(paths, "m"))?.built, built);
    await j.end();
    // A record whose system is not a store path (edited by hand) is refused, typed.
    await Deno.writeTextFile(
      `${root}/.config/codchi/journal/m.json`,
      JSON.stringify({ ...j.record, built: { ...built, system: "/etc" } }),
    );
    await assert.rejects(() => readJournal(paths, "m"), ConfigError);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
