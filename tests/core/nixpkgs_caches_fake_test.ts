/**
 * nixpkgs choice, `module set --url` keeping ref and token, and binary caches, through the core
 * with the fake driver (real flake rendering, real machine.json, the store's nix argv recorded).
 */
import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { machinePaths } from "../../src/config/paths.ts";
import { initMachine } from "../../src/core/lifecycle.ts";
import { addModule, setModule } from "../../src/core/modules.ts";
import { UsageError } from "../../src/errors.ts";
import { TOKEN_SCOPE } from "../../src/secrets/types.ts";
import { type FakeHost, fakeHost, ScriptedPrompter } from "../support/fake_core.ts";

const KEY = `team.example.org-1:${btoa("k".repeat(32))}`;

/** An empty machine "a", not built. */
async function empty(h: FakeHost) {
  await initMachine(h.ctx, {
    name: "a",
    modulePaths: [],
    input: { dontPrompt: true, build: false },
    runInit: false,
  });
}

const cfgOf = async (h: FakeHost) =>
  JSON.parse(await Deno.readTextFile(machinePaths(h.paths, "a").file));
const flakeOf = (h: FakeHost) => Deno.readTextFile(machinePaths(h.paths, "a").flake);

/** Records the argv of every command run in the fake store. */
function recordStore(h: FakeHost): string[][] {
  const seen: string[][] = [];
  const run = h.driver.store.run.bind(h.driver.store);
  h.driver.store.run = (argv, opts) => {
    seen.push(argv);
    return run(argv, opts);
  };
  return seen;
}

Deno.test("nixpkgs: module add takes the module's own when its flake has one; -p changes it", async () => {
  await using h = await fakeHost();
  await empty(h);
  h.driver.flakes.set("github:acme/np", { nixosModules: ["x"], nixpkgs: true });
  h.driver.flakes.set("github:acme/plain", { nixosModules: ["y"] });
  await addModule(h.ctx, "a", "github:acme/np", ["x"], { dontPrompt: true, build: false });
  equal((await cfgOf(h)).nixpkgsFrom, "np-x");
  match(await flakeOf(h), /nixpkgs = inputs\.np-x\.inputs\.nixpkgs;/);
  ok(!(await flakeOf(h)).includes("np-x.inputs.nixpkgs.follows"));
  ok(h.reporter.steps.some((s) => /Using the nixpkgs of https:\/\/github\.com\/acme\/np/.test(s)));
  // A second module keeps the machine's choice (auto never moves it away from a module).
  await addModule(h.ctx, "a", "github:acme/plain", ["y"], { dontPrompt: true, build: false });
  equal((await cfgOf(h)).nixpkgsFrom, "np-x");
  // module set -p is honoured both ways.
  await setModule(h.ctx, "a", "np-x", { useNixpkgs: "local", build: false });
  equal((await cfgOf(h)).nixpkgsFrom, "local");
  match(await flakeOf(h), /np-x\.inputs\.nixpkgs\.follows = "codchi_driver\/nixpkgs";/);
  match(await flakeOf(h), /plain-y\.inputs\.nixpkgs\.follows = "codchi_driver\/nixpkgs";/);
  await setModule(h.ctx, "a", "np-x", { useNixpkgs: "remote", build: false });
  equal((await cfgOf(h)).nixpkgsFrom, "np-x");
  // remote on a flake without a nixpkgs input: refused, nothing changes.
  const before = await Deno.readTextFile(machinePaths(h.paths, "a").file);
  await rejects(
    setModule(h.ctx, "a", "plain-y", { useNixpkgs: "remote", build: false }),
    (e: Error) => e instanceof UsageError && /has no nixpkgs input/.test(e.message),
  );
  equal(await Deno.readTextFile(machinePaths(h.paths, "a").file), before);
});

Deno.test("module set --url: ref asked (no terminal: error), -y keeps it, 'no' drops it", async () => {
  await using h = await fakeHost();
  await empty(h);
  await addModule(h.ctx, "a", "https://git.a.org/team/app", ["x"], {
    dontPrompt: true,
    build: false,
    branch: "dev",
  });
  const file = machinePaths(h.paths, "a").file;
  const before = await Deno.readTextFile(file);
  await rejects(
    setModule(h.ctx, "a", "app-x", { url: "https://git.a.org/team/app2", build: false }),
    (e: Error) => e instanceof UsageError && /keep the branch\/tag "dev"/.test(e.message),
  );
  equal(await Deno.readTextFile(file), before, "a refused set changed nothing");
  await setModule(h.ctx, "a", "app-x", {
    url: "https://git.a.org/team/app2",
    dontPrompt: true,
    build: false,
  });
  deepEqual((await cfgOf(h)).modules[0].source, {
    kind: "git",
    host: "git.a.org",
    path: "/team/app2",
    ref: "dev",
  });
  // On a terminal, "no" drops it.
  const no = new ScriptedPrompter(true, { confirm: [false] });
  await setModule({ ...h.ctx, prompter: no }, "a", "app-x", {
    url: "https://git.a.org/team/app3",
    build: false,
  });
  equal((await cfgOf(h)).modules[0].source.ref, undefined);
  match(no.asked[0], /keep the branch\/tag "dev"/);
});

