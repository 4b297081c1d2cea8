/**
 * Helpers of the fault suite: runs codchi stopped at its n-th fault point (CODCHI_FAULT_STEP,
 * src/fault.ts), and the invariants checked after every fault — every machine complete or
 * absent, no home reachable from another machine, nothing written outside codchi's folders.
 */
import { equal, ok as assert } from "node:assert/strict";
import { computePaths } from "../../src/config/paths.ts";
import { machineMountProblem, missingStoreMounts } from "../../src/driver/lxd/mounts.ts";
import { MachineConfigSchema } from "../../src/config/schema.ts";
import type { CliResult, TestHome } from "../support/cli.ts";
import { listTree } from "../cli/_helpers.ts";

/** What a run stopped at a fault point did. */
export interface FaultRun extends CliResult {
  /** True when codchi reached fault point n (and so was stopped there). */
  fired: boolean;
}

/** Exit code of a process killed by `sig` as the test's runner reports it, or codchi's own. */
export const EXIT = { SIGKILL: 137, SIGINT: 130, SIGTERM: 130 } as const;

/** Runs codchi, sending itself `sig` at its `n`-th fault point. */
export async function runAtFault(
  home: TestHome,
  argv: string[],
  n: number,
  sig: "SIGKILL" | "SIGINT" | "SIGTERM",
): Promise<FaultRun> {
  const r = await home.run(argv, {
    env: { CODCHI_FAULT_STEP: String(n), CODCHI_FAULT_SIGNAL: sig, CODCHI_FAULT_TRACE: "1" },
  });
  const points = r.stderr.split("\n").filter((l) => l.startsWith("codchi-fault: ")).length;
  return { ...r, fired: points >= n };
}

/** The containers LXD has: name → own devices. */
export async function containers(): Promise<
  Map<string, { status: string; devices: Record<string, Record<string, string>> }>
> {
  const out = await new Deno.Command("lxc", {
    args: ["list", "--format", "json"],
    stdout: "piped",
  }).output();
  const list = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    name: string;
    status: string;
    devices: Record<string, Record<string, string>>;
  }[];
  return new Map(list.map((c) => [c.name, { status: c.status, devices: c.devices ?? {} }]));
}

/** Paths below the temp HOME that are codchi's (it may write there); everything else is not. */
const CODCHI_FOLDERS = [
  "config/codchi/",
  "data/codchi/",
  "run/",
  "data/applications/",
  "data/icons/",
  "data/desktop-directories/",
  "config/menus/",
  "config/autostart/",
];

/** Everything under the temp HOME that is not codchi's folders (for before/after comparison). */
export async function foreignFiles(home: TestHome): Promise<string[]> {
  return (await listTree(home.root)).filter((p) =>
    !CODCHI_FOLDERS.some((f) => p.startsWith(f) || `${p}` === f)
  );
}

async function exists(p: string): Promise<boolean> {
  try {
    await Deno.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * The invariants after a fault was settled: no journal left; every machine folder holds a valid
 * machine.json of its own name; every home has a machine; every container of `prefix` belongs to
 * a machine and carries exactly its mounts (so no home is reachable from another machine); the
 * store, when there, has all its mounts; nothing outside codchi's folders changed.
 */
export async function assertSound(
  home: TestHome,
  prefix: string,
  foreignBefore: string[],
  label: string,
): Promise<void> {
  const paths = computePaths("linux", home.env);
  const journal = `${home.configDir}/journal`;
  const left = (await exists(journal)) ? [...Deno.readDirSync(journal)].map((e) => e.name) : [];
  equal(left.length, 0, `${label}: journal records left: ${left}`);
  const machines = new Set<string>();
  if (await exists(paths.machinesDir)) {
    for (const e of Deno.readDirSync(paths.machinesDir)) {
      const file = `${paths.machinesDir}/${e.name}/machine.json`;
      assert(await exists(file), `${label}: machines/${e.name} has no machine.json`);
      const cfg = MachineConfigSchema.parse(JSON.parse(await Deno.readTextFile(file)));
      equal(cfg.name, e.name, `${label}: machines/${e.name} names ${cfg.name}`);
      machines.add(e.name);
    }
  }
  if (await exists(paths.machineDataRoot)) {
    for (const e of Deno.readDirSync(paths.machineDataRoot)) {
      assert(machines.has(e.name), `${label}: home of ${e.name} without a machine`);
    }
  }
  for (const [name, c] of await containers()) {
    if (name === "codchistore") {
      equal(missingStoreMounts(paths, c.devices), undefined, `${label}: store incomplete`);
      continue;
    }
    if (!name.startsWith(`codchi-${prefix}`)) continue;
    const m = name.slice("codchi-".length);
    assert(machines.has(m), `${label}: container ${name} without a machine`);
    equal(machineMountProblem(paths, m, c.devices), undefined, `${label}: ${name} mounts`);
  }
  equal(
    JSON.stringify(await foreignFiles(home)),
    JSON.stringify(foreignBefore),
    `${label}: files outside codchi's folders changed`,
  );
  assert(!(await exists("/tmp/escaped")), `${label}: wrote /tmp/escaped`);
}
