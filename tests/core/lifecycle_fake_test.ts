/**
 * The core's machine lifecycle through the fake driver: init, rebuild, exec, status — what each
 * leaves on the host (machine.json, flake, build record, journal), which driver verbs it calls
 * in which order, its typed errors, and that a failed init leaves nothing behind.
 */
import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { machinePaths } from "../../src/config/paths.ts";
import { journalFile } from "../../src/config/journal_files.ts";
import { ENV_FILE } from "../../src/contract.ts";
import { execAfterExit1, execInMachine } from "../../src/core/exec.ts";
import { initMachine, rebuildMachine } from "../../src/core/lifecycle.ts";
import { machineStatuses } from "../../src/core/status.ts";
import {
  ConflictError,
  NotFoundError,
  NotRunningError,
  ToolError,
  UsageError,
} from "../../src/errors.ts";
import { MACHINE_SYSTEM_PROFILE } from "../../src/nix/argv.ts";
import { makeOutput } from "../../src/process.ts";
import { type FakeHost, fakeHost } from "../support/fake_core.ts";

const URL_ = "github:acme/dev";

async function init(
  h: FakeHost,
  name = "a",
  extra: Partial<Parameters<typeof initMachine>[1]> = {},
) {
  return await initMachine(h.ctx, {
    name,
    url: URL_,
    modulePaths: ["nixosModules.default"],
    input: { dontPrompt: true },
    runInit: true,
    ...extra,
  });
}

async function readJsonFile(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(path));
}

Deno.test("init: writes machine.json and flake, builds, installs, starts, in this order", async () => {
  await using h = await fakeHost();
  const res = await init(h);
  equal(res.status, "UpToDate");
  match(res.system!, /^\/nix\/store\/[0-9a-f]{32}-nixos-system-a$/);
  const mp = machinePaths(h.paths, "a");
  const cfg = await readJsonFile(mp.file);
  equal(cfg.version, 1);
  equal(cfg.name, "a");
  deepEqual(cfg.modules, [{
    name: "dev-default",
    source: { kind: "forge", forge: "github", owner: "acme", repo: "dev" },
    modulePath: "nixosModules.default",
  }]);
  match(await Deno.readTextFile(mp.flake), /github:acme\/dev/);
  const built = await readJsonFile(mp.built);
  equal(built.system, res.system);
  equal(built.driver, "url:github:codchi-dev/codchi/v0.0.0?dir=nix");
  deepEqual(h.driver.calls, [
    "states", // nothing of that name exists (under the lock)
    "store ensureRunning",
    "store nix flake metadata", // the module's flake: its own nixpkgs input?
    "store nix eval", // … and its nixConfig (caches it asks for)
    "store ensureRunning",
    "store nix eval", // declared secrets, before the build
    "store nix build",
    "store readlink",
    "states",
    "install a",
    "start a",
    "store apps",
  ]);
  equal(h.driver.machines.get("a")?.running, true);
  equal(h.driver.spawns, h.driver.calls.length, "no host process for an init without apps");
  // The journal record is gone once the init is complete.
  await rejects(Deno.lstat(journalFile(h.paths, "a")), Deno.errors.NotFound);
});

Deno.test("init --no-build: config and flake only, no container, status NotInstalled", async () => {
  await using h = await fakeHost();
  const res = await init(h, "a", { input: { dontPrompt: true, build: false } });
  equal(res.status, "NotInstalled");
  // Only the module's flake is read (nixpkgs input, nixConfig), nothing is built.
  deepEqual(h.driver.calls, [
    "states",
    "store ensureRunning",
    "store nix flake metadata",
    "store nix eval",
  ]);
  const [row] = await machineStatuses(h.paths, await h.driver.states());
  deepEqual({ name: row.name, status: row.status, running: row.running }, {
    name: "a",
    status: "NotInstalled",
    running: false,
  });
});

Deno.test("init: bad input is refused before the driver is touched", async () => {
  await using h = await fakeHost();
  await rejects(
    initMachine(h.ctx, {
      name: "a",
      modulePaths: ["nixosModules.x"],
      input: {},
      runInit: true,
    }),
    UsageError,
  );
  await rejects(init(h, "a", { modulePaths: ["not a path"] }), UsageError);
  await rejects(init(h, "a", { url: "http://example.test/x" }), UsageError);
  deepEqual(h.driver.calls, []);
  deepEqual(await h.files(), []);
});

