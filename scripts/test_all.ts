/**
 * `deno task test:all`: every suite, one after the other, output streamed; a suite that ends
 * without Deno's summary (set-up failed) counts as one failure. The last line is
 * `N passed, N failed` summed over all suites (what CI reads), followed by `, N skipped` when
 * tests were skipped; every skipped test is listed by name. Under CI=true a skip that
 * ALLOWED_SKIPS does not accept counts as a failure.
 *   deno run -A scripts/test_all.ts [suite…]
 */
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../", import.meta.url));

/** One suite: a name and the command that runs it. */
interface Suite {
  name: string;
  argv: string[];
  /** Counted as one test each (pass/fail by exit code) instead of Deno's summary. */
  plain?: boolean;
}

const deno = Deno.execPath();
const SUITES: Suite[] = [
  { name: "fmt", argv: [deno, "fmt", "--check"], plain: true },
  { name: "lint", argv: [deno, "lint"], plain: true },
  { name: "check", argv: [deno, "check", "main.ts", "scripts/", "tests/"], plain: true },
  { name: "unit", argv: [deno, "task", "-q", "test"] },
  { name: "host", argv: ["bash", "scripts/test-host.sh"] },
  { name: "secrets", argv: ["bash", "scripts/test-host-secrets.sh"] },
  { name: "lxd", argv: ["bash", "scripts/test-lxd.sh"] },
  { name: "remote", argv: ["bash", "scripts/test-remote.sh"] },
  { name: "faults", argv: ["bash", "scripts/test-faults.sh"] },
  { name: "host-lxd", argv: ["bash", "scripts/test-host-lxd.sh"] },
  { name: "git-e2e", argv: ["bash", "scripts/test-git-e2e.sh"] },
  { name: "release", argv: ["bash", "scripts/test-release.sh"] },
  { name: "incus", argv: ["bash", "scripts/test-incus.sh"] },
  { name: "remote-incus", argv: ["bash", "scripts/test-remote.sh", "--incus"] },
  { name: "remote-cluster", argv: ["bash", "scripts/test-remote.sh", "--incus-cluster"] },
  { name: "wsl", argv: ["bash", "scripts/test-wsl.sh"] },
  { name: "windows", argv: ["bash", "scripts/test-windows.sh"] },
];

/** Group aliases accepted on the command line. */
const GROUPS: Record<string, string[]> = { checks: ["fmt", "lint", "check"] };

/** Counts read from Deno test output; `skipped` names the ignored tests. */
export interface Summary {
  passed: number;
  failed: number;
  skipped: string[];
}

/**
 * Passed/failed/ignored counts from Deno test output (its `ok | … | …` / `FAILED | …` summary
 * lines), and the names of the ignored tests (`name ... ignored (0ms)`).
 */
