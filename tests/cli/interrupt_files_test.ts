/**
 * Ctrl-C during the long file work of `delete` (removing a large home) and `duplicate` (copying
 * it) acts at once — between files, not after the whole tree — and leaves a state the next
 * command finishes. SIGINT is sent by codchi to itself at a journal step (CODCHI_FAULT_STEP,
 * no sleeps): the home's removal or copy starts right after it. The `lxc` on PATH is a stand-in
 * answering `lxc [--project p] list` as LXD does without codchi containers (`[]`).
 */
import { equal, match, ok as assert } from "node:assert/strict";
import { makeHome, type TestHome } from "../support/cli.ts";

const FILES = 4000;

async function host(): Promise<{ home: TestHome; env: Record<string, string> }> {
  const home = await makeHome({ CODCHI_DRIVER: "lxd" });
  const bin = `${home.root}/bin`;
  await Deno.mkdir(bin);
  await Deno.writeTextFile(
    `${bin}/lxc`,
    `#!/bin/sh\ncase " $* " in *" list "*) echo '[]';; esac\n`,
    { mode: 0o755 },
  );
  return { home, env: { PATH: `${bin}:${home.env.PATH}` } };
}

/** A machine (config only) whose home holds FILES small files in 40 folders. */
async function bigMachine(home: TestHome, env: Record<string, string>, name: string) {
  equal((await home.run(["init", name, "-N"], { env })).code, 0);
  const data = `${home.dataDir}/machine/${name}`;
  for (let d = 0; d < 40; d++) {
    await Deno.mkdir(`${data}/d${d}`, { recursive: true });
    for (let f = 0; f < FILES / 40; f++) await Deno.writeTextFile(`${data}/d${d}/f${f}`, "x");
  }
  return data;
}

/** Whether `path` exists. */
async function there(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

async function count(dir: string): Promise<number> {
  let n = 0;
  try {
    for await (const e of Deno.readDir(dir)) {
      n += e.isDirectory ? await count(`${dir}/${e.name}`) : 1;
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return n;
}

/** The journal step after which `argv` starts on the home (from a traced run's labels). */
const SIGINT_AT = (n: number) => ({
  CODCHI_FAULT_STEP: String(n),
  CODCHI_FAULT_SIGNAL: "SIGINT",
  CODCHI_FAULT_TRACE: "1",
});

Deno.test("Ctrl-C while delete removes a large home: stops at once, the next delete finishes", async () => {
  const { home, env } = await host();
  try {
    const data = await bigMachine(home, env, "big");
    // delete's steps: 1 begun, 2 container, 3 apps, 4 secrets removed — then the home.
    const r = await home.run(["delete", "big", "--i-am-really-sure"], {
      env: { ...env, ...SIGINT_AT(4) },
    });
    match(r.stderr, /codchi-fault: 4 delete big: secrets removed/);
    equal(r.code, 130, r.stderr);
    match(r.stderr, /finished by the next codchi command/);
    const left = await count(data);
    assert(left > FILES / 2, `the removal stopped at once (${left} of ${FILES} files left)`);
    assert(left < FILES + 1);
    // The record stays: status says so, the config is still there (removed last).
    const s = JSON.parse((await home.run(["--json", "status"], { env })).stdout);
    equal(s.find((x: { name: string }) => x.name === "big")?.status, "Broken");
    assert(await Deno.stat(`${home.configDir}/machines/big/machine.json`));
    // The next delete finishes it.
    const again = await home.run(["delete", "big", "--i-am-really-sure"], { env });
    equal(again.code, 0, again.stderr);
    equal(await count(data), 0);
    assert(!(await there(data)), "home left");
    assert(!(await there(`${home.configDir}/machines/big`)), "config");
    equal(
      (await Deno.readDir(`${home.configDir}/journal`)[Symbol.asyncIterator]().next()).done,
      true,
    );
  } finally {
    await home.cleanup();
  }
});

Deno.test("Ctrl-C while duplicate copies a large home: stops at once, no copy left, lock free", async () => {
  const { home, env } = await host();
  try {
    const data = await bigMachine(home, env, "src");
    // duplicate's steps: 1 begun, 2 config, 3 home — then the home's copy.
    const t0 = performance.now();
    const r = await home.run(["duplicate", "src", "dst"], { env: { ...env, ...SIGINT_AT(3) } });
    match(r.stderr, /codchi-fault: 3 duplicate dst: home/);
    equal(r.code, 130, r.stderr);
    match(r.stderr, /nothing was left behind/);
    const ms = performance.now() - t0;
    // The copy was rolled back: no dst at all, the source untouched.
    assert(!(await there(`${home.dataDir}/machine/dst`)), "copy left");
    assert(!(await there(`${home.configDir}/machines/dst`)), "cfg left");
    equal(await count(data), FILES);
    // The locks are free: the same duplicate runs at once, without waiting.
    const t1 = performance.now();
    const again = await home.run(["duplicate", "src", "dst"], { env });
    const full = performance.now() - t1;
    equal(again.code, 0, again.stderr);
    assert(!/Waiting for another codchi/.test(again.stderr), again.stderr);
    equal(await count(`${home.dataDir}/machine/dst`), FILES);
    console.error(`  interrupted duplicate: ${Math.round(ms)} ms, whole: ${Math.round(full)} ms`);
  } finally {
    await home.cleanup();
  }
});
