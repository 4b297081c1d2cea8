/**
 * The core's other use cases through the fake driver: duplicate, delete, gc, tar, secrets and
 * the module commands — host files, driver calls in order, typed errors, nothing left on failure.
 */
import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { ENV_FILE } from "../../src/contract.ts";
import { journalFile } from "../../src/config/journal_files.ts";
import { machinePaths } from "../../src/config/paths.ts";
import { collectGarbage } from "../../src/core/gc.ts";
import {
  deleteMachine,
  duplicateMachine,
  initMachine,
  tarMachine,
} from "../../src/core/lifecycle.ts";
import { addModule, deleteModule, listModules, setModule } from "../../src/core/modules.ts";
import { getSecret, listSecrets, setSecret } from "../../src/core/secrets_cmd.ts";
import {
  ConflictError,
  InterruptedError,
  NotFoundError,
  ToolError,
  UsageError,
} from "../../src/errors.ts";
import { type FakeHost, fakeHost, ScriptedPrompter } from "../support/fake_core.ts";

async function init(h: FakeHost, name = "a", build = true) {
  return await initMachine(h.ctx, {
    name,
    url: "github:acme/dev",
    modulePaths: ["nixosModules.default"],
    input: { dontPrompt: true, build },
    runInit: true,
  });
}

/** Files under the config dir, but the lock files (kept apart on purpose, see config/paths.ts). */
async function configFiles(h: FakeHost): Promise<string[]> {
  return (await h.files(h.paths.configDir)).filter((f) => !f.startsWith("locks/"));
}

async function readJsonFile(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(path));
}

// ---------------------------------------------------------------- duplicate

Deno.test("duplicate: a running source is stopped, copied, started again; the copy is whole", async () => {
  await using h = await fakeHost();
  h.driver.declared.set("a", [{ name: "TOKEN", description: "" }]);
  h.ctx.env.CODCHI_SECRET_TOKEN = "s3cret";
  await init(h);
  await Deno.writeTextFile(`${machinePaths(h.paths, "a").data}/notes.txt`, "mine\n");
  h.driver.calls.length = 0;
  const res = await duplicateMachine(h.ctx, "a", "b");
  equal(res.name, "b");
  equal(res.status, "UpToDate");
  deepEqual(h.driver.calls, [
    "states", // b is free
    "states", // is a running?
    "stop a",
    "duplicate a b",
    "store apps", // b's shortcuts
    "store ensureRunning",
    "start a",
  ]);
  const cfg = await readJsonFile(machinePaths(h.paths, "b").file);
  equal(cfg.name, "b");
  deepEqual(cfg.modules, (await readJsonFile(machinePaths(h.paths, "a").file)).modules);
  equal(await Deno.readTextFile(`${machinePaths(h.paths, "b").data}/notes.txt`), "mine\n");
  equal(await h.secrets.get("b", "TOKEN"), "s3cret");
  equal(h.driver.machines.get("a")!.running, true);
  equal(h.driver.machines.get("b")!.running, false);
  await rejects(Deno.lstat(journalFile(h.paths, "b")), Deno.errors.NotFound);
});

Deno.test("duplicate: a failed container copy removes the half-made copy; the source runs again", async () => {
  await using h = await fakeHost();
  h.driver.declared.set("a", [{ name: "TOKEN", description: "" }]);
  h.ctx.env.CODCHI_SECRET_TOKEN = "s3cret";
  await init(h);
  const before = await configFiles(h);
  h.driver.failOn(/^duplicate a b$/, () => new ToolError("lxc", "copy failed"));
  await rejects(duplicateMachine(h.ctx, "a", "b"), ToolError);
  deepEqual(await configFiles(h), before, "only a's files remain");
  deepEqual(await h.files(machinePaths(h.paths, "b").data), []);
  deepEqual(await h.secrets.list("b"), []);
  equal(h.driver.machines.has("b"), false);
  equal(h.driver.machines.get("a")!.running, true);
  equal(h.driver.calls.at(-1), "start a");
});

