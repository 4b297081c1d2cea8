/**
 * The whole machine lifecycle through the real CLI on the wsl.exe simulator — the steps of
 * tests/lxd/lifecycle_test.ts: init → exec (argv exact) → rebuild → status transitions →
 * duplicate → tar → gc → delete, nothing left behind. The store distro runs a real nix-daemon
 * (scripts/wsl_test_images.sh --nix); machines mount its /nix from /mnt/wsl/codchi/nix.
 */
import { deepEqual, equal, match, ok as assert } from "node:assert/strict";
import {
  CAN_RUN,
  execIn,
  exists,
  filesBelow,
  NASTY,
  NIX_IMAGES,
  ok,
  simHome,
  statusOf,
  wslSpawns,
} from "./cli_sim.ts";

const M = "lc";
const DUP = "lcdup";

const opts = { ignore: !CAN_RUN, sanitizeResources: false, sanitizeOps: false };
if (!CAN_RUN) console.error(`wsl lifecycle ignored (needs root and images): ${NIX_IMAGES.missing}`);

Deno.test({ name: "wsl cli: the whole lifecycle of a machine", ...opts }, async (t) => {
  const home = await simHome();
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
    await t.step("init builds in the store, imports and starts: UpToDate", async () => {
      await timed(
        "init (store import + build + machine import + boot)",
        () => ok(home, ["init", M]),
      );
      const st = (await statusOf(home))[M];
      equal(st.status, "UpToDate");
      equal(st.running, true);
      match(await builtSystem(M), /^\/nix\/store\/[a-z0-9]{32}-codchi-system-/);
      deepEqual((await home.distros()).sort(), ["codchi-lc", "codchistore"]);
      // The store built into the machine's profiles folder on the host.
      const gen = await Deno.readLink(`${cfg(M)}/profiles/system`);
      equal(await Deno.readLink(`${cfg(M)}/profiles/${gen}`), await builtSystem(M));
    });

    await t.step("in the machine: the store's daemon answers, the system is active", async () => {
      const ping = await execIn(home, M, ["nix", "store", "ping"]);
      equal(ping.code, 0, ping.stderr);
      match(ping.stdout + ping.stderr, /Store URL: daemon/);
      const system = await builtSystem(M);
      const q = await execIn(home, M, ["env", "NIX_REMOTE=daemon", "nix-store", "-q", system]);
      equal(q.code, 0, q.stderr);
      equal(q.stdout.trim(), system);
      equal((await execIn(home, M, ["id", "-un"])).stdout.trim(), "codchi");
      const seen = await execIn(home, M, ["readlink", "-f", "/nix/var/nix/profiles/system"]);
      equal(seen.stdout.trim(), system, "the machine mounts the profile the store built");
      const active = await execIn(home, M, ["readlink", "-f", "/run/current-system"]);
      equal(active.stdout.trim(), system, "and activated it at boot");
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
      const dash = await home.run(["exec", M, "printf", "%s|", "-la"]);
      equal(dash.stdout, "-la|");
      const stdin = await home.run(["exec", M, "--", "cat"], { stdin: "from stdin\n" });
      equal(stdin.stdout, "from stdin\n");
    });

    await t.step("a running machine's exec costs one wsl.exe spawn", async () => {
      const res = await home.run(["exec", M, "--", "true"], { env: { CODCHI_TRACE: "1" } });
      equal(res.code, 0, res.stderr);
      console.error(`  exec on a running machine: ${res.traces.length} spawn(s)`);
      equal(res.traces.length, 1, res.traces.join("\n"));
      equal(wslSpawns(res).length, 1);
      match(wslSpawns(res)[0], / -d codchi-lc --user root --exec /);
    });

    await t.step("status: Modified after module add -N, UpToDate after rebuild", async () => {
      await ok(home, ["module", "add", "-N", "-y", M, "projects/app", "nixosModules.default"]);
      equal((await statusOf(home))[M].status, "Modified");
      const mods = JSON.parse((await ok(home, ["--json", "module", "ls", M])).stdout);
      equal(mods.length, 1);
      await ok(home, ["module", "delete", "-N", M, mods[0].name]);
      equal((await statusOf(home))[M].status, "UpToDate");
      await timed("rebuild of a running machine", () => ok(home, ["rebuild", M]));
      equal((await statusOf(home))[M].status, "UpToDate");
      const system = await builtSystem(M);
      const active = await execIn(home, M, ["cat", "/etc/codchi/active-system"]);
      equal(active.stdout.trim(), system, "switch-to-configuration ran");
    });

    await t.step("status: stopped behind codchi's back, exec starts it again", async () => {
      equal((await home.wsl("--terminate", `codchi-${M}`)).code, 0);
      equal((await statusOf(home))[M].running, false);
      const res = await timed("exec on a stopped machine (start)", () => execIn(home, M, ["true"]));
      equal(res.code, 0, res.stderr);
      equal((await statusOf(home))[M].running, true);
      const seen = await execIn(home, M, ["readlink", "-f", "/nix/var/nix/profiles/system"]);
      equal(seen.stdout.trim(), await builtSystem(M));
    });

    await t.step("duplicate copies config and disk (home); the copy runs", async () => {
      equal((await execIn(home, M, ["sh", "-c", "echo hello from lc > ~/hello.txt"])).code, 0);
      await timed("duplicate", () => ok(home, ["duplicate", M, DUP]));
      const src = JSON.parse(await Deno.readTextFile(`${cfg(M)}/machine.json`));
      const dup = JSON.parse(await Deno.readTextFile(`${cfg(DUP)}/machine.json`));
      equal(dup.name, DUP);
      deepEqual(dup.modules, src.modules);
      equal(
        await Deno.readTextFile(`${cfg(DUP)}/flake.lock`),
        await Deno.readTextFile(`${cfg(M)}/flake.lock`),
      );
      assert((await home.distros()).includes(`codchi-${DUP}`));
      assert(await exists(`${data(DUP)}/ext4.vhdx`), "the copy has its own disk");
      const cat = await execIn(home, DUP, ["cat", "/home/codchi/hello.txt"]);
      equal(cat.stdout, "hello from lc\n", cat.stderr);
      equal((await execIn(home, DUP, ["sh", "-c", "echo dup > ~/only-dup"])).code, 0);
      equal((await execIn(home, M, ["test", "-e", "/home/codchi/only-dup"])).code, 1);
      const st = await statusOf(home);
      equal(st[DUP].status, "UpToDate");
      equal(st[DUP].running, true);
      equal(st[M].running, true, "the original runs again");
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
        assert(!names.some((n) => /secret|codchi-env/i.test(n)), "no secrets in the tar");
      },
    );

    await t.step(
      "gc --delete-old --all keeps every machine's system; they boot again",
      async () => {
        const before: Record<string, string> = {
          [M]: await builtSystem(M),
          [DUP]: await builtSystem(DUP),
        };
        await timed("gc --delete-old --all", () => ok(home, ["gc", "--delete-old", "--all"]));
        for (const m of [M, DUP]) {
          const gen = await Deno.readLink(`${cfg(m)}/profiles/system`);
          equal(await Deno.readLink(`${cfg(m)}/profiles/${gen}`), before[m]);
          equal((await home.wsl("--terminate", `codchi-${m}`)).code, 0);
          const res = await execIn(home, m, ["test", "-x", `${before[m]}/activate`]);
          equal(res.code, 0, `${m}'s system is still in the store: ${res.stderr}`);
          const seen = await execIn(home, m, ["readlink", "-f", "/run/current-system"]);
          equal(seen.stdout.trim(), before[m]);
        }
      },
    );

    await t.step("delete leaves nothing of the machine; gc keeps the copy's system", async () => {
      const dupSystem = await builtSystem(DUP);
      await ok(home, ["delete", M, "--i-am-really-sure"]);
      await ok(home, ["gc"]);
      equal((await execIn(home, DUP, ["test", "-x", `${dupSystem}/activate`])).code, 0);
      await ok(home, ["delete", DUP, "--i-am-really-sure"]);
      for (const m of [M, DUP]) {
        assert(!(await home.distros()).includes(`codchi-${m}`), `distro of ${m}`);
        assert(!(await exists(cfg(m))), `config of ${m}`);
        assert(!(await exists(data(m))), `disk folder of ${m}`);
        const left = (await filesBelow(home.root)).filter((f) =>
          f.includes(`.${m}.`) || f.includes(`codchi-${m}.`) || f.includes(`/${m}/`)
        );
        deepEqual(left, [], `files of ${m} left: ${left.join(", ")}`);
        equal((await statusOf(home))[m], undefined);
      }
      deepEqual(await home.distros(), ["codchistore"]);
      const roots = await Array.fromAsync(Deno.readDir(`${home.state}/roots`));
      equal(roots.length, 1, "only the store's root folder is left in the simulator");
      deepEqual(
        (await filesBelow(`${home.root}/data/applications`)).filter((f) => f.includes(M)),
        [],
        "desktop entries",
      );
      deepEqual(
        (await filesBelow(`${home.root}/run`)).filter((f) => f.includes("exec-")),
        [],
        "exec tokens",
      );
    });
  } finally {
    console.error(`  timings:\n    ${timings.join("\n    ")}`);
    await home.dispose();
  }
});