Deno.test("init: an existing machine is a ConflictError and stays untouched", async () => {
  await using h = await fakeHost();
  await init(h);
  const before = await Deno.readTextFile(machinePaths(h.paths, "a").file);
  const calls = h.driver.calls.length;
  await rejects(init(h), ConflictError);
  equal(h.driver.calls.length, calls);
  equal(await Deno.readTextFile(machinePaths(h.paths, "a").file), before);
});

Deno.test("init: a container of that name without config is a ConflictError, nothing made", async () => {
  await using h = await fakeHost();
  await h.driver.install("a");
  await rejects(init(h), (e) => e instanceof ConflictError && /container/.test(e.message));
  deepEqual(await left(h), []);
});

for (
  const [label, pattern, cleanup] of [
    ["the build", /^store nix build$/, []], // no container was begun: no driver call
    ["the install", /^install a$/, ["states"]],
    ["the start", /^start a$/, ["states", "remove a"]],
    // After the start: the running container is stopped before it is removed.
    ["the shortcuts", /^store apps$/, ["states", "stop a force", "remove a"]],
  ] as const
) {
  Deno.test(`init: a failure in ${label} removes everything it made`, async () => {
    await using h = await fakeHost();
    h.driver.declared.set("a", [{ name: "TOKEN", description: "" }]);
    h.ctx.env.CODCHI_SECRET_TOKEN = "from-env";
    let journal: { op: string; made: string[] } | undefined;
    let failedAt = -1;
    h.driver.failOn(pattern, () => {
      journal = JSON.parse(Deno.readTextFileSync(journalFile(h.paths, "a")));
      failedAt = h.driver.calls.length;
      return new ToolError("fake", `${label} failed`);
    });
    await rejects(init(h), (e) => e instanceof ToolError && e.message === `${label} failed`);
    // The journal recorded the intent before each part was made.
    equal(journal?.op, "init");
    ok(journal!.made.includes("config") && journal!.made.includes("home"), String(journal!.made));
    equal(journal!.made.includes("container"), label !== "the build");
    // The roll-back's driver calls, in order.
    deepEqual(h.driver.calls.slice(failedAt), cleanup);
    // Nothing is left: no config, home, container, secrets or journal.
    deepEqual(await left(h), []);
    deepEqual(await h.files(h.paths.machineDataRoot), []);
    equal(h.driver.machines.has("a"), false);
    deepEqual(await h.secrets.list("a"), []);
  });
}

Deno.test("init: secrets from the host env reach the env file of the machine, and the store", async () => {
  await using h = await fakeHost();
  h.driver.declared.set("a", [{ name: "TOKEN", description: "api token" }]);
  h.ctx.env.CODCHI_SECRET_TOKEN = "it's $x";
  await init(h);
  equal(await h.secrets.get("a", "TOKEN"), "it's $x");
  const env = new TextDecoder().decode(h.driver.machines.get("a")!.files.get(ENV_FILE)!.data);
  match(env, /^CODCHI_TOKEN='it'"'"'s \$x'$/m);
  match(env, /^export CODCHI_TOKEN$/m);
  deepEqual(h.driver.machines.get("a")!.env!.vars, { CODCHI_MACHINE_NAME: "a" });
});

Deno.test("init: a declared secret without a value and no terminal fails before the build", async () => {
  await using h = await fakeHost();
  h.driver.declared.set("a", [{ name: "TOKEN", description: "" }]);
  await rejects(
    init(h),
    (e) =>
      e instanceof UsageError && /needs a secret with no value/.test(e.message) &&
      /CODCHI_SECRET_TOKEN/.test(e.message),
  );
  equal(h.driver.callsMatching(/nix build|install/).length, 0);
  deepEqual(await left(h), []);
});

Deno.test("rebuild: a running machine gets its env file, then switch-to-configuration", async () => {
  await using h = await fakeHost();
  await init(h);
  h.driver.calls.length = 0;
  const res = await rebuildMachine(h.ctx, "a", { update: false });
  equal(res.status, "UpToDate");
  deepEqual(h.driver.calls, [
    "store ensureRunning",
    "store nix eval",
    "store nix build",
    "store readlink",
    "states",
    `pushFile a ${ENV_FILE}`,
    `exec a root ${MACHINE_SYSTEM_PROFILE}/bin/switch-to-configuration switch`,
    "store apps",
  ]);
});

Deno.test("rebuild --update: the lock changes and the new system is another generation", async () => {
  await using h = await fakeHost();
  const first = await init(h);
  const mp = machinePaths(h.paths, "a");
  const res = await rebuildMachine(h.ctx, "a", { update: true });
  ok(h.driver.calls.includes("store nix flake update"));
  ok(res.system !== first.system, "a new lock builds a new system");
  equal((await readJsonFile(mp.built)).system, res.system);
  deepEqual(h.driver.profiles.get(`${mp.profilesDir}/system`), [first.system, res.system]);
});

