/**
 * Benchmarks on the real-LXD test bed (`deno task bench`): `codchi exec m -- true` against
 * `lxc exec codchi-m -- true` (ratio of medians, same run), `codchi status` with 1 and 10
 * machines (spawns and time), CLI start-up (`codchi --version`), the release images' download and
 * import (scripts/bench_release.ts). Prints a Markdown table.
 *
 * codchi runs as `deno run -A main.ts` unless CODCHI_BIN names a compiled binary. Holds
 * /tmp/codchi-lxd.lock (one store per host) and uses its own temporary HOME; removes the store
 * and its `codchi-bench*` containers before and after.
 */
import { makeHome, REPO, testbedEnv } from "../tests/support/cli.ts";
import { releaseRows } from "./bench_release.ts";

const N = Number(Deno.env.get("BENCH_RUNS") ?? 15);
const LOCK = Deno.env.get("CODCHI_LXD_LOCK") ?? "/tmp/codchi-lxd.lock";
const BIN = Deno.env.get("CODCHI_BIN");

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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs argv (quiet) and returns its wall time in ms; throws on a non-zero exit. */
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
const codchi = (args: string[]) =>
  BIN ? [BIN, ...args] : [Deno.execPath(), "run", "-A", "--quiet", `${REPO}/main.ts`, ...args];
const rows: string[][] = [];
try {
  console.error("bench: init bench0 (store, build, install, boot)…");
  const init = await home.run(["init", "bench0"]);
  if (init.code !== 0) throw new Error(`init failed:\n${init.stderr}`);

  const status = async (label: string) => {
    const traced = await home.run(["status"], { env: { CODCHI_TRACE: "1" } });
    const times: number[] = [];
    for (let i = 0; i < N; i++) times.push(await timeRun(codchi(["status"]), home.env));
    rows.push([label, `${median(times).toFixed(0)} ms`, String(traced.traces.length), ""]);
  };
  await status("`codchi status`, 1 machine");

  console.error("bench: exec…");
  const viaCodchi: number[] = [], viaLxc: number[] = [];
  for (let i = 0; i < N; i++) {
    viaCodchi.push(await timeRun(codchi(["exec", "bench0", "--", "true"]), home.env));
    viaLxc.push(await timeRun(["lxc", "exec", "codchi-bench0", "--", "true"]));
  }
  const traced = await home.run(["exec", "bench0", "--", "true"], { env: { CODCHI_TRACE: "1" } });
  const ratio = median(viaCodchi) / median(viaLxc);
  rows.push([
    "`codchi exec bench0 -- true` (running)",
    `${median(viaCodchi).toFixed(0)} ms`,
    String(traced.traces.length),
    `${ratio.toFixed(2)}× lxc exec`,
  ]);
  rows.push(["`lxc exec codchi-bench0 -- true`", `${median(viaLxc).toFixed(0)} ms`, "1", "1.00×"]);

  const version: number[] = [];
  for (let i = 0; i < N; i++) version.push(await timeRun(codchi(["--version"]), home.env));
  rows.push(["`codchi --version` (start-up)", `${median(version).toFixed(0)} ms`, "0", ""]);

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
  await status("`codchi status`, 10 machines");
  console.error("bench: release images (download, verify, import)…");
  rows.push(...await releaseRows(bed));
} finally {
  await cleanUp();
  await home.cleanup();
  lock.unlockSync();
  lock.close();
}

const runner = BIN ? `compiled binary ${BIN}` : "`deno run -A main.ts`";
console.log(`codchi via ${runner}; median of ${N} runs; spawns counted with CODCHI_TRACE=1\n`);
const head = ["what", "median", "spawns", "ratio"];
console.log(`| ${head.join(" | ")} |`);
console.log(`| ${head.map(() => "---").join(" | ")} |`);
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