Deno.test("duplicate: onto itself, from nothing, or onto an existing machine are typed errors", async () => {
  await using h = await fakeHost();
  await init(h, "a", false);
  await init(h, "b", false);
  h.driver.calls.length = 0;
  await rejects(duplicateMachine(h.ctx, "a", "a"), UsageError);
  await rejects(duplicateMachine(h.ctx, "x", "c"), NotFoundError);
  await rejects(duplicateMachine(h.ctx, "a", "b"), ConflictError);
  deepEqual(h.driver.calls, []);
});

Deno.test("duplicate: a never-installed source copies config and home only, NotInstalled", async () => {
  await using h = await fakeHost();
  await init(h, "a", false);
  h.driver.calls.length = 0;
  const res = await duplicateMachine(h.ctx, "a", "b");
  equal(res.status, "NotInstalled");
  deepEqual(h.driver.calls, ["states", "states"]);
  equal(h.driver.machines.size, 0);
});

// ---------------------------------------------------------------- delete

Deno.test("delete: stops and removes the container, then apps, secrets, home and config", async () => {
  await using h = await fakeHost();
  h.driver.declared.set("a", [{ name: "TOKEN", description: "" }]);
  h.ctx.env.CODCHI_SECRET_TOKEN = "x";
  await init(h);
  await init(h, "keep");
  h.driver.calls.length = 0;
  await deleteMachine(h.ctx, "a", { sure: true });
  deepEqual(h.driver.calls, ["states", "stop a force", "remove a"]);
  equal(h.driver.machines.has("a"), false);
  equal(h.driver.machines.has("keep"), true);
  deepEqual(await h.secrets.list("a"), []);
  deepEqual(await h.files(machinePaths(h.paths, "a").data), []);
  deepEqual((await configFiles(h)).filter((f) => f.startsWith("machines/a/")), []);
  ok((await configFiles(h)).some((f) => f.startsWith("machines/keep/")));
  await rejects(Deno.lstat(journalFile(h.paths, "a")), Deno.errors.NotFound);
});

Deno.test("delete: removes the image flake a killed export left, not another machine's", async () => {
  await using h = await fakeHost();
  await init(h);
  await init(h, "keep");
  for (const m of ["a", "keep"]) {
    const dir = machinePaths(h.paths, m).imageFlakeDir;
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(`${dir}/flake.nix`, "{ }");
  }
  await deleteMachine(h.ctx, "a", { sure: true });
  deepEqual((await configFiles(h)).filter((f) => f.startsWith("images/")), [
    "images/keep/flake.nix",
  ]);
});

Deno.test("delete: without --i-am-really-sure and no terminal: UsageError, nothing removed", async () => {
  await using h = await fakeHost();
  await init(h);
  const before = await h.files();
  h.driver.calls.length = 0;
  await rejects(deleteMachine(h.ctx, "a", { sure: false }), UsageError);
  deepEqual(await h.files(), before);
  deepEqual(h.driver.calls, []);
});

Deno.test("delete: a declined confirmation is an InterruptedError (exit 130), nothing removed", async () => {
  await using h = await fakeHost({ prompter: new ScriptedPrompter(true, { confirm: [false] }) });
  await init(h);
  const before = await h.files();
  await rejects(
    deleteMachine(h.ctx, "a", { sure: false }),
    (e) => e instanceof InterruptedError && e.exitCode === 130,
  );
  deepEqual(await h.files(), before);
  equal(h.driver.machines.has("a"), true);
});

Deno.test("delete: an unknown machine is a NotFoundError; a lone container is removed", async () => {
  await using h = await fakeHost();
  await rejects(deleteMachine(h.ctx, "ghost", { sure: true }), NotFoundError);
  await h.driver.install("orphan");
  await deleteMachine(h.ctx, "orphan", { sure: true });
  equal(h.driver.machines.has("orphan"), false);
});

