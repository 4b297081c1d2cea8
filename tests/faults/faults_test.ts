/**
 * The fault suite (real CLI, real LXD; `deno task test:faults`): every multi-step command is
 * stopped by SIGKILL and by SIGINT at each of its journal steps (codchi stops itself at fault
 * point n: CODCHI_FAULT_STEP, no sleeps), commands race in pairs, the disk fills up, files are
 * edited by hand and containers are changed behind codchi's back. After each case: every
 * machine complete or absent, no home reachable from another machine, nothing written outside
 * codchi's folders, exit codes as the README documents.
 * Run under `flock /tmp/codchi-lxd.lock` (scripts/test-faults.sh does): one store per host.
 */
import { equal, match, ok as assert } from "node:assert/strict";
import { makeHome, testbedEnv, type TestHome } from "../support/cli.ts";
import { haveTestbed, lxc, removeContainers, spawnCli } from "../lxd/cli_support.ts";
import { assertSound, containers, EXIT, foreignFiles, runAtFault } from "./support.ts";

const bed = testbedEnv();
const P = "fx";
const opts = { ignore: !haveTestbed(bed), sanitizeResources: false, sanitizeOps: false };
const SIGNALS = ["SIGKILL", "SIGINT"] as const;
const MARK = "files of fxa\n";

/** codchi, asserting the exit code. */
async function expect(home: TestHome, argv: string[], code: number) {
  const r = await home.run(argv);
  equal(r.code, code, `codchi ${argv.join(" ")}: exit ${r.code}\n${r.stderr}`);
  return r;
}

/** How many host processes (the containers' included) have `needle` in their argv. */
async function processesWith(needle: string): Promise<number> {
  let n = 0;
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const argv = await Deno.readTextFile(`/proc/${e.name}/cmdline`).catch(() => "");
    if (argv.includes(needle)) n++;
  }
  return n;
}

/** The user's file in fxa's home, seen from inside the machine. */
async function assertMarker(home: TestHome, m = "fxa") {
  const r = await expect(home, ["exec", m, "--", "cat", "/home/codchi/marker.txt"], 0);
  equal(r.stdout, MARK);
}

/**
 * Steps `argv` through its fault points with `sig` (n = 1, 2, … until it completes), calling
 * `settle(done)` after each (`done`: the command itself exited 0; settle must bring every
 * machine to complete or absent) and checking the invariants. Returns the number of points.
 * A SIGINT reaches codchi's handler asynchronously, so at the LAST point the command may finish
 * first (exit 0, work complete: a Ctrl-C just too late); at every other point it must stop (130).
 */
async function stepThrough(
  home: TestHome,
  foreign: string[],
  sig: typeof SIGNALS[number],
  argv: string[],
  settle: (done: boolean, n: number) => Promise<void>,
  prepare?: () => Promise<void>,
  only?: number[],
): Promise<number> {
  let stopped = 0;
  for (let n = 1; n < 60; n++) {
    if (only && n > Math.max(...only)) return stopped;
    if (only && !only.includes(n)) continue;
    await prepare?.();
    const r = await runAtFault(home, argv, n, sig);
    const label = `${argv.join(" ")} stopped by ${sig} at step ${n}`;
    if (r.fired && r.code !== 0) {
      equal(r.code, EXIT[sig], `${label}: exit ${r.code}\n${r.stderr}`);
      stopped++;
    } else equal(r.code, 0, `${label} (not stopped): exit ${r.code}\n${r.stderr}`);
    assert(!/This is a bug/.test(r.stderr), `${label}:\n${r.stderr}`);
    await settle(r.code === 0, n);
    await assertSound(home, P, foreign, label);
    if (!r.fired) {
      const points = n - 1;
      assert(stopped >= points - 1, `${argv.join(" ")}: ${sig} stopped it at ${stopped}/${points}`);
      return points;
    }
  }
  throw new Error(`${argv.join(" ")} never finished`);
}

