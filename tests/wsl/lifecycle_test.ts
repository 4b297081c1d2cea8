/**
 * The lifecycle contract (tests/contract/lifecycle.ts) through the real CLI on the wsl.exe
 * simulator, with WSL's own checks: init in one go, the machine's own disk, stdin, a machine
 * stopped behind codchi's back, gc after the original's delete, nothing left in the simulator.
 * The store distro runs a real nix-daemon (scripts/wsl_test_images.sh --nix); machines mount its
 * /nix from /mnt/wsl/codchi/nix.
 */
import { deepEqual, equal, match, ok as assert } from "node:assert/strict";
import { lifecycleContract } from "../contract/lifecycle.ts";
import { HOST_CA_FILE } from "../../src/contract.ts";
import { readHostCaBundle } from "../../src/core/host_ca.ts";
import {
  CAN_RUN,
  execIn,
  exists,
  filesBelow,
  NIX_IMAGES,
  ok,
  simHome,
  statusOf,
  wslSpawns,
} from "./cli_sim.ts";

const opts = { ignore: !CAN_RUN, sanitizeResources: false, sanitizeOps: false };
if (!CAN_RUN) console.error(`wsl lifecycle ignored (needs root and images): ${NIX_IMAGES.missing}`);

Deno.test({ name: "wsl cli: the whole lifecycle of a machine", ...opts }, async (t) => {
  const home = await simHome();
  await lifecycleContract(t, {
    home,
    instances: () => home.distros(),
    stop: async (name) => equal((await home.wsl("--terminate", name)).code, 0),
    cleanup: () => home.dispose(),
    install: {
      name: "init builds in the store, imports and starts: UpToDate",
      args: ["init", "lc"],
      timing: "init (store import + build + machine import + boot)",
      system: /^\/nix\/store\/[a-z0-9]{32}-codchi-system-/,
    },
    // The home is on the machine's own disk: written from inside.
    writeHello: async ({ M }) => {
      equal((await execIn(home, M, ["sh", "-c", "echo hello from lc > ~/hello.txt"])).code, 0);
    },
    importExport: async (_c, file, files) => {
      // A fresh distro imported from the archive, read from its root on the host.
      const roots = `${home.state}/roots`;
      const before = new Set((await Array.fromAsync(Deno.readDir(roots))).map((e) => e.name));
      const imported = await home.wsl("--import", "codchi-lcimport", `${home.root}/lcimport`, file);
      equal(imported.code, 0, imported.text);
      try {
        const mine = (await Array.fromAsync(Deno.readDir(roots))).map((e) => e.name)
          .filter((n) => !before.has(n));
        equal(mine.length, 1, mine.join(", "));
        const out: Record<string, string | undefined> = {};
        for (const f of files) {
          out[f] = await Deno.readTextFile(`${roots}/${mine[0]}${f}`).catch(() => undefined);
        }
        return out;
      } finally {
        equal((await home.wsl("--unregister", "codchi-lcimport")).code, 0);
        await Deno.remove(`${home.root}/lcimport`, { recursive: true }).catch(() => {});
      }
    },
    killStoreDaemon: async () => {
      // The boot script's restart loop first (`[t]` keeps pkill from matching this very shell),
      // then the daemon, and its socket file.
      const kill = await home.wsl(
        "-d",
        "codchistore",
        "--user",
        "root",
        "--exec",
        "/bin/sh",
        "-c",
        "pkill -f 'while [t]rue' ; pkill -x nix-daemon ; sleep 0.5 ; " +
          "rm -f /nix/var/nix/daemon-socket/socket ; test ! -S /nix/var/nix/daemon-socket/socket",
      );
      equal(kill.code, 0, kill.text);
    },
    reviveStoreDaemon: async () => {
      // Through store debug: the daemon's loop again, detached (the wsl.conf boot command's way).
      await ok(home, [
        "store",
        "debug",
        "--",
        "/bin/sh",
        "-c",
        "setsid sh -c 'while true; do /etc/codchi/daemon.sh; sleep 1; done' " +
        ">/dev/null 2>&1 </dev/null & i=0; " +
        "while [ ! -S /nix/var/nix/daemon-socket/socket ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; " +
        "test -S /nix/var/nix/daemon-socket/socket",
      ]);
    },
    execSpawn: (_c, res) => {
      equal(wslSpawns(res).length, 1);
      match(wslSpawns(res)[0], / -d codchi-lc --user root --exec /);
    },
    bootsAfterGc: async (_c, m, system) => {
      const res = await execIn(home, m, ["test", "-x", `${system}/activate`]);
      equal(res.code, 0, `${m}'s system is still in the store: ${res.stderr}`);
      const seen = await execIn(home, m, ["readlink", "-f", "/run/current-system"]);
      equal(seen.stdout.trim(), system);
    },
    hooks: {
      afterInstall: async ({ M, cfg, builtSystem }) => {
        deepEqual((await home.distros()).sort(), ["codchi-lc", "codchistore"]);
        // The store built into the machine's profiles folder on the host.
        const gen = await Deno.readLink(`${cfg(M)}/profiles/system`);
        equal(await Deno.readLink(`${cfg(M)}/profiles/${gen}`), await builtSystem(M));
      },
      inMachine: async ({ M, builtSystem }) => {
        const system = await builtSystem(M);
        const seen = await execIn(home, M, ["readlink", "-f", "/nix/var/nix/profiles/system"]);
        equal(seen.stdout.trim(), system, "the machine mounts the profile the store built");
        const active = await execIn(home, M, ["readlink", "-f", "/run/current-system"]);
        equal(active.stdout.trim(), system, "and activated it at boot");
        // The host's CA bundle is handed in at start, as on LXD (on Windows: the certificate
        // store's, tests/windows/cert_store_test.ts), readable by the machine user.
        const ca = await execIn(home, M, ["cat", HOST_CA_FILE]);
        equal(ca.code, 0, ca.stderr);
        equal(ca.stdout, await readHostCaBundle("linux"));
      },
      exec: async ({ M }) => {
        const stdin = await home.run(["exec", M, "--", "cat"], { stdin: "from stdin\n" });
        equal(stdin.stdout, "from stdin\n");
      },
      afterRebuild: async ({ M }, system) => {
        const active = await execIn(home, M, ["cat", "/etc/codchi/active-system"]);
        equal(active.stdout.trim(), system, "switch-to-configuration ran");
      },
      afterStatus: async ({ M, builtSystem, timed }, t) => {
        await t.step("status: stopped behind codchi's back, exec starts it again", async () => {
          equal((await home.wsl("--terminate", `codchi-${M}`)).code, 0);
          equal((await statusOf(home))[M].running, false);
          const res = await timed(
            "exec on a stopped machine (start)",
            () => execIn(home, M, ["true"]),
          );
          equal(res.code, 0, res.stderr);
          equal((await statusOf(home))[M].running, true);
          const seen = await execIn(home, M, ["readlink", "-f", "/nix/var/nix/profiles/system"]);
          equal(seen.stdout.trim(), await builtSystem(M));
        });
      },
      duplicate: async ({ M, DUP, cfg, data }) => {
        assert(await exists(`${cfg(M)}/flake.lock`), "the machine has a flake.lock");
        assert(await exists(`${data(DUP)}/ext4.vhdx`), "the copy has its own disk");
        equal((await execIn(home, M, ["test", "-e", "/home/codchi/only-dup"])).code, 1);
        equal((await statusOf(home))[M].running, true, "the original runs again");
      },
      afterFirstDelete: async ({ DUP, builtSystem }) => {
        // gc keeps the copy's system once the original is gone.
        const dupSystem = await builtSystem(DUP);
        await ok(home, ["gc"]);
        equal((await execIn(home, DUP, ["test", "-x", `${dupSystem}/activate`])).code, 0);
      },
      afterDelete: async () => {
        deepEqual(await home.distros(), ["codchistore"]);
        const roots = await Array.fromAsync(Deno.readDir(`${home.state}/roots`));
        equal(roots.length, 1, "only the store's root folder is left in the simulator");
        deepEqual(
          (await filesBelow(`${home.root}/run`)).filter((f) => f.includes("exec-")),
          [],
          "exec tokens",
        );
      },
    },
  });
});