Deno.test("delete: a failing container removal leaves the journal, the next command finishes it", async () => {
  await using h = await fakeHost();
  await init(h);
  h.driver.failOn(/^remove a$/, () => new ToolError("lxc", "busy"), false);
  await rejects(deleteMachine(h.ctx, "a", { sure: true }), ToolError);
  // The clean-up failed the same way: the record stays for the next codchi.
  equal((await readJsonFile(journalFile(h.paths, "a"))).op, "delete");
  ok(h.reporter.warnings.some((w) => /Clean-up of "a" was incomplete/.test(w)));
  equal(h.driver.machines.has("a"), true);
  // The next command on "a" (here a rebuild) finishes the delete first, then finds nothing.
  h.driver.clearFailures();
  const { rebuildMachine } = await import("../../src/core/lifecycle.ts");
  await rejects(rebuildMachine(h.ctx, "a", { update: false }), NotFoundError);
  ok(h.reporter.warnings.some((w) => /Finishing the interrupted delete of "a"/.test(w)));
  equal(h.driver.machines.has("a"), false);
  deepEqual(await configFiles(h), []);
  deepEqual(await h.files(machinePaths(h.paths, "a").data), []);
});

// ---------------------------------------------------------------- gc

Deno.test("gc: old generations of the named machines go, then the store is collected", async () => {
  await using h = await fakeHost();
  await init(h);
  const { rebuildMachine } = await import("../../src/core/lifecycle.ts");
  await rebuildMachine(h.ctx, "a", { update: true });
  await rebuildMachine(h.ctx, "a", { update: true });
  const profile = `${machinePaths(h.paths, "a").profilesDir}/system`;
  equal(h.driver.profiles.get(profile)!.length, 3);
  h.driver.calls.length = 0;
  const res = await collectGarbage(h.ctx, { machines: ["a"], all: false, deleteOld: 0 });
  deepEqual(h.driver.calls, [
    "store ensureRunning",
    "store nix profile wipe-history",
    "store nix store gc",
  ]);
  equal(h.driver.profiles.get(profile)!.length, 1);
  deepEqual(res.machines, ["a"]);
  equal(res.summary, "2 store paths deleted, 3.00 MiB freed (old generations of a removed)");
});

Deno.test("gc: usage errors before the driver; an unknown machine is NotFound", async () => {
  await using h = await fakeHost();
  await init(h, "a", false);
  const before = h.driver.callsMatching(/^store nix/).length;
  await rejects(collectGarbage(h.ctx, { machines: ["a"], all: true, deleteOld: 1 }), UsageError);
  await rejects(collectGarbage(h.ctx, { machines: ["a"], all: false }), UsageError);
  await rejects(
    collectGarbage(h.ctx, { machines: ["nope"], all: false, deleteOld: 1 }),
    NotFoundError,
  );
  await rejects(collectGarbage(h.ctx, { machines: [], all: true, deleteOld: -1 }), UsageError);
  equal(h.driver.callsMatching(/^store nix/).length, before, "gc ran no nix command");
});

Deno.test("gc: plain gc collects only the store", async () => {
  await using h = await fakeHost();
  const res = await collectGarbage(h.ctx, { machines: [], all: false });
  deepEqual(h.driver.calls, ["store ensureRunning", "store nix store gc"]);
  equal(res.summary, "0 store paths deleted, 0.00 MiB freed");
});

// ---------------------------------------------------------------- tar

async function tarList(file: string, flag = "-tf"): Promise<string[]> {
  const out = await new Deno.Command("tar", { args: [flag, file], stdout: "piped" }).output();
  equal(out.code, 0);
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l).sort();
}

/** Files left beside `dir`'s archives: no temp file (`*.codchi-part-*`) may survive. */
async function partFiles(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name)
    .filter((n) => n.includes(".codchi-part-"));
}

