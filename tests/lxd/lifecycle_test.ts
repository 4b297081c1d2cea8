/**
 * The whole machine lifecycle through the real CLI on a real LXD (one temp HOME, one store):
 * init → rebuild → exec → status transitions → concurrent rebuilds → duplicate → tar → gc → delete.
 * Run under `flock /tmp/codchi-lxd.lock` (scripts/test-lxd.sh does): one store per host.
 */
import { deepEqual, equal, match, ok as assert } from "node:assert/strict";
import { makeHome, testbedEnv } from "../support/cli.ts";
import { MACHINE_CA_PATH, readHostCaBundle } from "../../src/core/host_ca.ts";
import {
  containerNames,
  execIn,
  exists,
  filesBelow,
  haveTestbed,
  lxc,
  ok,
  removeContainers,
  spawnCli,
  statusOf,
} from "./cli_support.ts";

const bed = testbedEnv();
const PREFIX = "lc";
const M = "lc";
const DUP = "lcdup";

/** Arguments that break any shell joining. */
const NASTY = [
  "two words",
  "it's",
  '"double"',
  "$(touch /tmp/pwned)",
  "`touch /tmp/pwned`",
  "*",
  "line one\nline two",
  "ünïcødé ✓ 日本",
  "-n",
  "--help",
  "",
  "a\\b",
  "$HOME",
];

