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
import { lifecycleContract, loginShellOf } from "../contract/lifecycle.ts";
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
    importExport: async ({ M }, file, files) => {
      // A fresh container of the machine image (no codchi config, no mounts), the archive
      // unpacked over its root.
      const name = `codchi-${M}import`;
      const image = await lxc("config", "get", `codchi-${M}`, "volatile.base_image");
      equal(image.code, 0, image.err);
      const made = await lxc("init", image.text.trim(), name);
      equal(made.code, 0, made.err);
      try {
        equal((await lxc("file", "push", file, `${name}/tmp/export.tar.gz`)).code, 0);
        equal((await lxc("start", name)).code, 0);
        const x = await lxc("exec", name, "--", "tar", "-C", "/", "-xzf", "/tmp/export.tar.gz");
        equal(x.code, 0, x.err);
        // As the machine saw them: what its user made is the user's (uid:gid of the contract).
        const stat = ["--", "stat", "-c", "%u:%g", "/home/codchi/mine.txt"];
        const inMachine = await lxc("exec", `codchi-${M}`, ...stat);
        equal(inMachine.text.trim(), "1000:100", inMachine.err);
        const owner = await lxc("exec", name, ...stat);
        equal(owner.text.trim(), inMachine.text.trim(), "the home keeps the machine user's ids");
        const out: Record<string, string | undefined> = {};
        for (const f of files) {
          const cat = await lxc("exec", name, "--", "cat", f);
          out[f] = cat.code === 0 ? cat.text : undefined;
        }
        return out;
      } finally {
        await lxc("delete", "--force", name);
      }
    },
    killStoreDaemon: async ({ home }) => {
      const stop = await lxc("exec", "codchistore", "--", "systemctl", "stop", "codchi-nix-daemon");
      equal(stop.code, 0, stop.err);
      await assert_refused(`${home.dataDir}/nix/var/nix/daemon-socket/socket`);
    },
    reviveStoreDaemon: async ({ home }) => {
      await ok(home, ["store", "debug", "--", "systemctl", "start", "codchi-nix-daemon"]);
      const socket = `${home.dataDir}/nix/var/nix/daemon-socket/socket`;
      const deadline = Date.now() + 30_000;
      while (true) {
        try {
          (await Deno.connect({ transport: "unix", path: socket })).close();
          break;
        } catch (e) {
          if (Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
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
        await t.step("the team's caches reach the store's nix.conf at its next start", async () => {
          // A loopback URL inside the store (nothing is fetched: the check reads nix's config).
          const team = "http://127.0.0.1:9/team";
          const key = `team-1:${"B".repeat(43)}=`;
          const file = `${home.configDir}/config.json`;
          const before = await Deno.readTextFile(file).catch(() => undefined);
          const seen = async () => {
            equal((await lxc("stop", "--force", "codchistore")).code, 0);
            const r = await ok(home, ["store", "debug", "--", "nix", "show-config", "--json"]);
            return JSON.parse(r.stdout) as Record<string, { value: string[] }>;
          };
          const cfg = { ...JSON.parse(before ?? "{}") };
          await Deno.mkdir(home.configDir, { recursive: true });
          await Deno.writeTextFile(
            file,
            JSON.stringify({ ...cfg, nix: { substituters: [team], trustedPublicKeys: [key] } }),
          );
          try {
            const on = await seen();
            assert(on.substituters.value.includes(team), JSON.stringify(on.substituters));
            assert(on["trusted-public-keys"].value.includes(key));
          } finally {
            if (before === undefined) await Deno.remove(file);
            else await Deno.writeTextFile(file, before);
          }
          const off = await seen();
          assert(!off.substituters.value.includes(team), "a removed cache is gone after a start");
        });
        await t.step(
          "export: the configuration as a VM image (driver none), written whole",
          async () => {
            const dir = await Deno.makeTempDir();
            try {
              const bad = await home.run(["export", M, `${dir}/m.tar`]);
              equal(bad.code, 2, bad.stderr);
              match(bad.stderr, /--format/);
              const r = await ok(home, ["--json", "export", M, `${dir}/m.qcow2`]);
              const res = JSON.parse(r.stdout);
              equal(res.variant, "qemu", r.stdout);
              // The test driver flake's image names its variant, the driver and the system.
              const text = await Deno.readTextFile(`${dir}/m.qcow2`);
              match(text, /^qemu none \/nix\/store\/[a-z0-9]{32}-codchi-system-/);
              equal(res.bytes, text.length);
              // An image whose file is in a folder inside it (NixOS's iso/…).
              await ok(home, ["export", M, `${dir}/m.iso`]);
              match(await Deno.readTextFile(`${dir}/m.iso`), /^iso none /);
              equal(
                [...Deno.readDirSync(dir)].map((e) => e.name).sort().join(" "),
                "m.iso m.qcow2",
              );
              assert(!(await exists(`${home.configDir}/images/${M}`)), "its flake folder is gone");
            } finally {
              await Deno.remove(dir, { recursive: true });
            }
          },
        );
      },
      shell: async ({ home, M }) => {
        // Another login shell for the machine user: exec's $SHELL and its shell follow it.
        const before = await loginShellOf(home, M);
        equal(
          (await lxc("exec", `codchi-${M}`, "--", "usermod", "-s", "/bin/dash", "codchi")).code,
          0,
        );
        try {
          const cmd = await execIn(home, M, ["sh", "-c", 'printf %s "$SHELL"']);
          equal(cmd.stdout, "/bin/dash", cmd.stderr);
          const shell = await home.run(["exec", M], {
            stdin: 'printf "<%s>" "$SHELL"; readlink /proc/$$/exe\n',
          });
          equal(shell.code, 0, shell.stderr);
          match(shell.stdout, /<\/bin\/dash>\/(usr\/)?bin\/dash/);
        } finally {
          await lxc("exec", `codchi-${M}`, "--", "usermod", "-s", before, "codchi");
        }
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

/** Asserts that nothing accepts connections on the unix socket `path`. */
async function assert_refused(path: string): Promise<void> {
  const conn = await Deno.connect({ transport: "unix", path }).catch(() => undefined);
  conn?.close();
  equal(conn, undefined, `${path} still accepts connections`);
}