Deno.test("tar: /etc/nixos with the standalone flake, then the machine's stream; secrets only when asked", async () => {
  await using h = await fakeHost();
  h.driver.declared.set("a", [{ name: "TOKEN", description: "" }]);
  h.ctx.env.CODCHI_SECRET_TOKEN = "tok";
  await init(h);
  await Deno.writeTextFile(`${machinePaths(h.paths, "a").data}/work.txt`, "w\n");
  const file = `${h.root}/a.tar`;
  const spawns = h.driver.runner.spawns;
  const res = await tarMachine(h.ctx, "a", file, { withSecrets: false });
  equal(res.file, file);
  equal(res.compression, "none");
  const names = await tarList(file);
  for (
    const want of ["home/codchi/work.txt", "etc/nixos/flake.nix", "etc/nixos/codchi/machine.json"]
  ) {
    ok(names.includes(want), `${want} in ${names.join(",")}`);
  }
  ok(
    names.includes("etc/nixos/flake.lock") ===
      (await Deno.lstat(machinePaths(h.paths, "a").lock).then(() => true, () => false)),
  );
  equal(names.some((n) => n.includes("secrets")), false);
  deepEqual(h.driver.callsMatching(/exportTree/), ["exportTree a /var/lib /root /home/codchi"]);
  equal(h.driver.runner.spawns - spawns, 1, "one stream from the machine, nothing else");
  const flake = await new Deno.Command("tar", {
    args: ["-xOf", file, "etc/nixos/flake.nix"],
    stdout: "piped",
  }).output();
  match(new TextDecoder().decode(flake.stdout), /driver = "none"/);
  await tarMachine(h.ctx, "a", file, { withSecrets: true });
  const verbose = await tarList(file, "-tvf");
  ok(
    verbose.some((l) => /^-rw------- .* etc\/nixos\/codchi\/secrets\.json$/.test(l)),
    verbose.join("\n"),
  );
  const secrets = await new Deno.Command("tar", {
    args: ["-xOf", file, "etc/nixos/codchi/secrets.json"],
    stdout: "piped",
  }).output();
  deepEqual(JSON.parse(new TextDecoder().decode(secrets.stdout)), { TOKEN: "tok" });
  deepEqual(await partFiles(h.root), []);
});

Deno.test("tar: .tar.gz and .tar.zst are compressed as named; a stopped machine is started first", async () => {
  await using h = await fakeHost();
  await init(h);
  await Deno.writeTextFile(`${machinePaths(h.paths, "a").data}/work.txt`, "w\n");
  h.driver.machines.get("a")!.running = false;
  const gz = await tarMachine(h.ctx, "a", `${h.root}/a.tar.gz`, { withSecrets: false });
  equal(gz.compression, "gzip");
  ok(h.driver.machines.get("a")!.running, "started for the export");
  ok((await tarList(gz.file, "-tzf")).includes("home/codchi/work.txt"));
  const zst = await tarMachine(h.ctx, "a", `${h.root}/A.TAR.ZST`, { withSecrets: false });
  equal(zst.compression, "zstd");
  const list = await new Deno.Command("tar", { args: ["--zstd", "-tf", zst.file], stdout: "piped" })
    .output();
  equal(list.code, 0);
  ok(new TextDecoder().decode(list.stdout).includes("etc/nixos/flake.nix"));
  // Magic numbers: gzip 1f 8b, zstd 28 b5 2f fd.
  deepEqual([...(await Deno.readFile(gz.file)).slice(0, 2)], [0x1f, 0x8b]);
  deepEqual([...(await Deno.readFile(zst.file)).slice(0, 4)], [0x28, 0xb5, 0x2f, 0xfd]);
});

Deno.test("tar: an unknown suffix or a missing folder is a UsageError before anything is touched", async () => {
  await using h = await fakeHost();
  await init(h);
  h.driver.calls.length = 0;
  for (const bad of ["a.zip", "a.tar.bz2", "a", "a.tgz.part"]) {
    await rejects(tarMachine(h.ctx, "a", `${h.root}/${bad}`, { withSecrets: false }), UsageError);
    await rejects(Deno.lstat(`${h.root}/${bad}`), Deno.errors.NotFound);
  }
  await rejects(
    tarMachine(h.ctx, "a", `${h.root}/no/such/dir/a.tar`, { withSecrets: false }),
    UsageError,
  );
  deepEqual(h.driver.calls, [], "the driver was never asked");
});

Deno.test("tar: a failing stream leaves neither the file nor a temp file; an old file stays", async () => {
  await using h = await fakeHost();
  await init(h);
  const file = `${h.root}/a.tar.zst`;
  await Deno.writeTextFile(file, "old");
  h.driver.exportTree = async (_m, _p, sink) => {
    await sink(new Uint8Array(4096));
    throw new ToolError("tar", "tar failed in the machine", "disk error", 2);
  };
  await rejects(tarMachine(h.ctx, "a", file, { withSecrets: false }), ToolError);
  equal(await Deno.readTextFile(file), "old");
  deepEqual(await partFiles(h.root), []);
});

