/**
 * Benchmarks on the real-LXD test bed (`deno task bench`). Every row is a ratio measured in ONE
 * run, paired and alternating (a, b, then b, a, …), against a floor:
 *
 * - `codchi exec m -- true` on a running machine ÷ `scripts/bench_floor.ts` spawning exactly the
 *   argv codchi spawned (from CODCHI_TRACE=1) — goal ≤ 1.15×; peak memory (max RSS) the same way
 *   — goal ≤ 1.2×;
 * - `codchi --version` / `--help` ÷ `deno run` of an empty file (`scripts/bench_empty.ts`) — ≤ 1.15×;
 * - `codchi status` with 10 machines ÷ the floor spawning its one `lxc list` — ≤ 1.2×.
 *
 * Each row: median, spread (25th–75th percentile), ratio of medians, spawns. The machines are set
 * up once, then BENCH_ROUNDS (3) complete rounds run in a row, each with its own table. Then the
 * modules the exec and status paths load, largest first (file sizes), so a regression names its
 * cause. Exits 1 when a goal is missed in any round. codchi runs as `deno run -A main.ts` unless
 * CODCHI_BIN names a compiled binary. Holds /tmp/codchi-lxd.lock (one store per host) and uses
 * its own temporary HOME; removes the store and its `codchi-bench*` containers before and after.
 */
import { makeHome, REPO, testbedEnv, type TestHome } from "../tests/support/cli.ts";
import { printReleaseRows, releaseRows } from "./bench_release.ts";

const N = Number(Deno.env.get("BENCH_RUNS") ?? 15);
const LOCK = Deno.env.get("CODCHI_LXD_LOCK") ?? "/tmp/codchi-lxd.lock";
const BIN = Deno.env.get("CODCHI_BIN");
const DENO = Deno.execPath();

/** One line of the result table. */
interface Row {
  what: string;
  median: string;
  spread: string;
  ratio: string;
  spawns: string;
  /** The goal, e.g. 1.15 (ratio ≤ goal), and whether it was met. */
  goal?: { limit: number; met: boolean };
}

const rows: Row[] = [];

async function lxc(...args: string[]): Promise<{ code: number; text: string }> {
  const out = await new Deno.Command("lxc", { args, stdout: "piped", stderr: "piped" }).output();
  return { code: out.code, text: new TextDecoder().decode(out.stdout) };
}

async function cleanUp(): Promise<void> {
  const list = JSON.parse((await lxc("list", "--format", "json")).text) as { name: string }[];
  await Promise.all(
    list.map((c) => c.name).filter((n) => n === "codchistore" || n.startsWith("codchi-bench"))
      .map((n) => lxc("delete", "--force", n)),
  );
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo] + (s[Math.ceil(at)] - s[lo]) * (at - lo);
}
const median = (xs: number[]) => quantile(xs, 0.5);
const spread = (xs: number[], unit: string) =>
  `${quantile(xs, 0.25).toFixed(0)}–${quantile(xs, 0.75).toFixed(0)} ${unit}`;

