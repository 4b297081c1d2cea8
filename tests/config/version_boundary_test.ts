/**
 * Format versions at their boundary: the current version of config.json, machine.json and
 * built.json is read; current + 1 (a file from a newer codchi) is refused with a ConfigError that
 * says so, before anything is used; an older or odd version is refused as an invalid key.
 */
import { equal, match, rejects, throws } from "node:assert/strict";
import { machinePaths } from "../../src/config/paths.ts";
import {
  BuiltSchema,
  CONFIG_VERSION,
  GlobalConfigSchema,
  MACHINE_VERSION,
  MachineConfigSchema,
} from "../../src/config/schema.ts";
import { parseJson } from "../../src/config/store.ts";
import { loadMachine } from "../../src/core/machines.ts";
import { machineStatuses } from "../../src/core/status.ts";
import { ConfigError, ExitCode } from "../../src/errors.ts";
import { fakeHost } from "../support/fake_core.ts";

const NEWER =
  /was written by a newer codchi \(format version (\d+); this codchi reads version (\d+)\)/;

Deno.test("the format versions are 1: a bump is deliberate (and needs a migration)", () => {
  equal(CONFIG_VERSION, 1);
  equal(MACHINE_VERSION, 1);
});

const CASES = [
  { file: "config.json", schema: GlobalConfigSchema, current: CONFIG_VERSION, rest: {} },
  {
    file: "machine.json",
    schema: MachineConfigSchema,
    current: MACHINE_VERSION,
    rest: { name: "m", createdAt: "2026-01-01T00:00:00Z" },
  },
  {
    file: "built.json",
    schema: BuiltSchema,
    current: 1,
    rest: {
      flakeHash: "a",
      lockHash: "b",
      system: "/nix/store/x-nixos-system-m",
      builtAt: "2026-01-01T00:00:00Z",
    },
  },
] as const;

for (const c of CASES) {
  Deno.test(`${c.file}: version ${c.current} read, ${c.current + 1} refused as newer`, () => {
    const text = (v: unknown) => JSON.stringify({ version: v, ...c.rest });
    equal(
      (parseJson(`/x/${c.file}`, text(c.current), c.schema) as { version: number }).version,
      c.current,
    );
    throws(() => parseJson(`/x/${c.file}`, text(c.current + 1), c.schema), (e) => {
      if (!(e instanceof ConfigError)) return false;
      const m = NEWER.exec(e.message);
      equal(m?.[1], String(c.current + 1));
      equal(m?.[2], String(c.current));
      match(e.message, new RegExp(`/x/${c.file}`));
      match(e.hint ?? "", /Update codchi/);
      equal(e.exitCode, ExitCode.config);
      return true;
    });
    for (const odd of [c.current - 1, "1", null]) {
      throws(
        () => parseJson(`/x/${c.file}`, text(odd), c.schema),
        (e) =>
          e instanceof ConfigError && /key "version"/.test(e.message) && !NEWER.test(e.message),
      );
    }
  });
}

Deno.test("machine.json from a newer codchi: loadMachine refuses it, status shows it Broken", async () => {
  await using h = await fakeHost();
  const file = machinePaths(h.paths, "m").file;
  await Deno.mkdir(machinePaths(h.paths, "m").dir, { recursive: true });
  const write = (v: number) =>
    Deno.writeTextFile(file, JSON.stringify({ version: v, name: "m", createdAt: "t" }));
  await write(MACHINE_VERSION);
  equal((await loadMachine(h.paths, "m")).version, MACHINE_VERSION);
  await write(MACHINE_VERSION + 1);
  await rejects(
    loadMachine(h.paths, "m"),
    (e) => e instanceof ConfigError && NEWER.test(e.message),
  );
  const [row] = await machineStatuses(h.paths, undefined);
  equal(row.status, "Broken");
  match(row.reason!, /newer codchi/);
});