Deno.test("tar: a machine that was never built has no state to export (NotFoundError, no file)", async () => {
  await using h = await fakeHost();
  await init(h, "a", false);
  await rejects(tarMachine(h.ctx, "a", `${h.root}/a.tar`, { withSecrets: false }), NotFoundError);
  await rejects(Deno.lstat(`${h.root}/a.tar`), Deno.errors.NotFound);
});

Deno.test("tar: an unknown machine is a NotFoundError and writes no file", async () => {
  await using h = await fakeHost();
  await rejects(tarMachine(h.ctx, "a", `${h.root}/a.tar`, { withSecrets: false }), NotFoundError);
  await rejects(Deno.lstat(`${h.root}/a.tar`), Deno.errors.NotFound);
});

// ---------------------------------------------------------------- secrets

Deno.test("secrets list/get: declared at build, values from the store, unset ones marked", async () => {
  await using h = await fakeHost();
  h.driver.declared.set("a", [
    { name: "TOKEN", description: "api" },
    { name: "ONLY_DECLARED", description: "" },
  ]);
  h.ctx.env.CODCHI_SECRET_TOKEN = "t0k";
  h.ctx.env.CODCHI_SECRET_ONLY_DECLARED = "v";
  await init(h);
  await h.secrets.delete("a", "ONLY_DECLARED");
  h.driver.calls.length = 0;
  deepEqual(await listSecrets(h.ctx, "a", true), [
    { name: "ONLY_DECLARED", description: "", set: false, value: undefined },
    { name: "TOKEN", description: "api", set: true, value: "t0k" },
  ]);
  deepEqual((await listSecrets(h.ctx, "a", false)).map((r) => "value" in r), [false, false]);
  equal(await getSecret(h.ctx, "a", "TOKEN"), "t0k");
  await rejects(
    getSecret(h.ctx, "a", "ONLY_DECLARED"),
    (e) => e instanceof NotFoundError && /has no value/.test(e.message),
  );
  await rejects(getSecret(h.ctx, "a", "UNDECLARED"), NotFoundError);
  deepEqual(h.driver.calls, [], "reading secrets needs no driver");
});

Deno.test("secrets: a rebuild forgets a secret the config no longer declares", async () => {
  await using h = await fakeHost();
  h.driver.declared.set("a", [{ name: "OLD", description: "" }]);
  h.ctx.env.CODCHI_SECRET_OLD = "o";
  await init(h);
  ok(new TextDecoder().decode(h.driver.machines.get("a")!.env!.envFile).includes("CODCHI_OLD"));
  h.driver.declared.set("a", []);
  const { rebuildMachine } = await import("../../src/core/lifecycle.ts");
  await rebuildMachine(h.ctx, "a", { update: false });
  deepEqual(await h.secrets.list("a"), []);
  equal(
    // The running machine got its new env file pushed (the old start's env had it).
    new TextDecoder().decode(h.driver.machines.get("a")!.files.get(ENV_FILE)!.data)
      .includes("CODCHI_OLD"),
    false,
  );
});

const fromStdin = (value: string) => ({
  isTerminal: false,
  read: () => Promise.resolve(value),
});

Deno.test("secrets set: stored; a running machine keeps its env until --restart", async () => {
  await using h = await fakeHost();
  h.driver.declared.set("a", [{ name: "TOKEN", description: "" }]);
  h.ctx.env.CODCHI_SECRET_TOKEN = "old";
  await init(h);
  delete h.ctx.env.CODCHI_SECRET_TOKEN;
  h.driver.calls.length = 0;
  const r = await setSecret(h.ctx, "a", "TOKEN", { restart: false, stdin: fromStdin("new 'one'") });
  equal(r.restarted, false);
  match(r.message, /takes effect after a restart/);
  equal(await h.secrets.get("a", "TOKEN"), "new 'one'");
  deepEqual(h.driver.calls, ["states"]);
  match(new TextDecoder().decode(h.driver.machines.get("a")!.env!.envFile), /CODCHI_TOKEN='old'/);
  const r2 = await setSecret(h.ctx, "a", "TOKEN", { restart: true, stdin: fromStdin("v3") });
  equal(r2.restarted, true);
  deepEqual(h.driver.calls.slice(1), ["states", "stop a", "store ensureRunning", "start a"]);
  match(new TextDecoder().decode(h.driver.machines.get("a")!.env!.envFile), /CODCHI_TOKEN='v3'/);
});

