/**
 * The lifecycle contract (tests/contract/lifecycle.ts) through the real CLI on a real LXD (one
 * temp HOME, one store), with LXD's own steps: init --no-build, the host's CA bundle, concurrent
 * rebuilds, the home as a host bind mount, the store's garbage.
 * Run under `flock /tmp/codchi-lxd.lock` (scripts/test-lxd.sh does): one store per host.
 */
import { equal, match, ok as assert } from "node:assert/strict";
import { makeHome, testbedEnv } from "../support/cli.ts";
import { ENGINE, ENGINE_BIN } from "../support/engine.ts";
import { MACHINE_CA_PATH, readHostCaBundle } from "../../src/core/host_ca.ts";
import { lifecycleContract } from "../contract/lifecycle.ts";
import {
  containerNames,
  execIn,
  exists,
  haveTestbed,
  lxc,
  ok,
  removeContainers,
  spawnCli,
  statusOf,
} from "./cli_support.ts";

const bed = testbedEnv();
const PREFIX = "lc";
/** The bundle the store's nix and git use (nix/container/store/daemon.sh). */
const STORE_CA_BUNDLE = "/etc/ssl/certs/ca-bundle.crt";

Deno.test({
  name: `${ENGINE} cli: the whole lifecycle of a machine`,
  ignore: !haveTestbed(bed),
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  await removeContainers(PREFIX);
  const home = await makeHome(bed);
  await lifecycleContract(t, {
    home,
    instances: containerNames,
    stop: async (name) => equal((await lxc("stop", "--force", name)).code, 0),
    cleanup: async () => {
      await removeContainers(PREFIX);
      await home.cleanup();
    },
    install: {
      name: "rebuild builds in the store, installs and starts: UpToDate",
      args: ["rebuild", "lc"],
      timing: "first rebuild (store + build + install + boot)",
      system: /^\/nix\/store\/[a-z0-9]{32}-/,
    },
    // The home is a host folder bind-mounted into the container.
    writeHello: ({ data, M }) => Deno.writeTextFile(`${data(M)}/hello.txt`, "hello from lc\n"),
    execSpawn: (_c, res) => match(res.traces[0], new RegExp(` ${ENGINE_BIN} exec -q codchi-`)),
    bootsAfterGc: async ({ home, timed }, m, system) => {
      assert(await exists(`${home.dataDir}${system}/activate`), "and the system exists");
      const res = await timed(`exec ${m} after stop (boot)`, () => execIn(home, m, ["true"]));
      equal(res.code, 0, res.stderr);
      const seen = await execIn(home, m, ["readlink", "-f", "/nix/var/nix/profiles/system"]);
      equal(seen.stdout.trim(), system);
    },
    hooks: {
      beforeInstall: async ({ home, M, cfg, timed }, t) => {
        await t.step("init --no-build writes the config only: NotInstalled", async () => {
          await timed("init -N", () => ok(home, ["init", "-N", M]));
          equal((await statusOf(home))[M].status, "NotInstalled");
          assert(await exists(`${cfg(M)}/flake.nix`));
          assert(!(await containerNames()).includes(`codchi-${M}`));
        });
      },
      inMachine: async ({ home, M }) => {
        const sys = await execIn(home, M, ["systemctl", "is-system-running"]);
        match(sys.stdout, /^(running|degraded)\s*$/);
      },
      afterInMachine: async ({ home, M }, t) => {
        await t.step("the host's CA bundle was handed in at start, byte for byte", async () => {
          const host = await readHostCaBundle("linux");
          assert(host !== undefined, "this host has a CA bundle");
          const inside = await execIn(home, M, ["cat", MACHINE_CA_PATH]);
          equal(inside.code, 0, inside.stderr);
          equal(inside.stdout, host);
        });
        await t.step("the store got it too before its start, and trusts it", async () => {
          const host = await readHostCaBundle("linux");
          const handed = await lxc("exec", "codchistore", "--", "cat", MACHINE_CA_PATH);
          equal(handed.code, 0, handed.err);
          equal(handed.text, host);
          const trusted = await lxc("exec", "codchistore", "--", "cat", STORE_CA_BUNDLE);
          equal(trusted.code, 0, trusted.err);
          assert(trusted.text.endsWith(host!), "the store's bundle ends with the host's");
        });
      },
      afterRebuild: async ({ home, M }, system) => {
        const profile = await execIn(home, M, ["readlink", "-f", "/nix/var/nix/profiles/system"]);
        equal(profile.stdout.trim(), system, "the machine sees the profile the store built");
        const active = await execIn(home, M, ["readlink", "-f", "/run/current-system"]);
        equal(active.stdout.trim(), system, "and activated it");
      },
      afterStatus: async ({ home, M }, t) => {
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
      },
      duplicate: async ({ home, M, DUP, data }) => {
        assert(!(await exists(`${data(M)}/only-dup`)));
        equal(await Deno.readTextFile(`${data(DUP)}/only-dup`), "dup\n");
        const host = await lxc("config", "device", "get", `codchi-${DUP}`, "codchi-home", "source");
        equal(host.text.trim(), data(DUP));
        equal((await execIn(home, M, ["true"])).code, 0, "the original runs again");
      },
      beforeGc: async ({ home }) => {
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
        return async (gc) => {
          match(gc.stdout, /[1-9]\d* store paths deleted/);
          assert(!(await exists(`${home.dataDir}${garbage}`)), "the garbage was collected");
        };
      },
    },
  });
});
