/**
 * The LXD driver's exec outcome: a stopped machine is a returned state (`ran: false`), told by one
 * `list` after lxc's exit 1 and only then; `exec` turns it into a NotRunningError; a deleted
 * container is a NotFoundError. Spawns counted with a scripted runner.
 */
import { deepEqual, equal, rejects } from "node:assert/strict";
import { computePaths } from "../../../src/config/paths.ts";
import { LxdDriver } from "../../../src/driver/lxd/mod.ts";
import { NotFoundError, NotRunningError } from "../../../src/errors.ts";
import { output, scriptedRunner } from "../../support/scripted_runner.ts";

const paths = computePaths("linux", { HOME: "/home/u" });

/** A driver whose `lxc exec` exits with `code` and whose `lxc list` says `status` of codchi-m. */
function driver(code: number, status?: "Running" | "Stopped", errText = "") {
  const runner = scriptedRunner((argv) => {
    if (argv[1] === "exec") return output(code, "", errText);
    if (argv[1] === "list") {
      return output(0, JSON.stringify(status ? [{ name: "codchi-m", status, devices: {} }] : []));
    }
    return output(99, "", `unexpected: ${argv.join(" ")}`);
  });
  return { runner, d: new LxdDriver({ paths, runner, binary: "lxc", env: {} }) };
}

const verbs = (calls: string[][]) => calls.map((a) => a[1]);

Deno.test("execIfRunning: a command that ran is its Output, in one spawn (exit 0 or 2)", async () => {
  for (const code of [0, 2]) {
    const { runner, d } = driver(code);
    const o = await d.execIfRunning("m", ["true"], { capture: true });
    equal(o.ran, true);
    equal(o.ran && o.out.code, code);
    deepEqual(verbs(runner.calls), ["exec"]);
  }
});

Deno.test("execIfRunning: exit 1 on a stopped machine is `not-running` (exec + one list)", async () => {
  const { runner, d } = driver(1, "Stopped", "Error: Instance is not running\n");
  deepEqual(await d.execIfRunning("m", ["true"], { capture: true }), {
    ran: false,
    state: "not-running",
  });
  deepEqual(verbs(runner.calls), ["exec", "list"]);
  // exec keeps its contract for callers that need a running machine.
  await rejects(d.exec("m", ["true"], { capture: true }), NotRunningError);
});

Deno.test("execIfRunning: exit 1 of a command on a running machine is the command's exit 1", async () => {
  const { runner, d } = driver(1, "Running", "Error: Instance is not running\n");
  const o = await d.execIfRunning("m", ["false"], { capture: true });
  equal(o.ran && o.out.code, 1);
  deepEqual(verbs(runner.calls), ["exec", "list"]);
  // A captured exit 1 whose stderr does not say "not running" is the command's: no list.
  const quiet = driver(1, "Stopped", "some error of the command\n");
  const q = await quiet.d.execIfRunning("m", ["false"], { capture: true });
  equal(q.ran && q.out.code, 1);
  deepEqual(verbs(quiet.runner.calls), ["exec"]);
});

Deno.test("runningAfterExit1: running, stopped, and a deleted container (NotFoundError)", async () => {
  equal(await driver(1, "Running").d.runningAfterExit1("m"), true);
  equal(await driver(1, "Stopped").d.runningAfterExit1("m"), false);
  await rejects(driver(1).d.runningAfterExit1("m"), NotFoundError);
  // A passed-through exec's exit 1 is always checked (its stderr went to the user).
  await rejects(driver(1).d.execIfRunning("m", ["true"], { capture: false }), NotFoundError);
});