/** Runs argv quietly; returns its wall time in ms. Throws on a non-zero exit. */
async function timeRun(argv: string[], env?: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    env,
    clearEnv: env !== undefined,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t0;
  if (out.code !== 0) {
    throw new Error(
      `${argv.join(" ")} exited ${out.code}: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return ms;
}

/** Peak memory (max RSS, KiB) of argv, from GNU time. */
async function peakKib(argv: string[], env?: Record<string, string>): Promise<number> {
  const file = await Deno.makeTempFile();
  try {
    await timeRun(["/usr/bin/time", "-f", "%M", "-o", file, ...argv], env);
    return Number((await Deno.readTextFile(file)).trim().split("\n").pop());
  } finally {
    await Deno.remove(file);
  }
}

/** `n` paired runs of `a` and `b`, alternating which goes first. */
async function paired(
  measure: (argv: string[], env?: Record<string, string>) => Promise<number>,
  a: string[],
  b: string[],
  env?: Record<string, string>,
  n = N,
): Promise<[number[], number[]]> {
  const xa: number[] = [], xb: number[] = [];
  await measure(a, env); // warm both (caches, code cache) before counting
  await measure(b, env);
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      xa.push(await measure(a, env));
      xb.push(await measure(b, env));
    } else {
      xb.push(await measure(b, env));
      xa.push(await measure(a, env));
    }
  }
  return [xa, xb];
}

/** Adds the two rows of a paired comparison (the floor's ratio is 1.00×). */
function compare(
  what: string,
  floor: string,
  [xa, xb]: [number[], number[]],
  opts: { unit?: string; spawns?: string; limit?: number } = {},
): void {
  const unit = opts.unit ?? "ms";
  const ratio = median(xa) / median(xb);
  const goal = opts.limit === undefined
    ? undefined
    : { limit: opts.limit, met: ratio <= opts.limit };
  rows.push({
    what,
    median: `${median(xa).toFixed(0)} ${unit}`,
    spread: spread(xa, unit),
    ratio: `${ratio.toFixed(2)}×${goal ? ` (goal ≤ ${goal.limit})` : ""}`,
    spawns: opts.spawns ?? "",
    goal,
  });
  rows.push({
    what: floor,
    median: `${median(xb).toFixed(0)} ${unit}`,
    spread: spread(xb, unit),
    ratio: "1.00×",
    spawns: opts.spawns ?? "",
  });
}

/** Parses the argv of a `codchi-trace: spawn <ms> <exit> <argv…>` line (formatArgv's quoting). */
export function traceArgv(line: string): string[] {
  const m = /^codchi-trace: spawn \d+ -?\d+ (.*)$/.exec(line);
  if (!m) throw new Error(`not a trace line: ${line}`);
  const out: string[] = [];
  let cur = "", quoted = false, any = false;
  const s = m[1];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === "'") quoted = false;
      else cur += c;
    } else if (c === "'") [quoted, any] = [true, true];
    else if (c === "\\" && s[i + 1] === "'") [cur, any, i] = [cur + "'", true, i + 1];
    else if (c === " ") {
      if (any) out.push(cur);
      [cur, any] = ["", false];
    } else [cur, any] = [cur + c, true];
  }
  if (any) out.push(cur);
  return out;
}

const codchi = (args: string[]) =>
  BIN ? [BIN, ...args] : [DENO, "run", "-A", "--quiet", `${REPO}/main.ts`, ...args];
const floor = (
  argv: string[],
) => [DENO, "run", "-A", "--quiet", `${REPO}/scripts/bench_floor.ts`, ...argv];
const empty = [DENO, "run", "-A", "--quiet", `${REPO}/scripts/bench_empty.ts`];

/** The argv codchi spawns for `args` in the steady state (the second run), from its trace. */
async function spawnsOf(home: TestHome, args: string[]): Promise<string[][]> {
  await home.run(args);
  const traced = await home.run(args, { env: { CODCHI_TRACE: "1" } });
  if (traced.code !== 0) throw new Error(`codchi ${args.join(" ")}: ${traced.stderr}`);
  return traced.traces.map(traceArgv);
}

/** `--version` and `--help` against `deno run` of an empty file. */
async function benchStartup(home: TestHome): Promise<void> {
  console.error("bench: start-up…");
  for (const flag of ["--version", "--help"]) {
    compare(
      `\`codchi ${flag}\``,
      "`deno run` of an empty file",
      await paired(timeRun, codchi([flag]), empty, home.env),
      { spawns: "0", limit: 1.15 },
    );
  }
}

/** `exec` on a running machine against the floor spawning the same argv: time and memory. */
async function benchExec(home: TestHome, machine: string): Promise<void> {
  console.error("bench: exec…");
  const args = ["exec", machine, "--", "true"];
  const spawned = await spawnsOf(home, args);
  if (spawned.length !== 1) {
    throw new Error(`exec on a running machine spawned ${spawned.length} processes, not 1`);
  }
  const fl = floor(spawned[0]);
  compare(
    `\`codchi exec ${machine} -- true\` (running)`,
    "floor: `deno run` spawning the same argv",
    await paired(timeRun, codchi(args), fl, home.env),
    { spawns: "1", limit: 1.15 },
  );
  const raw = await paired(timeRun, spawned[0], spawned[0], home.env, Math.min(N, 11));
  rows.push({
    what: "the spawned argv alone (`lxc exec …`), for reference",
    median: `${median(raw[0]).toFixed(0)} ms`,
    spread: spread(raw[0], "ms"),
    ratio: "",
    spawns: "1",
  });
  compare(
    `peak memory of \`codchi exec ${machine} -- true\``,
    "peak memory of the floor",
    await paired(peakKib, codchi(args), fl, home.env, Math.min(N, 11)),
    { unit: "KiB", spawns: "1", limit: 1.2 },
  );
}

