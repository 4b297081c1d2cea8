/**
 * Pushing files into containers: LXD's per-instance file server (forkfile) can reset a request
 * that arrives as it exits; that one error is tried again (bounded), every other error is not.
 * Starting a stopped store happens under the store's lock and re-checks it there, so two codchis
 * never push its files side by side.
 */
import assert from "node:assert/strict";
import { computePaths } from "../../../src/config/paths.ts";
import { LxdDriver } from "../../../src/driver/lxd/mod.ts";
import { isTransientFileError } from "../../../src/driver/lxd/parse.ts";
import type { LxdStore } from "../../../src/driver/lxd/store.ts";
import { storeDisks } from "../../../src/driver/lxd/mounts.ts";
import { output, scriptedRunner } from "../../support/scripted_runner.ts";

const enc = new TextEncoder();
const out = output;
const RESET = "Error: read unix @->/proc/self/fd/80/forkfile.sock: read: connection reset by peer";

const runner = scriptedRunner;

Deno.test("isTransientFileError: only forkfile's reset/refused/EOF", () => {
  assert.equal(isTransientFileError(RESET), true);
  assert.equal(
    isTransientFileError(
      "Error: dial unix /proc/self/fd/9/forkfile.sock: connect: connection refused",
    ),
    true,
  );
  assert.equal(isTransientFileError("Error: connection reset by peer"), false);
  assert.equal(isTransientFileError("Error: Instance not found"), false);
  assert.equal(isTransientFileError("Error: open /etc/x: permission denied"), false);
});

Deno.test("pushTo: a forkfile reset is tried again; the file goes in once", async () => {
  const paths = computePaths("linux", { HOME: "/home/u" });
  let pushes = 0;
  const r = runner((argv) => {
    if (argv.includes("push")) return ++pushes === 1 ? out(1, "", RESET) : out(0, "");
    return out(0, "[]");
  });
  const d = new LxdDriver({ paths, runner: r, binary: "lxc", env: {} });
  await d.instances.pushTo("codchistore", "/etc/codchi/host-ca.pem", enc.encode("pem"), 0o644);
  assert.equal(pushes, 2);
});

Deno.test("pushTo: other errors fail at once; a reset that persists fails after 3 tries", async () => {
  const paths = computePaths("linux", { HOME: "/home/u" });
  let pushes = 0;
  const d = new LxdDriver({
    paths,
    runner: runner(() => (pushes++, out(1, "", "Error: Instance not found"))),
    binary: "lxc",
    env: {},
  });
  await assert.rejects(d.instances.pushTo("c", "/x", enc.encode(""), 0o644), /Instance not found/);
  assert.equal(pushes, 1);
  pushes = 0;
  const e = new LxdDriver({
    paths,
    runner: runner(() => (pushes++, out(1, "", RESET))),
    binary: "lxc",
    env: {},
  });
  await assert.rejects(e.instances.pushTo("c", "/x", enc.encode(""), 0o644), /connection reset/);
  assert.equal(pushes, 3);
});

Deno.test("a store another codchi started meanwhile is not pushed to nor started again", async () => {
  const home = await Deno.makeTempDir();
  try {
    const paths = computePaths("linux", { HOME: home });
    const devices = Object.fromEntries(
      storeDisks(paths).map((d) => [d.name, { type: "disk", source: d.source, path: d.path }]),
    );
    // The first list sees it stopped; by the time the lock is held it runs.
    let lists = 0;
    const r = runner((argv) => {
      if (argv.includes("list")) {
        const status = ++lists === 1 ? "Stopped" : "Running";
        return out(0, JSON.stringify([{ name: "codchistore", status, devices }]));
      }
      return out(0, "");
    });
    let asked = 0;
    const d = new LxdDriver({
      paths,
      runner: r,
      binary: "lxc",
      env: {},
      storeFiles: () => (asked++, Promise.resolve([])),
    });
    await (d.store as LxdStore).ensureUp(undefined, { daemon: false });
    assert.equal(asked, 0);
    assert.deepEqual(r.calls.filter((a) => a.includes("start") || a.includes("push")), []);
    assert.equal(lists, 2);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("startContainer: a forkstart failure is tried once more; others are not", async () => {
  const paths = computePaths("linux", { HOME: "/home/u" });
  const FORK = "Error: Failed to run: /usr/bin/lxd forkstart codchistore /var/lib/lxd/containers " +
    "/var/log/lxd/codchistore/lxc.conf: exit status 1";
  let starts = 0;
  const once = new LxdDriver({
    paths,
    runner: runner((a) => a.includes("start") && ++starts === 1 ? out(1, "", FORK) : out(0, "")),
    binary: "lxc",
    env: {},
  });
  assert.equal((await once.instances.startContainer("codchistore", 1000)).code, 0);
  assert.equal(starts, 2);
  // A failure that persists is returned after the second try.
  starts = 0;
  const always = new LxdDriver({
    paths,
    runner: runner((a) => a.includes("start") ? (starts++, out(1, "", FORK)) : out(0, "")),
    binary: "lxc",
    env: {},
  });
  assert.match((await always.instances.startContainer("c", 1000)).errText, /forkstart/);
  assert.equal(starts, 2);
  // Anything else (already running, a missing image) is returned at once.
  starts = 0;
  const other = new LxdDriver({
    paths,
    runner: runner((a) =>
      a.includes("start")
        ? (starts++, out(1, "", "Error: The instance is already running"))
        : out(0, "")
    ),
    binary: "lxc",
    env: {},
  });
  assert.equal((await other.instances.startContainer("c", 1000)).code, 1);
  assert.equal(starts, 1);
});