export function parseSummary(text: string): Summary | undefined {
  // deno-lint-ignore no-control-regex
  const clean = text.replace(/\x1b\[[0-9;]*m/g, "");
  let found: Summary | undefined;
  const skipped: string[] = [];
  for (const line of clean.split("\n")) {
    const ign = /^(.*\S) \.\.\. ignored \(\d+m?s\)$/.exec(line);
    if (ign) skipped.push(ign[1].trim());
    if (!/^(ok|FAILED) \| /.test(line)) continue;
    const p = /(\d+) passed/.exec(line);
    const f = /(\d+) failed/.exec(line);
    found = {
      passed: (found?.passed ?? 0) + Number(p?.[1] ?? 0),
      failed: (found?.failed ?? 0) + Number(f?.[1] ?? 0),
      skipped: [],
    };
  }
  return found && { ...found, skipped };
}

/**
 * Skips CI accepts: tests whose prerequisite CI cannot have on this kind of machine. Every other
 * skip under CI=true is a failure: a suite that skips because CI forgot to install something
 * must not look green.
 */
export const ALLOWED_SKIPS: { pattern: RegExp; why: string }[] = [
  { pattern: /\bGPU\b/i, why: "no GPU on CI machines" },
  {
    pattern: /nushell script: nu loads it/,
    why: "nushell is not a Debian package (CI installs with apt-get only); the script's " +
      "structure is checked without it",
  },
];

/** The skipped test names that CI does not accept. */
export function unexpectedSkips(names: string[]): string[] {
  return names.filter((n) => !ALLOWED_SKIPS.some((a) => a.pattern.test(n)));
}

/** The final line CI reads: `N passed, N failed`, then `, N skipped` when any were. */
export function finalLine(passed: number, failed: number, skipped: number): string {
  return `${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : "");
}

/**
 * The lines that say why a suite failed, for the end of the run (CI keeps only the tail of a long
 * log): Deno's `ERRORS` section when there is one, else the lines that name a failure or an error;
 * at most `max` lines, ANSI colours removed.
 */
export function failureDigest(text: string, max = 40): string[] {
  // deno-lint-ignore no-control-regex
  const lines = text.replace(/\x1b\[[0-9;]*m/g, "").split("\n");
  const at = lines.findIndex((l) => l.trim() === "ERRORS");
  const picked = at >= 0
    ? lines.slice(at + 1).filter((l) => l.trim() !== "")
    : lines.filter((l) => /FAILED|[Ee]rror|exit [1-9]|not ok|died|killed/.test(l));
  return picked.length > max
    ? [...picked.slice(0, max - 1), `… (${picked.length - max + 1} more)`]
    : picked;
}

async function runSuite(s: Suite): Promise<Summary & { code: number; digest: string[] }> {
  console.log(`\n===== ${s.name}: ${s.argv.join(" ")}`);
  const child = new Deno.Command(s.argv[0], {
    args: s.argv.slice(1),
    cwd: REPO,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const chunks: string[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>, out: typeof Deno.stdout) => {
    const dec = new TextDecoder();
    for await (const c of stream) {
      chunks.push(dec.decode(c, { stream: true }));
      await out.write(c);
    }
  };
  await Promise.all([pump(child.stdout, Deno.stdout), pump(child.stderr, Deno.stderr)]);
  const { code } = await child.status;
  const text = chunks.join("");
  const digest = code === 0 ? [] : failureDigest(text);
  if (s.plain) {
    return { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: [], code, digest };
  }
  const sum = parseSummary(text);
  if (!sum) return { passed: 0, failed: 1, skipped: [], code, digest };
  // A non-zero exit with no failed test (e.g. a leak or set-up error after tests) still fails.
  return { ...sum, failed: sum.failed + (code !== 0 && sum.failed === 0 ? 1 : 0), code, digest };
}

if (import.meta.main) {
  const wanted = Deno.args.flatMap((a) => GROUPS[a] ?? [a]);
  const unknown = wanted.filter((w) => !SUITES.some((s) => s.name === w));
  if (unknown.length) {
    console.error(
      `unknown suite(s): ${unknown.join(", ")}; known: ${SUITES.map((s) => s.name).join(", ")}`,
    );
    Deno.exit(2);
  }
  const run = wanted.length ? SUITES.filter((s) => wanted.includes(s.name)) : SUITES;
  const strict = Deno.env.get("CI") === "true";
  let passed = 0, failed = 0;
  const rows: string[] = [];
  const skips: string[] = [];
  const digests: string[] = [];
  for (const s of run) {
    const t0 = performance.now();
    const r = await runSuite(s);
    passed += r.passed;
    failed += r.failed;
    for (const name of r.skipped) skips.push(`${s.name}: ${name}`);
    if (r.digest.length) digests.push(`--- ${s.name} (exit ${r.code}):`, ...r.digest);
    rows.push(
      `${s.name.padEnd(9)} ${String(r.passed).padStart(4)} passed ${
        String(r.failed).padStart(3)
      } failed ${String(r.skipped.length).padStart(3)} skipped  exit ${r.code}  ${
        ((performance.now() - t0) / 1000).toFixed(0)
      } s`,
    );
  }
  if (digests.length) console.log(`\n===== why suites failed\n${digests.join("\n")}`);
  console.log(`\n===== summary\n${rows.join("\n")}`);
  if (skips.length) {
    console.log(`\nskipped (each test's own ignore condition names its prerequisite):`);
    for (const line of skips) console.log(`  ${line}`);
  }
  const bad = unexpectedSkips(skips);
  if (strict && bad.length) {
    console.log(
      `\nCI installs every prerequisite, so ${bad.length} skip(s) above count as failures ` +
        `(ALLOWED_SKIPS in scripts/test_all.ts lists the accepted ones).`,
    );
    failed += bad.length;
  }
  console.log(finalLine(passed, failed, skips.length));
  Deno.exit(failed === 0 ? 0 : 1);
}
