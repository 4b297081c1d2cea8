/**
 * `codchi init` that does not finish leaves nothing behind (real CLI, real LXD): Ctrl-C during
 * the store's creation, the build and the install; a broken machine image; and a `codchistore`
 * of another data folder is named as such (with the fix) instead of a daemon time-out.
 * Run under `flock /tmp/codchi-lxd.lock` (scripts/test-lxd.sh does): one store per host.
 */
import { equal, match, ok as assert } from "node:assert/strict";
import { makeHome, testbedEnv, type TestHome } from "../support/cli.ts";
import {
  containerNames,
  exists,
  haveTestbed,
  lxc,
  ok,
  removeContainers,
  spawnCli,
  statusOf,
} from "./cli_support.ts";

const bed = testbedEnv();
const PREFIX = "if";
const opts = { ignore: !haveTestbed(bed), sanitizeResources: false, sanitizeOps: false };

/** Nothing of `m` is left: no container, no config folder, no home, not in status. */
async function assertNothingLeft(home: TestHome, m: string): Promise<void> {
  assert(!(await containerNames()).includes(`codchi-${m}`), `container codchi-${m} left`);
  assert(!(await exists(`${home.configDir}/machines/${m}`)), `config of ${m} left`);
  assert(!(await exists(`${home.dataDir}/machine/${m}`)), `home of ${m} left`);
  equal((await statusOf(home))[m], undefined);
}

/** Starts `init <m>`, sends SIGINT to codchi once stderr shows `at`, returns its end. */
async function interruptInit(home: TestHome, m: string, at: RegExp) {
  const cli = spawnCli(home, ["init", m]);
  const line = await cli.waitFor(at);
  assert(line !== undefined, `init never printed ${at}`);
  cli.child.kill("SIGINT");
  const res = await cli.done();
  assert(res.code !== 0, `init of ${m} ended with 0 after SIGINT:\n${res.stderr}`);
  match(res.stderr, /Interrupted/i);
  return res;
}

Deno.test({ name: "lxd cli: interrupting init leaves nothing behind", ...opts }, async (t) => {
  await removeContainers(PREFIX);
  const home = await makeHome(bed);
  try {
    await t.step("SIGINT while the store is being created", async () => {
      equal((await containerNames()).includes("codchistore"), false);
      await interruptInit(home, "if-store", /==> Creating codchistore/);
      await assertNothingLeft(home, "if-store");
      // A half-made store is removed too; a finished one may stay (it is shared).
      const names = await containerNames();
      if (names.includes("codchistore")) {
        const devs = await lxc("config", "device", "list", "codchistore");
        match(devs.text, /codchi-gcroots/, "a store that stayed is complete");
      }
    });

    await t.step("SIGINT during the build", async () => {
      const res = await interruptInit(home, "if-build", /==> Evaluating "if-build"/);
      // The build stops at its next step: no container is made after Ctrl-C.
      assert(!/==> Installing "if-build"/.test(res.stderr), res.stderr);
      await assertNothingLeft(home, "if-build");
    });

    await t.step("SIGINT during the install", async () => {
      await interruptInit(home, "if-inst", /==> (Installing "if-inst"|Creating codchi-if-inst)/);
      await assertNothingLeft(home, "if-inst");
    });

    await t.step("SIGINT while the machine boots", async () => {
      await interruptInit(home, "if-boot", /==> Starting/);
      await assertNothingLeft(home, "if-boot");
    });

    await t.step("a broken machine image: init fails and leaves nothing", async () => {
      const bad = `${home.root}/broken.tar`;
      await Deno.writeTextFile(bad, "this is not a tarball\n");
      const images = (await lxc("image", "list", "--format", "csv", "-c", "f")).text;
      const res = await home.run(["init", "if-bad"], { env: { CODCHI_LXD_MACHINE_IMAGE: bad } });
      assert(res.code !== 0, res.stderr);
      match(res.stderr, /image/i);
      await assertNothingLeft(home, "if-bad");
      equal((await lxc("image", "list", "--format", "csv", "-c", "f")).text, images);
    });

    await t.step("after all that, init works", async () => {
      await ok(home, ["init", "if-ok"]);
      equal((await statusOf(home))["if-ok"].status, "UpToDate");
    });

    await t.step("a store of another data folder is named, with the fix", async () => {
      const other = await makeHome(bed);
      try {
        const t0 = performance.now();
        const res = await other.run(["init", "if-other"]);
        const ms = performance.now() - t0;
        assert(res.code !== 0, res.stderr);
        match(res.stderr, /belongs to another codchi data folder/);
        match(res.stderr, /codchi store recover/);
        assert(ms < 20_000, `took ${ms} ms: no daemon time-out`);
        await assertNothingLeft(other, "if-other");
        // The first folder's machine is untouched.
        equal((await home.run(["exec", "if-ok", "--", "true"])).code, 0);
        // The fix works: the store is re-created for the other folder.
        await ok(other, ["store", "recover"]);
        const src = await lxc("config", "device", "get", "codchistore", "codchi-config", "source");
        equal(src.text.trim(), other.configDir);
      } finally {
        await other.cleanup();
      }
    });
  } finally {
    await removeContainers(PREFIX);
    await home.cleanup();
  }
});