Deno.test("rebuild: a stopped machine is started, not switched", async () => {
  await using h = await fakeHost();
  await init(h);
  await h.driver.stop("a");
  h.driver.calls.length = 0;
  await rebuildMachine(h.ctx, "a", { update: false });
  ok(h.driver.calls.includes("start a"));
  equal(h.driver.callsMatching(/switch-to-configuration/).length, 0);
  equal(h.driver.machines.get("a")!.starts, 2);
});

Deno.test("rebuild: an unknown machine is a NotFoundError naming the machines there are", async () => {
  await using h = await fakeHost();
  await init(h);
  h.driver.calls.length = 0;
  await rejects(
    rebuildMachine(h.ctx, "b", { update: false }),
    (e) => e instanceof NotFoundError && /Machines: a\b/.test(e.hint ?? ""),
  );
  deepEqual(h.driver.calls, []);
});

Deno.test("rebuild: a failed activation is a ToolError carrying its stderr and exit code", async () => {
  await using h = await fakeHost();
  await init(h);
  h.driver.onExec = (_m, argv) =>
    argv[0].endsWith("/switch-to-configuration")
      ? makeOutput(4, new Uint8Array(), new TextEncoder().encode("unit x failed"))
      : undefined;
  await rejects(
    rebuildMachine(h.ctx, "a", { update: false }),
    (e) => e instanceof ToolError && e.code === 4 && /unit x failed/.test(e.message),
  );
});

Deno.test("rebuild: a failed build leaves the machine as it was (built record, container)", async () => {
  await using h = await fakeHost();
  const first = await init(h);
  const mp = machinePaths(h.paths, "a");
  const built = await Deno.readTextFile(mp.built);
  await Deno.writeTextFile(mp.flake, (await Deno.readTextFile(mp.flake)) + "\n");
  h.driver.failOn(/^store nix build$/, () => new ToolError("nix", "build failed"));
  const n = h.driver.calls.length;
  await rejects(rebuildMachine(h.ctx, "a", { update: false }), ToolError);
  deepEqual(h.driver.calls.slice(n), ["store ensureRunning", "store nix eval", "store nix build"]);
  equal(await Deno.readTextFile(mp.built), built);
  equal(h.driver.machines.get("a")!.running, true);
  deepEqual(h.driver.profiles.get(`${mp.profilesDir}/system`), [first.system]);
  await rejects(Deno.lstat(journalFile(h.paths, "a")), Deno.errors.NotFound);
});

Deno.test("exec: a running machine costs ONE driver call; the exit code passes through", async () => {
  await using h = await fakeHost();
  await init(h);
  h.driver.calls.length = 0;
  h.driver.onExec = (_m, argv) =>
    argv[0] === "false" ? makeOutput(1, new Uint8Array(), new Uint8Array()) : undefined;
  const spawns = h.driver.spawns;
  equal(await execInMachine(h.ctx, "a", ["true"], { tty: false }), 0);
  deepEqual(h.driver.calls, ["exec a codchi true"]);
  equal(h.driver.spawns - spawns, 1, "one process, no host tool");
  equal(await execInMachine(h.ctx, "a", ["false"], { tty: false }), 1);
});

Deno.test("exec: a stopped machine is started with its secrets, then the command runs", async () => {
  await using h = await fakeHost();
  h.driver.declared.set("a", [{ name: "TOKEN", description: "" }]);
  h.ctx.env.CODCHI_SECRET_TOKEN = "v1";
  await init(h);
  await h.driver.stop("a");
  await h.driver.store.stop();
  h.driver.calls.length = 0;
  equal(await execInMachine(h.ctx, "a", ["id"], { tty: false }), 0);
  deepEqual(h.driver.calls, [
    "store ensureRunning", // the store's daemon was down
    "exec a codchi id", // not running: nothing ran, returned as such
    "store ensureRunning",
    "start a",
    "exec a codchi id",
  ]);
  match(new TextDecoder().decode(h.driver.machines.get("a")!.env!.envFile), /CODCHI_TOKEN='v1'/);
});

Deno.test("exec: a machine that was never built is a NotFoundError, no driver call", async () => {
  await using h = await fakeHost();
  await init(h, "a", { input: { dontPrompt: true, build: false } });
  h.driver.calls.length = 0;
  await rejects(
    execInMachine(h.ctx, "a", ["true"], { tty: false }),
    (e) => e instanceof NotFoundError && /never built/.test(e.message),
  );
  deepEqual(h.driver.calls, []);
});