Deno.test("module set --url to another host: the old host's token is offered, -y copies it", async () => {
  await using h = await fakeHost();
  await empty(h);
  await h.secrets.set(TOKEN_SCOPE, "git.a.org", "oauth2:tok-a");
  await addModule(h.ctx, "a", "https://git.a.org/team/app", ["x"], {
    dontPrompt: true,
    build: false,
  });
  await rejects(
    setModule(h.ctx, "a", "app-x", { url: "https://git.b.org/team/app", build: false }),
    (e: Error) => e instanceof UsageError && /use the token stored for git\.a\.org/.test(e.message),
  );
  equal(await h.secrets.get(TOKEN_SCOPE, "git.b.org"), undefined);
  await setModule(h.ctx, "a", "app-x", {
    url: "https://git.b.org/team/app",
    dontPrompt: true,
    build: false,
  });
  equal(await h.secrets.get(TOKEN_SCOPE, "git.b.org"), "oauth2:tok-a");
});

Deno.test("caches: a module's nixConfig cache is offered once; -y never accepts it", async () => {
  await using h = await fakeHost();
  await empty(h);
  const nixConfig = {
    "extra-substituters": ["https://cache.team.org"],
    "extra-trusted-public-keys": [KEY],
  };
  h.driver.flakes.set("github:acme/c1", { nixosModules: ["x"], nixConfig });
  h.driver.flakes.set("github:acme/c2", { nixosModules: ["y"], nixConfig });
  h.driver.flakes.set("github:acme/c3", { nixosModules: ["z"], nixConfig });
  await addModule(h.ctx, "a", "github:acme/c1", ["x"], { dontPrompt: true, build: false });
  equal((await cfgOf(h)).caches, undefined);
  ok(h.reporter.warnings.some((w) => /https:\/\/cache\.team\.org; not used \(-y never/.test(w)));
  // On a terminal: asked, declined, remembered; not asked again.
  const no = new ScriptedPrompter(true, { confirm: [false] });
  await addModule({ ...h.ctx, prompter: no }, "a", "github:acme/c2", ["y"], { build: false });
  match(no.asked[0], /binary cache https:\/\/cache\.team\.org \(signed by team\.example\.org-1/);
  deepEqual((await cfgOf(h)).caches, {
    accepted: [],
    trustedPublicKeys: [],
    declined: ["https://cache.team.org"],
  });
  const silent = new ScriptedPrompter(true, {});
  await addModule({ ...h.ctx, prompter: silent }, "a", "github:acme/c3", ["z"], { build: false });
  deepEqual(silent.asked, [], "a declined cache is not offered again");
});

Deno.test("caches: accepted ones and config.json's reach every nix command of the build", async () => {
  await using h = await fakeHost();
  h.config.nix = {
    substituters: ["https://team.example.org"],
    trustedPublicKeys: [KEY],
    stallMinutes: 30,
  };
  await empty(h);
  h.driver.flakes.set("github:acme/c1", {
    nixosModules: ["x"],
    nixConfig: { substituters: "https://mod.example.org", "trusted-public-keys": [KEY] },
  });
  const yes = new ScriptedPrompter(true, { confirm: [true] });
  const seen = recordStore(h);
  await addModule({ ...h.ctx, prompter: yes }, "a", "github:acme/c1", ["x"], {});
  deepEqual((await cfgOf(h)).caches, {
    accepted: ["https://mod.example.org"],
    trustedPublicKeys: [KEY],
    declined: [],
  });
  const build = seen.find((a) => a.includes("build"))!;
  ok(build, "a build ran");
  const at = build.indexOf("extra-substituters");
  equal(build[at - 1], "--option");
  equal(build[at + 1], "https://team.example.org https://mod.example.org");
  equal(build[build.indexOf("extra-trusted-public-keys") + 1], KEY);
  // The module's flake is read with config.json's caches too (not the machine's: not yet known).
  const meta = seen.find((a) => a.includes("metadata"))!;
  equal(meta[meta.indexOf("extra-substituters") + 1], "https://team.example.org");
});

Deno.test("caches: module set --url offers the new flake's caches like module add", async () => {
  await using h = await fakeHost();
  await empty(h);
  h.driver.flakes.set("github:acme/plain", { nixosModules: ["x"] });
  h.driver.flakes.set("github:acme/cached", {
    nixosModules: ["x"],
    nixConfig: { "extra-substituters": ["https://cache.team.org"], "trusted-public-keys": [KEY] },
  });
  await addModule(h.ctx, "a", "github:acme/plain", ["x"], { dontPrompt: true, build: false });
  equal((await cfgOf(h)).caches, undefined);
  // -y: named as not used, nothing remembered.
  await setModule(h.ctx, "a", "plain-x", {
    url: "github:acme/cached",
    dontPrompt: true,
    build: false,
  });
  ok(h.reporter.warnings.some((w) => /https:\/\/cache\.team\.org; not used \(-y never/.test(w)));
  equal((await cfgOf(h)).caches, undefined);
  // On a terminal: asked once, accepted with the module's key.
  const yes = new ScriptedPrompter(true, { confirm: [true] });
  await setModule({ ...h.ctx, prompter: yes }, "a", "plain-x", {
    url: "github:acme/cached",
    build: false,
  });
  match(yes.asked.at(-1)!, /binary cache https:\/\/cache\.team\.org/);
  deepEqual((await cfgOf(h)).caches, {
    accepted: ["https://cache.team.org"],
    trustedPublicKeys: [KEY],
    declined: [],
  });
  // A change that is not a new source (a rename) asks nothing.
  const silent = new ScriptedPrompter(true, {});
  await setModule({ ...h.ctx, prompter: silent }, "a", "plain-x", { newName: "m", build: false });
  deepEqual(silent.asked, []);
});