Deno.test("secrets set: an undeclared name or an unusable value changes nothing", async () => {
  await using h = await fakeHost();
  h.driver.declared.set("a", [{ name: "TOKEN", description: "" }]);
  h.ctx.env.CODCHI_SECRET_TOKEN = "kept";
  await init(h);
  await rejects(
    setSecret(h.ctx, "a", "NOPE", { restart: false, stdin: fromStdin("x") }),
    (e) => e instanceof NotFoundError && /Declared: TOKEN/.test(e.hint ?? ""),
  );
  await rejects(
    setSecret(h.ctx, "a", "TOKEN", { restart: false, stdin: fromStdin("a\0b") }),
    (e) => e instanceof UsageError && /NUL/.test(e.message),
  );
  equal(await h.secrets.get("a", "TOKEN"), "kept");
});

// ---------------------------------------------------------------- modules

Deno.test("module add: a flake with one module is discovered and built in", async () => {
  await using h = await fakeHost();
  await init(h);
  h.driver.flakes.set("github:acme/tools", { nixosModules: ["cli"] });
  h.driver.calls.length = 0;
  const res = await addModule(h.ctx, "a", "github:acme/tools", [], {});
  deepEqual(res, { machine: "a", added: ["tools-cli"], status: "UpToDate" });
  deepEqual(h.driver.calls.slice(0, 3), [
    "store ensureRunning",
    "store nix eval", // nixosModules
    "store nix eval", // codchiModules (absent: not an error)
  ]);
  ok(h.driver.calls.includes("store nix build"));
  deepEqual(await listModules(h.ctx, "a"), [
    {
      name: "dev-default",
      url: "https://github.com/acme/dev",
      flake_module: "nixosModules.default",
    },
    { name: "tools-cli", url: "https://github.com/acme/tools", flake_module: "nixosModules.cli" },
  ]);
  match(await Deno.readTextFile(machinePaths(h.paths, "a").flake), /github:acme\/tools/);
});

Deno.test("module add: several modules and no terminal is a UsageError naming them; nothing saved", async () => {
  await using h = await fakeHost();
  await init(h);
  h.driver.flakes.set("github:acme/tools", { nixosModules: ["a", "b"] });
  const before = await Deno.readTextFile(machinePaths(h.paths, "a").file);
  await rejects(
    addModule(h.ctx, "a", "github:acme/tools", [], {}),
    (e) => e instanceof UsageError && /nixosModules\.a, nixosModules\.b/.test(e.message),
  );
  equal(await Deno.readTextFile(machinePaths(h.paths, "a").file), before);
});

Deno.test("module add: a flake nix cannot read is a ToolError with a hint", async () => {
  await using h = await fakeHost();
  await init(h);
  await rejects(
    addModule(h.ctx, "a", "github:acme/missing", [], {}),
    (e) =>
      e instanceof ToolError && /Could not read the modules/.test(e.message) &&
      /--auth/.test(e.hint ?? ""),
  );
});

Deno.test("module set/delete: rename, path change, removal; --no-build leaves Modified", async () => {
  await using h = await fakeHost();
  await init(h);
  h.driver.calls.length = 0;
  const set = await setModule(h.ctx, "a", "dev-default", {
    newName: "dev",
    modulePath: "base",
    build: false,
  });
  deepEqual(set, {
    machine: "a",
    name: "dev",
    url: "https://github.com/acme/dev",
    flake_module: "nixosModules.base",
    status: "Modified",
  });
  deepEqual(h.driver.calls, [], "--no-build: no driver call");
  await rejects(setModule(h.ctx, "a", "nope", { build: false }), NotFoundError);
  await rejects(setModule(h.ctx, "a", "dev", { newName: "9bad", build: false }), UsageError);
  const del = await deleteModule(h.ctx, "a", "dev", { build: false });
  deepEqual(del, { machine: "a", removed: "dev", status: "Modified" });
  deepEqual(await listModules(h.ctx, "a"), []);
  await rejects(deleteModule(h.ctx, "a", "dev", { build: false }), NotFoundError);
});
