/**
 * The stall watchdog on a real hung command in the real store (LXD test bed): a command that
 * prints one line and then hangs is ended after the stall limit with a StalledError (exit 8), and
 * nothing of it keeps running in the store.
 */
import { equal, ok } from "node:assert/strict";
import { cleanUp, freshHost, lxc, removeLeftovers, testbedReady } from "./helpers.ts";
import { storeNix } from "../../src/core/nix_ops.ts";
import { StalledError } from "../../src/nix/stall.ts";
import { ExitCode } from "../../src/errors.ts";

const ignore = !testbedReady();
const quiet = { step() {}, progress() {}, debug() {}, warn() {} };

Deno.test({
  name: "lxd: the stall watchdog ends a hung command in the store",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  await removeLeftovers();
  const { home, driver } = await freshHost();
  try {
    await driver.store.ensureRunning();
    // Unique, so the check below finds only this command.
    const hang = ["sh", "-c", "echo started >&2; exec sleep 4711"];
    const t0 = performance.now();
    let caught: unknown;
    try {
      await storeNix(driver, hang, quiet, { stallMs: 2000 });
    } catch (e) {
      caught = e;
    }
    ok(caught instanceof StalledError, `not a StalledError: ${caught}`);
    equal(caught.exitCode, ExitCode.timeout);
    const took = performance.now() - t0;
    ok(took >= 2000 && took < 20_000, `ended after ${Math.round(took)} ms`);
    // The command is gone from the store (give the signal a moment to arrive).
    let left = "";
    for (let i = 0; i < 20; i++) {
      left = (await lxc(
        "exec",
        "codchistore",
        "--",
        "sh",
        "-c",
        "ps -eo args | grep '[s]leep 4711' || true",
      ))
        .text.trim();
      if (left === "") break;
      await new Promise((r) => setTimeout(r, 250));
    }
    equal(left, "", "the hung command still runs in the store");
    // A command that keeps printing is not ended, however long it takes in total.
    const busy = ["sh", "-c", "for i in 1 2 3 4 5 6; do echo tick >&2; sleep 0.5; done"];
    const out = await storeNix(driver, busy, quiet, { stallMs: 2000 });
    equal(out.code, 0);
  } finally {
    await cleanUp(home, []);
  }
});