Deno.test("status: UpToDate, Modified after a flake edit, NotInstalled without container", async () => {
  await using h = await fakeHost();
  await init(h, "a");
  await init(h, "b");
  const mp = machinePaths(h.paths, "b");
  await Deno.writeTextFile(mp.flake, (await Deno.readTextFile(mp.flake)) + "\n# edited\n");
  await h.driver.stop("a");
  const rows = await machineStatuses(h.paths, await h.driver.states());
  deepEqual(rows.map((r) => [r.name, r.status, r.running]), [
    ["a", "UpToDate", false],
    ["b", "Modified", true],
  ]);
  h.driver.machines.delete("a");
  const after = await machineStatuses(h.paths, await h.driver.states());
  equal(after[0].status, "NotInstalled");
});

Deno.test("status: a broken machine.json and an unfinished journal show as Broken rows", async () => {
  await using h = await fakeHost();
  await init(h, "a");
  await init(h, "b");
  await Deno.writeTextFile(machinePaths(h.paths, "a").file, "{ not json");
  await Deno.writeTextFile(
    journalFile(h.paths, "b"),
    JSON.stringify({
      version: 1,
      op: "init",
      machine: "b",
      pid: 999999,
      startedAt: "2026-01-01T00:00:00Z",
      made: ["config"],
    }),
  );
  const rows = await machineStatuses(h.paths, await h.driver.states());
  equal(rows[0].status, "Broken");
  match(rows[0].reason!, /not valid JSON/);
  equal(rows[1].status, "Broken");
  match(rows[1].reason!, /interrupted init/);
});

/** Files under the config dir, but the lock files (kept apart on purpose, see config/paths.ts). */
async function left(h: FakeHost): Promise<string[]> {
  return (await h.files(h.paths.configDir)).filter((f) => !f.startsWith("locks/"));
}

Deno.test("exec: the host's display variables (Windows: VcXsrv's) reach the command", async () => {
  await using h = await fakeHost();
  await init(h);
  let asked = 0;
  let got: Record<string, string> | undefined;
  h.driver.onExec = (_m, _argv, opts) => {
    got = opts.env;
    return undefined;
  };
  const ctx = {
    ...h.ctx,
    guiEnv: () => {
      asked++;
      return Promise.resolve({ CODCHI_DISPLAY: ":0" });
    },
  };
  const spawns = h.driver.spawns;
  equal(await execInMachine(ctx, "a", ["true"], { tty: false }), 0);
  deepEqual(got, { CODCHI_DISPLAY: ":0" });
  equal(asked, 1);
  equal(h.driver.spawns - spawns, 1, "still one process");
  // A host without one (Linux): nothing is added.
  equal(await execInMachine(h.ctx, "a", ["true"], { tty: false }), 0);
  equal(got, undefined);
});

Deno.test("exec after the fast path's exit 1: running → 1, nothing more; stopped → started, run", async () => {
  await using h = await fakeHost();
  await init(h);
  h.driver.calls.length = 0;
  equal(await execAfterExit1(h.ctx, "a", ["false"], { tty: false }), 1);
  deepEqual(h.driver.calls, ["runningAfterExit1 a"]);
  await h.driver.stop("a");
  h.driver.calls.length = 0;
  equal(await execAfterExit1(h.ctx, "a", ["id"], { tty: false }), 0);
  deepEqual(h.driver.calls.filter((c) => !c.startsWith("store")), [
    "runningAfterExit1 a",
    "start a",
    "exec a codchi id",
  ]);
  // A machine whose container is gone is reported, not started.
  h.driver.machines.delete("a");
  await rejects(execAfterExit1(h.ctx, "a", ["id"], { tty: false }), NotFoundError);
});

Deno.test("exec: a machine stopped again between its start and the command is NotRunningError", async () => {
  await using h = await fakeHost();
  await init(h);
  await h.driver.stop("a");
  // Someone stops it right after each start: exec starts once and reports, never loops.
  h.driver.onExec = () => undefined;
  const start = h.driver.start.bind(h.driver);
  h.driver.start = async (m, env, r) => {
    await start(m, env, r);
    await h.driver.stop(m);
  };
  h.driver.calls.length = 0;
  await rejects(execInMachine(h.ctx, "a", ["id"], { tty: false }), NotRunningError);
  equal(h.driver.machines.get("a")!.starts, 2);
  // Raised by the second try of the command itself, after the one start.
  deepEqual(h.driver.calls.filter((c) => /^(start|exec) /.test(c)), [
    "exec a codchi id",
    "start a",
    "exec a codchi id",
  ]);
});