Deno.test({
  name: "lxd cli: the whole lifecycle of a machine",
  ignore: !haveTestbed(bed),
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  await removeContainers(PREFIX);
  const home = await makeHome(bed);
  const cfg = (m: string) => `${home.configDir}/machines/${m}`;
  const data = (m: string) => `${home.dataDir}/machine/${m}`;
  const builtSystem = async (m: string) =>
    (JSON.parse(await Deno.readTextFile(`${cfg(m)}/built.json`)) as { system: string }).system;
  const timings: string[] = [];
  const timed = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      timings.push(`${what}: ${Math.round(performance.now() - t0)} ms`);
    }
  };
  try {
    await t.step("init --no-build writes the config only: NotInstalled", async () => {
      await timed("init -N", () => ok(home, ["init", "-N", M]));
      equal((await statusOf(home))[M].status, "NotInstalled");
      assert(await exists(`${cfg(M)}/flake.nix`));
      assert(!(await containerNames()).includes(`codchi-${M}`));
    });

    await t.step("rebuild builds in the store, installs and starts: UpToDate", async () => {
      await timed("first rebuild (store + build + install + boot)", () => ok(home, ["rebuild", M]));
      const st = (await statusOf(home))[M];
      equal(st.status, "UpToDate");
      equal(st.running, true);
      match(await builtSystem(M), /^\/nix\/store\/[a-z0-9]{32}-/);
    });

    await t.step("in the machine: systemd is up, the store's daemon answers", async () => {
      const sys = await execIn(home, M, ["systemctl", "is-system-running"]);
      match(sys.stdout, /^(running|degraded)\s*$/);
      const ping = await execIn(home, M, ["nix", "store", "ping"]);
      equal(ping.code, 0, ping.stderr);
      match(ping.stdout + ping.stderr, /Store URL: daemon/);
      const system = await builtSystem(M);
      const q = await execIn(home, M, ["env", "NIX_REMOTE=daemon", "nix-store", "-q", system]);
      equal(q.code, 0, q.stderr);
      equal(q.stdout.trim(), system);
      const who = await execIn(home, M, ["id", "-un"]);
      equal(who.stdout.trim(), "codchi");
    });

    await t.step("the host's CA bundle was handed in at start, byte for byte", async () => {
      const host = await readHostCaBundle("linux");
      assert(host !== undefined, "this host has a CA bundle");
      const inside = await execIn(home, M, ["cat", MACHINE_CA_PATH]);
      equal(inside.code, 0, inside.stderr);
      equal(inside.stdout, host);
    });

    await t.step("exec passes argv exactly and exit codes through", async () => {
      const out = await execIn(home, M, ["printf", "%s\\0", ...NASTY]);
      equal(out.code, 0, out.stderr);
      deepEqual(out.stdout.split("\0").slice(0, -1), NASTY);
      const shown = await execIn(home, M, ["printf", "[%s]\\n", "a b", "-x"]);
      equal(shown.stdout, "[a b]\n[-x]\n");
      equal((await execIn(home, M, ["test", "-e", "/tmp/pwned"])).code, 1, "nothing was run");
      equal((await execIn(home, M, ["sh", "-c", "exit 7"])).code, 7);
      equal((await execIn(home, M, ["false"])).code, 1);
      // Without `--`, options after the machine name are the command's too.
      const dash = await home.run(["exec", M, "printf", "%s|", "-la"]);
      equal(dash.stdout, "-la|");
    });

    await t.step("a running machine's exec costs one spawn (lxc exec)", async () => {
      const res = await home.run(["exec", M, "--", "true"], { env: { CODCHI_TRACE: "1" } });
      equal(res.code, 0, res.stderr);
      console.error(`  exec on a running machine: ${res.traces.join(" | ")}`);
      equal(res.traces.length, 1, res.traces.join("\n"));
      match(res.traces[0], /lxc exec/);
    });

    await t.step("status: Modified after module add -N, UpToDate after rebuild", async () => {
      await ok(home, ["module", "add", "-N", "-y", M, "projects/app", "nixosModules.default"]);
      equal((await statusOf(home))[M].status, "Modified");
      const mods = JSON.parse((await ok(home, ["--json", "module", "ls", M])).stdout);
      equal(mods.length, 1);
      await ok(home, ["module", "delete", "-N", M, mods[0].name]);
      // The flake is what was built again: nothing to do.
      equal((await statusOf(home))[M].status, "UpToDate");
      // Rebuild of a running machine: switch-to-configuration activates the built profile.
      await timed("rebuild of a running machine", () => ok(home, ["rebuild", M]));
      equal((await statusOf(home))[M].status, "UpToDate");
      const system = await builtSystem(M);
      const profile = await execIn(home, M, ["readlink", "-f", "/nix/var/nix/profiles/system"]);
      equal(profile.stdout.trim(), system, "the machine sees the profile the store built");
      const active = await execIn(home, M, ["readlink", "-f", "/run/current-system"]);
      equal(active.stdout.trim(), system, "and activated it");
    });

    await t.step("two concurrent rebuilds of one machine serialize", async () => {
      // Started together: one takes the machine's lock, the other says it waits and goes on
      // only when the first is done.
      const runs = [spawnCli(home, ["rebuild", M]), spawnCli(home, ["rebuild", M])];
      const ended: number[] = [];
      const results = await Promise.all(runs.map(async (r, i) => {
        const res = await r.done();
        ended[i] = performance.now();
        return res;
      }));
      for (const r of results) equal(r.code, 0, r.stderr);
      const waited = results.map((r) =>
        /Waiting for another codchi working on "lc"/.test(r.stderr)
      );
      equal(waited.filter((w) => w).length, 1, results.map((r) => r.stderr).join("\n---\n"));
      const w = waited.indexOf(true);
      assert(ended[w] > ended[1 - w], "the waiting rebuild finished after the other one");
      equal((await statusOf(home))[M].status, "UpToDate");
    });

    await t.step("duplicate copies config, lock, home and container; the copy runs", async () => {
      await Deno.writeTextFile(`${data(M)}/hello.txt`, "hello from lc\n");
      await timed("duplicate", () => ok(home, ["duplicate", M, DUP]));
      const src = JSON.parse(await Deno.readTextFile(`${cfg(M)}/machine.json`));
      const dup = JSON.parse(await Deno.readTextFile(`${cfg(DUP)}/machine.json`));
      equal(dup.name, DUP);
      deepEqual(dup.modules, src.modules);
      if (await exists(`${cfg(M)}/flake.lock`)) {
        equal(
          await Deno.readTextFile(`${cfg(DUP)}/flake.lock`),
          await Deno.readTextFile(`${cfg(M)}/flake.lock`),
        );
      }
      assert((await containerNames()).includes(`codchi-${DUP}`));
      const cat = await execIn(home, DUP, ["cat", "/home/codchi/hello.txt"]);
      equal(cat.stdout, "hello from lc\n");
      // Its own home: a write in the copy is not seen by the original.
      equal((await execIn(home, DUP, ["sh", "-c", "echo dup > ~/only-dup"])).code, 0);
      assert(!(await exists(`${data(M)}/only-dup`)));
      equal(await Deno.readTextFile(`${data(DUP)}/only-dup`), "dup\n");
      const host = await lxc("config", "device", "get", `codchi-${DUP}`, "codchi-home", "source");
      equal(host.text.trim(), data(DUP));
      const st = await statusOf(home);
      equal(st[DUP].status, "UpToDate");
      equal(st[DUP].running, true);
      equal((await execIn(home, M, ["true"])).code, 0, "the original runs again");
    });

    await t.step(
      "tar holds the home, the standalone flake and machine.json, no secrets",
      async () => {
        const file = `${home.root}/lc.tar`;
        await ok(home, ["tar", M, file]);
        const list = await new Deno.Command("tar", { args: ["-tf", file], stdout: "piped" })
          .output();
        const names = new TextDecoder().decode(list.stdout).split("\n").map((n) =>
          n.replace(/^\.\//, "")
        );
        for (const want of ["hello.txt", "codchi/flake/flake.nix", "codchi/machine.json"]) {
          assert(names.includes(want), `${want} in ${names.join(", ")}`);
        }
        assert(!names.some((n) => /secret/i.test(n)), "no secrets in the tar");
      },
    );

    await t.step(
      "gc --delete-old --all keeps every machine's system; they boot again",
      async () => {
        const before: Record<string, string> = {
          [M]: await builtSystem(M),
          [DUP]: await builtSystem(DUP),
        };
        // Garbage: a store path nothing refers to; gc must take it (and only such paths).
        const added = await lxc(
          "exec",
          "codchistore",
          "--",
          "sh",
          "-c",
          "echo garbage > /tmp/garbage && nix-store --add /tmp/garbage",
        );
        equal(added.code, 0, added.err);
        const garbage = added.text.trim();
        assert(await exists(`${home.dataDir}${garbage}`));
        const gc = await timed(
          "gc --delete-old --all",
          () => ok(home, ["gc", "--delete-old", "--all"]),
        );
        match(gc.stdout, /[1-9]\d* store paths deleted/);
        assert(!(await exists(`${home.dataDir}${garbage}`)), "the garbage was collected");
        for (const m of [M, DUP]) {
          // system → system-N-link → /nix/store/… (a path as the store sees it).
          const gen = await Deno.readLink(`${cfg(m)}/profiles/system`);
          const target = await Deno.readLink(`${cfg(m)}/profiles/${gen}`);
          equal(target, before[m], `${m}'s profile still points at its system`);
          assert(await exists(`${home.dataDir}${target}/activate`), "and the system exists");
          equal((await lxc("stop", "--force", `codchi-${m}`)).code, 0);
          const res = await timed(`exec ${m} after stop (boot)`, () => execIn(home, m, ["true"]));
          equal(res.code, 0, res.stderr);
          const seen = await execIn(home, m, ["readlink", "-f", "/nix/var/nix/profiles/system"]);
          equal(seen.stdout.trim(), before[m]);
        }
      },
    );

    await t.step("delete leaves nothing of the machine", async () => {
      const apps = `${home.root}/data/applications`;
      for (const m of [DUP, M]) {
        await ok(home, ["delete", m, "--i-am-really-sure"]);
        assert(!(await containerNames()).includes(`codchi-${m}`), `container of ${m}`);
        assert(!(await exists(cfg(m))), `config of ${m}`);
        assert(!(await exists(data(m))), `home of ${m}`);
        const left = (await filesBelow(home.root)).filter((f) =>
          f.includes(`.${m}.`) || f.includes(`codchi-${m}.`) || f.includes(`/${m}/`)
        );
        deepEqual(left, [], `files of ${m} left: ${left.join(", ")}`);
        equal((await statusOf(home))[m], undefined);
      }
      deepEqual(
        (await filesBelow(apps)).filter((f) => f.includes(M)),
        [],
        "desktop entries",
      );
      const secrets = `${home.dataDir}/secrets.json`;
      if (await exists(secrets)) {
        const text = await Deno.readTextFile(secrets);
        assert(!text.includes(`"${M}"`) && !text.includes(`"${DUP}"`), text);
      }
    });
  } finally {
    console.error(`  timings:\n    ${timings.join("\n    ")}`);
    await removeContainers(PREFIX);
    await home.cleanup();
  }
});
