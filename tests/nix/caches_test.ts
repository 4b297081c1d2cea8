/** Team caches (config.json `nix`, a module's nixConfig) and the stall watchdog, pure. */
import { deepStrictEqual, equal, ok, throws } from "node:assert/strict";
import {
  cacheOptions,
  cachesToOffer,
  mergeCaches,
  nixConfigCaches,
  publicKeyProblem,
  substituterProblem,
  withCaches,
} from "../../src/nix/caches.ts";
import { type Clock, stalledError, StallWatchdog } from "../../src/nix/stall.ts";
import { GlobalConfigSchema, MachineConfigSchema } from "../../src/config/schema.ts";
import { buildSystemArgv } from "../../src/nix/argv.ts";
import { ExitCode } from "../../src/errors.ts";

const KEY = `team.example.org-1:${"A".repeat(43)}=`;

Deno.test("caches: substituter URLs and keys are validated", () => {
  equal(substituterProblem("https://cache.example.org"), undefined);
  equal(substituterProblem("http://127.0.0.1:8080/team"), undefined);
  for (
    const bad of [
      "cache.example.org",
      "ftp://x.org",
      "file:///nix/cache",
      "https://u:p@x.org",
      "https://x.org/?a=1",
      "https://x.org/#f",
      "https://x.org/a b",
      'https://x.org/"',
      "",
    ]
  ) ok(substituterProblem(bad), bad);
  equal(publicKeyProblem(KEY), undefined);
  for (const bad of ["nokey", `x:${"A".repeat(10)}=`, `:${"A".repeat(43)}=`, `${KEY} `]) {
    ok(publicKeyProblem(bad), bad);
  }
});

Deno.test("caches: config.json refuses a bad URL or key (before anything runs)", () => {
  const ok1 = GlobalConfigSchema.parse({
    nix: { substituters: ["https://cache.example.org"], trustedPublicKeys: [KEY] },
  });
  deepStrictEqual(ok1.nix.substituters, ["https://cache.example.org"]);
  equal(ok1.nix.stallMinutes, 30);
  throws(() => GlobalConfigSchema.parse({ nix: { substituters: ["cache.example.org"] } }));
  throws(() => GlobalConfigSchema.parse({ nix: { trustedPublicKeys: ["x"] } }));
  throws(() => GlobalConfigSchema.parse({ nix: { stallMinutes: 0 } }));
  throws(() => GlobalConfigSchema.parse({ nix: { other: 1 } }));
  const m = {
    version: 1,
    name: "m",
    createdAt: "t",
    caches: { accepted: ["ftp://x"], trustedPublicKeys: [], declined: [] },
  };
  throws(() => MachineConfigSchema.parse(m));
});

Deno.test("caches: the daemon gets them as extra-* options right after the program", () => {
  const argv = buildSystemArgv("path:/m", "/p/system");
  const c = { substituters: ["https://a.org", "https://b.org"], trustedPublicKeys: [KEY] };
  const full = withCaches(argv, c);
  deepStrictEqual(full.slice(0, 10), [
    "nix",
    "--option",
    "substitute",
    "true",
    "--option",
    "extra-substituters",
    "https://a.org https://b.org",
    "--option",
    "extra-trusted-public-keys",
    KEY,
  ]);
  deepStrictEqual(full.slice(10), argv.slice(1));
  deepStrictEqual(withCaches(argv, { substituters: [], trustedPublicKeys: [] }), argv);
  deepStrictEqual(cacheOptions({ substituters: [], trustedPublicKeys: [KEY] }), [
    "--option",
    "extra-trusted-public-keys",
    KEY,
  ]);
  deepStrictEqual(
    mergeCaches(c, { substituters: ["https://a.org", "https://c.org"], trustedPublicKeys: [KEY] }),
    { substituters: ["https://a.org", "https://b.org", "https://c.org"], trustedPublicKeys: [KEY] },
  );
});

Deno.test("caches: a module flake's nixConfig, as string or list, plain and extra-", () => {
  deepStrictEqual(
    nixConfigCaches({
      "extra-substituters": ["https://a.org", 3],
      substituters: "https://b.org  https://c.org",
      "extra-trusted-public-keys": [KEY],
      "other": true,
    }),
    {
      substituters: ["https://b.org", "https://c.org", "https://a.org"],
      trustedPublicKeys: [KEY],
    },
  );
  deepStrictEqual(nixConfigCaches(null), { substituters: [], trustedPublicKeys: [] });
  deepStrictEqual(nixConfigCaches("x"), { substituters: [], trustedPublicKeys: [] });
});

/** A clock whose time moves only when the test says so. */
function fakeClock() {
  let now = 0;
  let next = 1;
  const timers = new Map<number, { at: number; f: () => void }>();
  const clock: Clock = {
    now: () => now,
    setTimeout: (f, ms) => {
      timers.set(next, { at: now + ms, f });
      return next++;
    },
    clearTimeout: (id) => void timers.delete(id),
  };
  const advance = (ms: number) => {
    const end = now + ms;
    while (true) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].f();
    }
    now = end;
  };
  return { clock, advance, pending: () => timers.size };
}

Deno.test("stall watchdog: progress keeps it quiet; silence for the limit fires it once", () => {
  const { clock, advance, pending } = fakeClock();
  let stalls = 0;
  const w = new StallWatchdog(60_000, () => stalls++, clock);
  w.start();
  // a fake progress source: a line every 50 s for 10 minutes
  for (let i = 0; i < 12; i++) {
    advance(50_000);
    w.touch();
  }
  equal(stalls, 0);
  equal(w.fired, false);
  equal(pending(), 1, "one timer, however much progress");
  advance(59_999);
  equal(stalls, 0);
  advance(1);
  equal(stalls, 1);
  equal(w.fired, true);
  advance(600_000);
  equal(stalls, 1, "fires once");
  equal(pending(), 0);
});

Deno.test("stall watchdog: stop() before the limit never fires", () => {
  const { clock, advance, pending } = fakeClock();
  let stalls = 0;
  const w = new StallWatchdog(1000, () => stalls++, clock);
  w.start();
  advance(999);
  w.stop();
  advance(10_000);
  equal(stalls, 0);
  equal(pending(), 0);
  const e = stalledError("nix build", 30);
  equal(e.exitCode, ExitCode.timeout);
  ok(/no progress for 30 minutes/.test(e.message) && /as it was/.test(e.message));
  ok(/stallMinutes/.test(e.hint ?? ""));
});

Deno.test("caches: a module's substituters are offered once; configured ones never", () => {
  const wanted = {
    substituters: ["https://a.org", "https://b.org", "https://c.org", "ftp://bad", "https://a.org"],
    trustedPublicKeys: [KEY, "junk"],
  };
  deepStrictEqual(
    cachesToOffer(wanted, {
      configured: ["https://a.org"],
      accepted: ["https://b.org"],
      declined: [],
    }),
    { offer: ["https://c.org"], invalid: ["ftp://bad"], keys: [KEY] },
  );
  equal(
    cachesToOffer(wanted, { configured: [], accepted: [], declined: ["https://c.org"] }).offer
      .includes("https://c.org"),
    false,
    "a declined cache is not offered again",
  );
});
