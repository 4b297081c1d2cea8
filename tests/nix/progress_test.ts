import { deepStrictEqual, equal, match } from "node:assert/strict";
import {
  type NixEvent,
  NixLogParser,
  parseNixLog,
  parseNixLogLine,
  storePathName,
  stripAnsi,
} from "../../src/nix/progress.ts";
import {
  formatBytes,
  ProgressRenderer,
  progressSummary,
  type RenderOptions,
  reportEvents,
} from "../../src/nix/progress_render.ts";

const fixture = (name: string) =>
  Deno.readTextFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const LOGS = [
  "reference-build-ok.log",
  "reference-build-fail.log",
  "build-ok.log",
  "build-fail.log",
  "build-chain.log",
  "substitute.log",
  "eval-modules.log",
];

const kinds = (events: NixEvent[], kind: NixEvent["kind"]) => events.filter((e) => e.kind === kind);

Deno.test("every recorded log parses without text leftovers or throws", () => {
  for (const name of LOGS) {
    const { events } = parseNixLog(fixture(name));
    equal(kinds(events, "text").length, 0, name);
    for (const e of events) {
      if (e.kind === "error" || e.kind === "message" || e.kind === "log") {
        equal(
          JSON.stringify(e).includes("\\u001b"),
          false,
          `${name}: ANSI left in ${JSON.stringify(e)}`,
        );
      }
    }
  }
});

Deno.test("successful build: 1/1 built, log lines named after the derivation", () => {
  for (const name of ["reference-build-ok.log", "build-ok.log"]) {
    const { events, progress } = parseNixLog(fixture(name));
    deepStrictEqual(progress.builds, { done: 1, total: 1, running: 0, failed: 0 }, name);
    equal(kinds(events, "error").length, 0);
    const logs = kinds(events, "log") as Extract<NixEvent, { kind: "log" }>[];
    equal(logs.length, name === "build-ok.log" ? 2 : 1, name);
    match(logs[0].line, /^(step one|building gen 1)$/);
    match(logs[0].name ?? "", /^(fake-system-gen1|fixture-ok)$/);
    equal(progress.current, undefined, "no build runs at the end");
  }
  const starts = kinds(parseNixLog(fixture("build-ok.log")).events, "start");
  match(JSON.stringify(starts), /building '\/nix\/store\/[0-9a-z]{32}-fixture-ok\.drv'/);
});

Deno.test("failed build: error text without ANSI, failure counted", () => {
  const { events, progress } = parseNixLog(fixture("reference-build-fail.log"));
  equal(progress.builds.failed, 1);
  const errors = kinds(events, "error") as Extract<NixEvent, { kind: "error" }>[];
  equal(errors.length, 1);
  match(
    errors[0].text,
    /^builder for '\/nix\/store\/[0-9a-z]{32}-fail-test\.drv' failed with exit code 3;/,
  );
  match(errors[0].text, /> oops/);
  const own = parseNixLog(fixture("build-fail.log"));
  match(
    (kinds(own.events, "error")[0] as { text: string }).text,
    /fixture-fail\.drv' failed with exit code 3/,
  );
  const red = (kinds(own.events, "log") as { line: string }[]).map((l) => l.line);
  deepStrictEqual(red, ["compiling", "bad thing"], "colours stripped from build output");
});

Deno.test("chain build: totals, phases reported by the builders, current build", () => {
  const p = new NixLogParser();
  const events = p.feed(fixture("build-chain.log"));
  deepStrictEqual(p.progress.builds, { done: 3, total: 3, running: 0, failed: 0 });
  const phases = (kinds(events, "phase") as { name: string; phase: string }[])
    .map((e) => `${e.name}:${e.phase}`);
  deepStrictEqual(phases.sort(), [
    "chain-a:buildPhase",
    "chain-b:buildPhase",
    "chain-b:configurePhase",
    "chain-top:installPhase",
  ]);
  const seen = (kinds(events, "progress") as { progress: { current?: string; phase?: string } }[])
    .map((e) => e.progress);
  equal(seen.some((s) => s.current === "chain-top" && s.phase === "installPhase"), true);
  const max = Math.max(
    ...seen.map((s) => (s as { builds?: { total: number } }).builds?.total ?? 0),
  );
  equal(max, 3);
});

Deno.test("substitution from a binary cache: fetched 1/1, expected bytes", () => {
  const { events, progress } = parseNixLog(fixture("substitute.log"));
  deepStrictEqual(progress.downloads, { done: 1, total: 1, running: 0, failed: 0 });
  equal(progress.builds.done, 0);
  equal(progress.bytes.total > 0, true);
  match(
    JSON.stringify(kinds(events, "start")),
    /copying path '\/nix\/store\/[0-9a-z]{32}-chain-top'/,
  );
});

Deno.test("malformed and foreign lines are never fatal", () => {
  const p = new NixLogParser();
  const junk = [
    "@nix {not json",
    "@nix []",
    "@nix null",
    '@nix {"action":"start"}',
    '@nix {"action":"result","id":1,"type":105,"fields":"x"}',
    '@nix {"action":"stop","id":424242}',
    '@nix {"action":"result","id":99,"type":101,"fields":[42]}',
    '@nix {"action":"bogus","id":1}',
    '@nix {"action":"msg"}',
    "@nix",
    "",
    "   ",
    "\x1b[31merror:\x1b[0m plain text from a wrapper",
  ];
  const events = junk.flatMap((l) => p.line(l));
  deepStrictEqual(events, [{ kind: "text", line: "error: plain text from a wrapper" }]);
  deepStrictEqual(p.progress.builds, { done: 0, total: 0, running: 0, failed: 0 });
});