Deno.test({ name: "faults: crash-safe operations on the real LXD", ...opts }, async (tt) => {
  // Failures are printed as they happen (the run is long), then fail the step as usual.
  // CODCHI_FAULTS_ONLY=<regex> (development only): run just the steps whose names match.
  const only = Deno.env.get("CODCHI_FAULTS_ONLY");
  const t = {
    step: async (name: string, fn: () => Promise<void>) => {
      if (only && !new RegExp(only).test(name)) return;
      await tt.step(name, async () => {
        try {
          await fn();
        } catch (e) {
          console.error(`faults: FAILED ${name}:\n${(e as Error).stack ?? e}`);
          throw e;
        }
      });
    },
  };
  await removeContainers(P);
  const home = await makeHome(bed);
  const data = (m: string) => `${home.dataDir}/machine/${m}`;
  try {
    await expect(home, ["init", "fxa"], 0);
    await Deno.writeTextFile(`${data("fxa")}/marker.txt`, MARK);
    const foreign = await foreignFiles(home);

    await t.step("two duplicates to one target: one wins, its copy stays whole", async () => {
      await expect(home, ["init", "fxb", "-N"], 0);
      const [a, b] = await Promise.all([
        home.run(["duplicate", "fxa", "fxc"]),
        home.run(["duplicate", "fxb", "fxc"]),
      ]);
      const codes = [a.code, b.code].sort();
      equal(JSON.stringify(codes), "[0,4]", `${a.stderr}\n${b.stderr}`);
      const loser = a.code === 4 ? a : b;
      assert(!/Removing what was made/.test(loser.stderr), loser.stderr);
      await assertSound(home, P, foreign, "dup race");
      if (a.code === 0) await assertMarker(home, "fxc");
      else await expect(home, ["module", "list", "fxc"], 0);
      await expect(home, ["delete", "fxc", "--i-am-really-sure"], 0);
    });

    await t.step("two inits of one name: one wins, the loser touches nothing", async () => {
      const [a, b] = await Promise.all([
        home.run(["init", "fxn", "-y", "-N"]),
        home.run(["init", "fxn", "-y", "-N"]),
      ]);
      equal(JSON.stringify([a.code, b.code].sort()), "[0,4]", `${a.stderr}\n${b.stderr}`);
      const loser = a.code === 4 ? a : b;
      assert(!/--i-am-really-sure/.test(loser.stderr), loser.stderr);
      await assertSound(home, P, foreign, "init race");
      await expect(home, ["delete", "fxn", "--i-am-really-sure"], 0);
    });

    await t.step("two inits on a host without a store: one store, both machines work", async () => {
      await lxc("delete", "--force", "codchistore");
      await lxc("stop", "--force", "codchi-fxa");
      match((await expect(home, ["status"], 0)).stdout, /Store: missing/);
      const [a, b] = await Promise.all([
        home.run(["init", "fxs"]),
        home.run(["exec", "fxa", "--", "true"]),
      ]);
      equal(a.code, 0, a.stderr);
      equal(b.code, 0, b.stderr);
      await assertSound(home, P, foreign, "store race");
      await expect(home, ["exec", "fxs", "--", "true"], 0);
      await expect(home, ["delete", "fxs", "--i-am-really-sure"], 0);
    });

    await t.step(
      "a container deleted behind codchi's back: named, with the right recover",
      async () => {
        await lxc("delete", "--force", "codchi-fxa");
        const r = await expect(home, ["exec", "fxa", "--", "true"], 3);
        match(r.stderr, /codchi-fxa/);
        match(r.stderr, /codchi recover fxa/);
        // exec passes the command's stderr through (here lxc's own line); codchi's is JSON.
        const j = await home.run(["--json", "exec", "fxa", "--", "true"]);
        const last = j.stderr.trim().split("\n").pop()!;
        equal(JSON.parse(last).error.exitCode, 3, j.stderr);
        await expect(home, ["recover", "fxa"], 0);
        await assertMarker(home);
      },
    );

    await t.step(
      "an orphaned container (no config): init names it, delete removes it",
      async () => {
        const images = JSON.parse((await lxc("image", "list", "--format", "json")).text) as {
          aliases: { name: string }[];
        }[];
        const alias = images.flatMap((i) => i.aliases.map((a) => a.name))
          .find((n) => n.startsWith("codchi-machine"));
        assert(alias, "the machine image is imported");
        equal((await lxc("init", alias, "codchi-fxo")).code, 0);
        const r = await expect(home, ["init", "fxo", "-N"], 4);
        match(r.stderr, /codchi-fxo/);
        match(r.stderr, /codchi delete fxo/);
        assert(!(await Deno.lstat(`${home.configDir}/machines/fxo`).catch(() => false)));
        await expect(home, ["delete", "fxo", "--i-am-really-sure"], 0);
        assert(!(await containers()).has("codchi-fxo"));
        await assertSound(home, P, foreign, "orphan deleted");
      },
    );

    await t.step("a container without its mounts is never used; recover fixes it", async () => {
      await lxc("stop", "--force", "codchi-fxa");
      equal((await lxc("config", "device", "remove", "codchi-fxa", "codchi-home")).code, 0);
      const r = await expect(home, ["exec", "fxa", "--", "sh", "-c", "echo x > ~/stray"], 5);
      match(r.stderr, /\/home\/codchi is not mounted/);
      match(r.stderr, /codchi recover fxa/);
      equal((await containers()).get("codchi-fxa")?.status, "Stopped", "it was not started");
      await expect(home, ["recover", "fxa"], 0);
      await assertMarker(home);
    });

    await t.step("a stopped store is started by exec; status shows it", async () => {
      await lxc("stop", "--force", "codchistore");
      const s = await expect(home, ["status"], 0);
      match(s.stdout, /Store: stopped/);
      const rows = JSON.parse((await expect(home, ["--json", "status"], 0)).stdout);
      equal(rows.find((r: { name: string }) => r.name === "fxa")?.store, "stopped");
      // A mount removed behind codchi's back: broken, with the fix; put back, it is whole again.
      const dev = (await containers()).get("codchistore")!.devices["codchi-gcroots"];
      equal((await lxc("config", "device", "remove", "codchistore", "codchi-gcroots")).code, 0);
      match((await expect(home, ["status"], 0)).stdout, /Store: broken: .*codchi store recover/);
      const { type, ...keys } = dev;
      const kv = Object.entries(keys).map(([k, v]) => `${k}=${v}`);
      const add = await lxc(
        "config",
        "device",
        "add",
        "codchistore",
        "codchi-gcroots",
        type,
        ...kv,
      );
      equal(add.code, 0, add.err);
      await expect(home, ["exec", "fxa", "--", "true"], 0);
      equal((await containers()).get("codchistore")?.status, "Running");
      match((await expect(home, ["status"], 0)).stdout, /Store: running/);
    });

    await t.step("SIGTERM or SIGINT to codchi alone stop exec's command at once", async () => {
      for (const sig of ["SIGTERM", "SIGINT"] as const) {
        const live = spawnCli(home, [
          "exec",
          "fxa",
          "--",
          "sh",
          "-c",
          "echo fx-go >&2; exec sleep 600",
        ]);
        equal(await live.waitFor(/^fx-go$/), "fx-go", `${sig}: the command started`);
        const t0 = Date.now();
        live.child.kill(sig); // the codchi process only, not its group
        const r = await live.done();
        equal(r.code, EXIT[sig], `${sig}: exit ${r.code}\n${r.stderr}`);
        match(r.stderr, new RegExp(`Interrupted \\(${sig}\\)`));
        assert(Date.now() - t0 < 5000, `${sig}: took ${Date.now() - t0} ms`);
        // No `sleep 600` left, neither in the machine nor an `lxc exec` on the host (the host
        // sees the container's processes too).
        equal(await processesWith("sleep\u0000600"), 0, `${sig}: a child outlived codchi`);
      }
    });

    await t.step("five parallel execs on a stopped machine all succeed", async () => {
      await lxc("stop", "--force", "codchi-fxa");
      const all = await Promise.all(
        Array.from({ length: 5 }, () => home.run(["exec", "fxa", "--", "true"])),
      );
      for (const r of all) equal(r.code, 0, r.stderr);
    });

    for (const sig of Deno.env.get("CODCHI_FAULTS_QUICK") === "1" ? [] : SIGNALS) {
      // SIGINT at the switch itself only (each step is a rebuild: CI time).
      const only = sig === "SIGINT" ? [2] : undefined;
      await t.step(
        `rebuild's switch stopped by ${sig}: status tells, the next command finishes`,
        async () => {
          const row = async () =>
            (JSON.parse((await expect(home, ["--json", "status"], 0)).stdout) as {
              name: string;
              status: string;
              reason?: string;
            }[]).find((r) => r.name === "fxa")!;
          const n = await stepThrough(
            home,
            foreign,
            sig,
            ["rebuild", "fxa"],
            async (done) => {
              const before = await row();
              // A kill before the record was ended leaves it: status says so (Broken).
              if (!done && sig === "SIGKILL") {
                equal(before.status, "Broken", JSON.stringify(before));
                match(before.reason!, /interrupted switch/);
              }
              await expect(home, ["exec", "fxa", "--", "true"], 0);
              equal((await row()).status, "UpToDate");
              await assertMarker(home);
            },
            () => expect(home, ["exec", "fxa", "--", "true"], 0).then(() => {}),
            only,
          );
          if (!only) equal(n, 3, "rebuild's switch has 3 fault points");
        },
      );
    }

    await t.step(
      "a hand-broken machine.json: Broken in status (exit 0), delete removes it",
      async () => {
        await expect(home, ["duplicate", "fxa", "fxh"], 0);
        const file = `${home.configDir}/machines/fxh/machine.json`;
        const cfg = JSON.parse(await Deno.readTextFile(file));
        await Deno.writeTextFile(file, JSON.stringify({ ...cfg, name: "../../../../escaped" }));
        const s = await expect(home, ["status"], 0);
        match(s.stdout, /fxh +Broken: .*key "name"/);
        const j = JSON.parse((await expect(home, ["--json", "status"], 0)).stdout);
        const row = j.find((r: { name: string }) => r.name === "fxh");
        equal(row.status, "Broken");
        match(row.reason, /machine\.json/);
        await expect(home, ["exec", "fxh", "--", "true"], 5);
        await expect(home, ["delete", "fxh", "--i-am-really-sure"], 0);
        assert(!(await containers()).has("codchi-fxh"));
        await assertSound(home, P, foreign, "broken machine deleted");
      },
    );

    // CODCHI_FAULTS_QUICK=1 (development only): the cases above and the full disk, no stepping.
    const quick = Deno.env.get("CODCHI_FAULTS_QUICK") === "1";
    for (const sig of quick ? [] : SIGNALS) {
      await t.step(`init stopped by ${sig} at every step: then absent`, async () => {
        const n = await stepThrough(home, foreign, sig, ["init", "fxi"], async (done) => {
          // The next command settles what the stopped one left: the machine is gone.
          const r = await home.run(["exec", "fxi", "--", "true"]);
          equal(r.code, done ? 0 : 3, `exec fxi: ${r.code}\n${r.stderr}`);
          if (done) await expect(home, ["delete", "fxi", "--i-am-really-sure"], 0);
        });
        assert(n >= 10, `init has ${n} fault points`);
      });
    }

    for (const sig of quick ? [] : SIGNALS) {
      await t.step(
        `duplicate stopped by ${sig} at every step: copy absent, source intact`,
        async () => {
          await stepThrough(home, foreign, sig, ["duplicate", "fxa", "fxd"], async (done) => {
            const r = await home.run(["exec", "fxd", "--", "cat", "/home/codchi/marker.txt"]);
            equal(r.code, done ? 0 : 3, `exec fxd: ${r.code}\n${r.stderr}`);
            await assertMarker(home, "fxa");
            if (done) {
              equal(r.stdout, MARK);
              await expect(home, ["delete", "fxd", "--i-am-really-sure"], 0);
            }
          });
        },
      );
    }

    await lxc("stop", "--force", "codchi-fxa");
    for (const sig of quick ? [] : SIGNALS) {
      await t.step(
        `delete stopped by ${sig} at every step: finished by the next command`,
        async () => {
          await stepThrough(
            home,
            foreign,
            sig,
            ["delete", "fxr", "--i-am-really-sure"],
            async () => {
              await expect(home, ["exec", "fxr", "--", "true"], 3);
              assert(!(await containers()).has("codchi-fxr"));
            },
            () => expect(home, ["duplicate", "fxa", "fxr"], 0).then(() => {}),
          );
        },
      );
    }

    for (const sig of quick ? [] : SIGNALS) {
      // SIGINT at the container's creation only: each step costs a container (CI time).
      const only = sig === "SIGINT" ? [3] : undefined;
      await t.step(
        `recover stopped by ${sig} at ${only ? "step 3" : "every step"}: home kept`,
        async () => {
          await stepThrough(
            home,
            foreign,
            sig,
            ["recover", "fxa"],
            async () => {
              // The next recover settles what the stopped one left and makes the container whole.
              await expect(home, ["recover", "fxa"], 0);
            },
            undefined,
            only,
          );
          await assertMarker(home);
        },
      );
    }

    for (const sig of quick ? [] : SIGNALS) {
      const only = sig === "SIGINT" ? [3] : undefined;
      await t.step(
        `store creation stopped by ${sig} at ${
          only ? "step 3" : "every step"
        }: re-made on next use`,
        async () => {
          await stepThrough(
            home,
            foreign,
            sig,
            ["exec", "fxa", "--", "true"],
            async () => {
              await assertMarker(home);
            },
            async () => {
              await lxc("delete", "--force", "codchistore");
              await lxc("stop", "--force", "codchi-fxa");
            },
            only,
          );
        },
      );
    }

    await t.step(
      "a full disk: duplicate exits 6 naming path and size, leaves no copy",
      async () => {
        const tmpfs = `${home.root}/small`;
        await Deno.mkdir(tmpfs);
        const mount = await new Deno.Command("mount", {
          args: ["-t", "tmpfs", "-o", "size=4m", "tmpfs", tmpfs],
        }).output();
        if (mount.code !== 0) throw new Error("mount tmpfs failed (the suite runs as root)");
        const full = await makeHome(bed);
        try {
          await Deno.mkdir(full.configDir, { recursive: true });
          await Deno.writeTextFile(
            `${full.configDir}/config.json`,
            JSON.stringify({ dataDir: `${tmpfs}/codchi` }),
          );
          await expect(full, ["init", "fxbig", "-N"], 0);
          const fullForeign = await foreignFiles(full);
          await Deno.writeFile(`${tmpfs}/codchi/machine/fxbig/blob`, new Uint8Array(3 << 20));
          const r = await expect(full, ["duplicate", "fxbig", "fxbig2"], 6);
          match(r.stderr, /disk is full/);
          match(r.stderr, /machine\/fxbig2/);
          match(r.stderr, /3\.0 MiB/);
          assert(!/This is a bug|at .*\.ts:/.test(r.stderr), r.stderr);
          await assertSound(full, "fxbig", fullForeign, "disk full");
          await expect(full, ["delete", "fxbig", "--i-am-really-sure"], 0);
        } finally {
          await full.cleanup();
          await new Deno.Command("umount", { args: [tmpfs] }).output();
        }
      },
    );
  } finally {
    await removeContainers(P);
    await home.cleanup();
  }
});
