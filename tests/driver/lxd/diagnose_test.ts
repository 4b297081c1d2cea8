/** doctor's LXD/Incus probes (driver/lxd/diagnose.ts): client, daemon, remote, group, project. */
import { deepEqual, equal } from "node:assert/strict";
import { diagnoseLxd, groupMembers } from "../../../src/driver/lxd/diagnose.ts";
import { output, scriptedRunner } from "../../support/scripted_runner.ts";

/** A PATH folder holding an executable `bin` (never run: the runner is scripted). */
async function binDir(bin: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "codchi-diag-" });
  await Deno.writeTextFile(`${dir}/${bin}`, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  return dir;
}

const GROUPS = "root:x:0:\nlxd:x:998:bob,alice\nincus-admin:x:997:carol\nlxdx:x:5:alice\n";

Deno.test("groupMembers: the members of exactly that group; none for a missing or empty one", () => {
  deepEqual(groupMembers(GROUPS, "lxd"), ["bob", "alice"]);
  deepEqual(groupMembers(GROUPS, "incus-admin"), ["carol"]);
  deepEqual(groupMembers(GROUPS, "root"), []);
  deepEqual(groupMembers(GROUPS, "docker"), []);
  // "lxd" is not a prefix match of "lxdx".
  deepEqual(groupMembers("lxdx:x:5:alice\n", "lxd"), []);
  deepEqual(groupMembers("", "lxd"), []);
});

Deno.test("no client on PATH: nothing is spawned, the daemon is not asked, the group still is", async () => {
  const runner = scriptedRunner(() => output(0));
  const d = await diagnoseLxd({
    runner,
    name: "lxd",
    env: { PATH: "/nonexistent-codchi", USER: "alice" },
    project: { name: "codchi-alice-1", source: "new" },
    uid: 1000,
    readGroups: () => Promise.resolve(GROUPS),
  });
  deepEqual(runner.calls, []);
  deepEqual(d, {
    kind: "lxd",
    cliPath: undefined,
    daemon: { ok: false },
    project: undefined,
    remote: undefined,
    permission: { user: "alice", group: "lxd", ok: true },
  });
});

Deno.test("a client that answers: one `query /1.0`, the project named with its source", async () => {
  const dir = await binDir("lxc");
  try {
    const runner = scriptedRunner(() => output(0, "{}"));
    const d = await diagnoseLxd({
      runner,
      name: "lxd",
      env: { PATH: dir, USER: "dave" },
      project: { name: "team", source: "env" },
      uid: 1000,
      readGroups: () => Promise.resolve(GROUPS),
    });
    deepEqual(runner.calls, [["lxc", "query", "/1.0"]]);
    equal(d.cliPath, `${dir}/lxc`);
    deepEqual(d.daemon, { ok: true });
    deepEqual(d.project, { name: "team", source: "CODCHI_LXD_PROJECT" });
    // dave is in no group: the permission finding, with the group to join.
    deepEqual(d.permission, { user: "dave", group: "lxd", ok: false });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("incus: asks incus, judges incus-admin; a dead daemon gives its last error line", async () => {
  const dir = await binDir("incus");
  try {
    const runner = scriptedRunner(() => output(1, "", "some context\nError: daemon down\n"));
    const d = await diagnoseLxd({
      runner,
      name: "incus",
      env: { PATH: dir, LOGNAME: "carol" },
      uid: 1000,
      readGroups: () => Promise.resolve(GROUPS),
    });
    deepEqual(runner.calls, [["incus", "query", "/1.0"]]);
    deepEqual(d.daemon, { ok: false, error: "Error: daemon down" });
    deepEqual(d.permission, { user: "carol", group: "incus-admin", ok: true });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("root may use the daemon without a group; an unreadable group file is no member", async () => {
  const asRoot = await diagnoseLxd({
    runner: scriptedRunner(() => output(0)),
    name: "lxd",
    env: { PATH: "", USER: "root" },
    uid: 0,
    readGroups: () => Promise.resolve(undefined),
  });
  equal(asRoot.permission.ok, true);
  const noFile = await diagnoseLxd({
    runner: scriptedRunner(() => output(0)),
    name: "lxd",
    env: { PATH: "" },
    uid: 1234,
    readGroups: () => Promise.resolve(undefined),
  });
  deepEqual(noFile.permission, { user: "uid 1234", group: "lxd", ok: false });
});

Deno.test("a remote is asked at `<remote>:/1.0` and named by where it was set", async () => {
  const dir = await binDir("lxc");
  try {
    const runner = scriptedRunner((argv) =>
      argv[2] === "/1.0" ? output(0) : output(1, "", "Error: not authorized\n")
    );
    const d = await diagnoseLxd({
      runner,
      name: "lxd",
      env: { PATH: dir, USER: "bob" },
      remote: { name: "build", source: "config" },
      uid: 1000,
      readGroups: () => Promise.resolve(GROUPS),
    });
    deepEqual(runner.calls, [["lxc", "query", "/1.0"], ["lxc", "query", "build:/1.0"]]);
    deepEqual(d.remote, {
      name: "build",
      source: "config.json remote",
      ok: false,
      error: "Error: not authorized",
    });
    // Without a client the remote is not asked, and the finding says why.
    const none = await diagnoseLxd({
      runner: scriptedRunner(() => output(0)),
      name: "lxd",
      env: { PATH: "", USER: "bob" },
      remote: { name: "build", source: "env" },
      uid: 1000,
      readGroups: () => Promise.resolve(GROUPS),
    });
    deepEqual(none.remote, {
      name: "build",
      source: "CODCHI_LXD_REMOTE",
      ok: false,
      error: "lxc is not on PATH",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a remote that answers /1.0 as untrusted is a failed probe that says so", async () => {
  const dir = await binDir("incus");
  try {
    // What Incus 6.0 and LXD 5.0 answer (pretty-printed JSON) to a client they do not trust.
    const answer = (auth: string) => `{\n\t"api_extensions": [],\n\t"auth": "${auth}",\n}\n`;
    for (const [auth, ok] of [["untrusted", false], ["trusted", true]] as const) {
      const d = await diagnoseLxd({
        runner: scriptedRunner((argv) => output(0, argv[2] === "/1.0" ? "{}" : answer(auth))),
        name: "incus",
        env: { PATH: dir, USER: "carol" },
        remote: { name: "build", source: "config" },
        uid: 1000,
        readGroups: () => Promise.resolve(GROUPS),
      });
      equal(d.remote?.ok, ok, auth);
      if (!ok) {
        equal(
          d.remote?.error,
          "it does not trust this client (make a token there: incus config trust add <name>; " +
            "then incus remote remove build and codchi remote add it again)",
        );
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
