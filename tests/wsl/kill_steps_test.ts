/**
 * The WSL side of the fault suite, on the wsl.exe simulator: `init` and the store's creation
 * are stopped by SIGKILL at every one of their journal steps (codchi stops itself at fault point
 * n: CODCHI_FAULT_STEP, no sleeps), and the next command must settle what was left: the machine
 * absent (or whole), the store re-made, no journal record, no half-registered distro, no stray
 * disk. Then `delete` killed around the distro's removal is finished by the next command.
 */
import { deepEqual, equal, match, ok as assert } from "node:assert/strict";
import { CAN_RUN, execIn, exists, ok, type SimHome, simHome, statusOf } from "./cli_sim.ts";

const opts = { ignore: !CAN_RUN, sanitizeResources: false, sanitizeOps: false };

/** Runs codchi stopping itself with SIGKILL at its n-th fault point; whether it got there. */
async function killedAt(home: SimHome, argv: string[], n: number) {
  const r = await home.run(argv, {
    env: { CODCHI_FAULT_STEP: String(n), CODCHI_FAULT_SIGNAL: "SIGKILL", CODCHI_FAULT_TRACE: "1" },
  });
  const points = r.stderr.split("\n").filter((l) => l.startsWith("codchi-fault: "));
  const fired = points.length >= n;
  if (fired) equal(r.code, 137, `${argv.join(" ")} at step ${n}: exit ${r.code}\n${r.stderr}`);
  else equal(r.code, 0, `${argv.join(" ")} (not stopped): exit ${r.code}\n${r.stderr}`);
  return { ...r, fired, label: `${argv.join(" ")} killed at ${points.at(-1) ?? "?"}` };
}

async function entries(dir: string): Promise<string[]> {
  if (!(await exists(dir))) return [];
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

/**
 * After a fault was settled: no journal record; the registered distros are exactly the store and
 * the machines with a config; every machine's disk folder belongs to a machine; the store works.
 */
async function assertSound(home: SimHome, label: string): Promise<void> {
  deepEqual(await entries(`${home.configDir}/journal`), [], `${label}: journal records left`);
  const machines = await entries(`${home.configDir}/machines`);
  const distros = (await home.distros()).sort();
  deepEqual(
    distros,
    ["codchistore", ...machines.map((m) => `codchi-${m}`)].sort(),
    `${label}: distros vs machines`,
  );
  for (const d of await entries(`${home.dataDir}/machine`)) {
    assert(machines.includes(d), `${label}: disk folder of ${d} without a machine`);
  }
  for (const m of machines) equal((await execIn(home, m, ["true"])).code, 0, `${label}: exec ${m}`);
}

Deno.test(
  { name: "wsl cli: init and the store's creation killed at every step", ...opts },
  async (t) => {
    const home = await simHome();
    try {
      await ok(home, ["init", "wa"]);

      await t.step(
        "init killed at every step: the next command removes the half-made machine",
        async () => {
          let n = 1;
          for (;; n++) {
            const r = await killedAt(home, ["init", "wk"], n);
            if (!r.fired) break;
            // The next command on wk settles it: the machine is gone.
            equal((await execIn(home, "wk", ["true"])).code, 3, r.label);
            equal((await statusOf(home)).wk, undefined, r.label);
            await assertSound(home, r.label);
          }
          assert(n - 1 >= 8, `init has ${n - 1} fault points`);
          await ok(home, ["delete", "wk", "--i-am-really-sure"]);
          await assertSound(home, "init done, deleted");
        },
      );

      await t.step("the store's creation killed at every step: re-made on next use", async () => {
        let n = 1;
        for (;; n++) {
          // A host without a store (its machine stopped): the next exec makes it.
          await home.wsl("--terminate", "codchi-wa");
          await home.wsl("--unregister", "codchistore");
          const r = await killedAt(home, ["exec", "wa", "--", "true"], n);
          if (!r.fired) break;
          assert(/store _store/.test(r.label), `${r.label}: a store step`);
          const s = await ok(home, ["--json", "status"]);
          const row = JSON.parse(s.stdout).find((x: { name: string }) => x.name === "wa");
          equal(row.store, "broken", `${r.label}: status names the interrupted creation`);
          await ok(home, ["exec", "wa", "--", "true"]);
          await assertSound(home, r.label);
        }
        equal(n - 1, 3, "the store's creation has 3 fault points");
        await assertSound(home, "store made");
        // The new store's /nix lacks wa's system (the old store's disk went with it): build it.
        await ok(home, ["rebuild", "wa"]);
      });

      await t.step(
        "a distro unregistered behind codchi's back: named, rebuild makes it again",
        async () => {
          await ok(home, ["duplicate", "wa", "wx"]);
          await home.wsl("--terminate", "codchi-wx");
          await home.wsl("--unregister", "codchi-wx");
          const r = await execIn(home, "wx", ["true"]);
          equal(r.code, 3, r.stderr);
          match(r.stderr, /codchi-wx/);
          match(r.stderr, /codchi rebuild wx/);
          await ok(home, ["rebuild", "wx"]);
          equal((await execIn(home, "wx", ["true"])).code, 0);
          await ok(home, ["delete", "wx", "--i-am-really-sure"]);
          await assertSound(home, "unregistered distro");
        },
      );

      // delete is the core's code on both drivers (stepped through on LXD): here the steps
      // around the distro's removal (begun, distro unregistered, home removed), to keep CI short.
      await t.step(
        "delete killed around the distro's removal: finished by the next command",
        async () => {
          for (const n of [1, 2, 5]) {
            await ok(home, ["duplicate", "wa", "wd"]);
            const r = await killedAt(home, ["delete", "wd", "--i-am-really-sure"], n);
            assert(r.fired, r.label);
            equal((await execIn(home, "wd", ["true"])).code, 3, r.label);
            await assertSound(home, r.label);
            assert(!(await exists(`${home.dataDir}/machine/wd`)), `${r.label}: disk folder left`);
          }
        },
      );
    } finally {
      await home.dispose();
    }
  },
);