/** `status` against the floor spawning its one `lxc list`. */
async function benchStatus(home: TestHome, label: string, limit?: number): Promise<void> {
  console.error(`bench: status (${label})…`);
  const spawned = await spawnsOf(home, ["status"]);
  if (spawned.length !== 1) throw new Error(`status spawned ${spawned.length} processes, not 1`);
  compare(
    `\`codchi status\`, ${label}`,
    "floor: `deno run` spawning the same `lxc list`",
    await paired(timeRun, codchi(["status"]), floor(spawned[0]), home.env),
    { spawns: "1", limit },
  );
}

/** Every module `codchi <args>` loads (Deno's debug log), with its size from `deno info`. */
async function loadedModules(home: TestHome, args: string[]): Promise<Map<string, number>> {
  const out = await new Deno.Command(DENO, {
    args: ["run", "-A", "-L", "debug", `${REPO}/main.ts`, ...args],
    env: home.env,
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const log = new TextDecoder().decode(out.stderr);
  const urls = new Set<string>();
  for (
    const m of log.matchAll(
      /FileFetcher::fetch_no_follow - specifier: (\S+)|code cache \w+ for ES module: ([^,\s]+)/g,
    )
  ) urls.add(m[1] ?? m[2]);
  const sizes = new Map<string, number>();
  for (const u of urls) {
    if (!u.startsWith("file:")) {
      sizes.set(u, 0);
      continue;
    }
    try {
      sizes.set(u, (await Deno.stat(new URL(u))).size);
    } catch {
      sizes.set(u, 0);
    }
  }
  return sizes;
}

/** The largest modules a path loads, so a regression names its cause. */
async function importCosts(home: TestHome, args: string[]): Promise<string[]> {
  const mods = await loadedModules(home, args);
  const total = [...mods.values()].reduce((a, b) => a + b, 0);
  const npm = [...mods.keys()].filter((u) => u.includes("/registry.npmjs.org/"));
  const node = [...mods.keys()].filter((u) => u.startsWith("ext:deno_node"));
  const short = (u: string) =>
    u.replace(`file://${REPO}/`, "").replace(/^file:\/\/.*\/registry\.npmjs\.org\//, "npm:");
  const top = [...mods].filter(([u]) => u.startsWith("file:")).sort((a, b) => b[1] - a[1])
    .slice(0, 8).map(([u, n]) => `${short(u)} ${(n / 1024).toFixed(1)} KiB`);
  return [
    `\`codchi ${args.join(" ")}\`: ${mods.size} modules, ${(total / 1024).toFixed(0)} KiB; ` +
    `npm modules: ${npm.length}; Node built-in modules: ${node.length}`,
    `  largest: ${top.join(", ")}`,
  ];
}

// ---------------------------------------------------------------------------------------------

/** Prints one round's table and returns the rows that missed their goal. */
function printRound(title: string, list: Row[]): Row[] {
  console.log(`\n${title}\n`);
  const head = ["what", "median", "spread", "ratio", "spawns"];
  console.log(`| ${head.join(" | ")} |`);
  console.log(`| ${head.map(() => "---").join(" | ")} |`);
  for (const r of list) {
    console.log(`| ${[r.what, r.median, r.spread, r.ratio, r.spawns].join(" | ")} |`);
  }
  return list.filter((r) => r.goal && !r.goal.met);
}

/** `--startup-only`: the start-up rows alone (no LXD, no lock), BENCH_ROUNDS rounds. */
async function startupOnly(rounds: number): Promise<void> {
  const home = await makeHome();
  const missed: string[] = [];
  try {
    console.log(header(rounds) + "; start-up rows only (no LXD)");
    for (let r = 0; r < rounds; r++) {
      const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
      await benchStartup(home);
      const m = printRound(`Round ${r + 1} of ${rounds} (load average before: ${load}):`, rows);
      missed.push(...m.map((x) => `round ${r + 1}: ${x.what} ${x.ratio}`));
      rows.splice(0);
    }
  } finally {
    await home.cleanup();
  }
  console.log(
    missed.length ? `\nMISSED: ${missed.join("; ")}` : "\nEvery goal met in every round.",
  );
  if (missed.length) Deno.exit(1);
}

/** The first line of the report: when, where, how. */
function header(rounds: number): string {
  const cpu = Deno.readTextFileSync("/proc/cpuinfo").match(/^model name\s*:\s*(.*)$/m)?.[1];
  const runner = BIN ? `compiled binary ${BIN}` : "`deno run -A main.ts`";
  return `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, ${Deno.hostname()} ` +
    `(${cpu ?? "?"}, ${navigator.hardwareConcurrency} cores), Deno ${Deno.version.deno}; ` +
    `codchi via ${runner}; ${N} paired runs per row, alternating (medians; spread: 25th–75th ` +
    `percentile); ${rounds} rounds in a row`;
}

if (import.meta.main) {
  const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? 3);
  if (Deno.args.includes("--startup-only")) {
    await startupOnly(ROUNDS);
    Deno.exit(0);
  }
  const bed = testbedEnv();
  if (!bed.CODCHI_LXD_STORE_IMAGE) {
    console.error("No .testbed.env: run scripts/lxd-testbed.sh first (as root).");
    Deno.exit(1);
  }
  const lock = await Deno.open(LOCK, { create: true, write: true });
  console.error(`bench: waiting for ${LOCK}…`);
  await lock.lock(true);
  await cleanUp();
  const home = await makeHome(bed);
  const costs: string[] = [];
  const rounds: { load: string; rows: Row[] }[] = [];
  let releaseTable: string[][] = [];
  const setup: Row[] = [];
  try {
    console.error("bench: init bench0 (store, build, install, boot)…");
    const init = await home.run(["init", "bench0"]);
    if (init.code !== 0) throw new Error(`init failed:\n${init.stderr}`);
    await benchStatus(home, "1 machine");
    setup.push(...rows.splice(0));
    console.error("bench: 9 more machines…");
    const base = (JSON.parse((await lxc("list", "--format", "json", "codchi-bench0")).text) as {
      config: Record<string, string>;
    }[])[0].config["volatile.base_image"];
    await Promise.all(
      Array.from({ length: 9 }, (_, i) => `bench${i + 1}`).map(async (m) => {
        const r = await home.run(["init", "-N", m]);
        if (r.code !== 0) throw new Error(r.stderr);
        if ((await lxc("init", "-q", base, `codchi-${m}`)).code !== 0) {
          throw new Error(`lxc init ${m}`);
        }
      }),
    );
    // The measured rounds: each one complete (start-up, exec, status with 10 machines).
    for (let r = 0; r < ROUNDS; r++) {
      const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
      await benchStartup(home);
      await benchExec(home, "bench0");
      await benchStatus(home, "10 machines", 1.2);
      rounds.push({ load, rows: rows.splice(0) });
    }
    costs.push(...await importCosts(home, ["exec", "bench0", "--", "true"]));
    costs.push(...await importCosts(home, ["status"]));
    console.error("bench: release images (download, verify, import)…");
    releaseTable = await releaseRows(bed);
  } finally {
    await cleanUp();
    await home.cleanup();
    lock.unlockSync();
    lock.close();
  }

  printReleaseRows(releaseTable);
  console.log(header(ROUNDS));
  printRound("Set-up (not a goal):", setup);
  const missed: string[] = [];
  rounds.forEach((r, i) => {
    const m = printRound(`Round ${i + 1} of ${ROUNDS} (load average before: ${r.load}):`, r.rows);
    missed.push(...m.map((x) => `round ${i + 1}: ${x.what} ${x.ratio}`));
  });
  console.log("\nModules loaded (largest first):\n");
  for (const c of costs) console.log(c);
  console.log(
    missed.length ? `\nMISSED: ${missed.join("; ")}` : "\nEvery goal met in every round.",
  );
  if (missed.length) Deno.exit(1);
}