Deno.test("chunked input gives the same events as whole lines", () => {
  const text = fixture("build-chain.log");
  const whole = parseNixLog(text).events;
  const p = new NixLogParser();
  const parts: NixEvent[] = [];
  for (let i = 0; i < text.length; i += 7) parts.push(...p.feed(text.slice(i, i + 7)));
  parts.push(...p.end());
  deepStrictEqual(parts, whole);
  const noNewline = new NixLogParser();
  equal(noNewline.feed('@nix {"action":"msg","level":1,"msg":"w"}').length, 0);
  deepStrictEqual(noNewline.end(), [{ kind: "message", level: 1, text: "w" }]);
});

Deno.test("helpers", () => {
  equal(stripAnsi("\x1b[35;1mhi\x1b[0m \x1b]8;;http://x\x07link\x1b]8;;\x07"), "hi link");
  equal(storePathName("/nix/store/3fvni28i1y2xnx50n2savm4nqgg5l7cs-fixture-ok.drv"), "fixture-ok");
  equal(storePathName("/nix/store/3fvni28i1y2xnx50n2savm4nqgg5l7cs-hello-2.12"), "hello-2.12");
  equal(storePathName("plain"), "plain");
  deepStrictEqual(parseNixLogLine('@nix {"action":"stop","id":5}'), { action: "stop", id: 5 });
  equal(parseNixLogLine("nix {}"), undefined);
  equal(formatBytes(512), "512 B");
  equal(formatBytes(1536), "1.5 KiB");
  equal(formatBytes(20 * 1024 * 1024), "20.0 MiB");
  equal(
    progressSummary({
      builds: { done: 2, total: 5, running: 1, failed: 1 },
      downloads: { done: 3, total: 10, running: 0, failed: 0 },
      bytes: { done: 1536, total: 20 * 1024 * 1024 },
      current: "hello",
      phase: "buildPhase",
    }),
    "[2/5 built, 1 failed, 3/10 fetched, 1.5 KiB of 20.0 MiB] hello (buildPhase)",
  );
});

function render(name: string, opts: RenderOptions): string {
  let out = "";
  const r = new ProgressRenderer(opts, (t) => (out += t));
  for (const e of parseNixLog(fixture(name)).events) r.handle(e);
  r.finish();
  return out;
}

Deno.test("renderer: plain lines when not a terminal", () => {
  const out = render("build-fail.log", { tty: false, verbose: false });
  equal(out.includes("\r"), false);
  equal(out.includes("\x1b"), false);
  match(out, /^building '\/nix\/store\/.*-fixture-fail\.drv'\.*$/m);
  match(out, /^error: builder for '.*fixture-fail\.drv' failed with exit code 3$/m);
  equal(out.includes("compiling"), false, "build log only with --verbose");
  equal(out.includes("evaluating file"), false, "talkative messages only with --verbose");
});

Deno.test("renderer: verbose shows the full build log", () => {
  const out = render("build-chain.log", { tty: false, verbose: true });
  for (const l of ["chain-a> compiling a", "chain-b> configuring b", "chain-top> linking"]) {
    equal(out.includes(l), true, l);
  }
  match(out, /\[3\/3 built\]/);
});

Deno.test("renderer: one live line on a terminal, cleared at the end", () => {
  const out = render("build-chain.log", { tty: true, verbose: false, columns: 40 });
  // deno-lint-ignore no-control-regex
  match(out, /\r\x1b\[2K\[[0-9]\/3 built\]/);
  equal(out.endsWith("\r\x1b[2K"), true);
  equal(out.includes("\n"), false, "nothing but the live line for a clean build");
  for (const seg of out.split("\r\x1b[2K")) equal([...seg].length <= 39, true, seg);
  const failed = render("build-fail.log", { tty: true, verbose: false });
  // deno-lint-ignore no-control-regex
  match(failed, /\r\x1b\[2Kerror: builder for .*\n/);
});

Deno.test("renderer: quiet shows errors only", () => {
  equal(render("build-ok.log", { tty: true, verbose: true, quiet: true }), "");
  match(render("build-fail.log", { tty: false, verbose: false, quiet: true }), /^error: /);
});

Deno.test("reportEvents feeds a driver Reporter", () => {
  const calls: string[] = [];
  const sink = reportEvents({
    step: (m) => calls.push(`step ${m}`),
    progress: (d, t, u) => calls.push(`progress ${d}/${t} ${u}`),
    debug: (m) => calls.push(`debug ${m}`),
    warn: (m) => calls.push(`warn ${m}`),
  });
  for (const e of parseNixLog(fixture("build-fail.log")).events) sink(e);
  equal(calls.includes("progress 0/1 builds"), true);
  equal(calls.some((c) => /^warn builder for .*failed with exit code 3/.test(c)), true);
  equal(calls.includes("debug fixture-fail> compiling"), true);
});
