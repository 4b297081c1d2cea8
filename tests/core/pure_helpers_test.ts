/** Pure core helpers: configStatus, clone planning, gc summary, nix command names. */
import assert from "node:assert/strict";
import { configStatus, remoteRows } from "../../src/core/status.ts";
import { cloneArgv, cloneDir, localModules } from "../../src/core/clone.ts";
import { parseGcSummary } from "../../src/core/gc.ts";
import { nixCommandName } from "../../src/core/nix_ops.ts";
import type { Built, Module } from "../../src/config/schema.ts";
import { UsageError } from "../../src/errors.ts";

const built: Built = {
  version: 1,
  flakeHash: "f1",
  lockHash: "l1",
  system: "/nix/store/x",
  builtAt: "t",
};

Deno.test("configStatus: NotInstalled, Modified, UpdatesAvailable, UpToDate", () => {
  assert.equal(configStatus(undefined, true, "f1", "l1"), "NotInstalled");
  assert.equal(configStatus(built, false, "f1", "l1"), "NotInstalled");
  assert.equal(configStatus(built, true, "f2", "l1"), "Modified");
  assert.equal(configStatus(built, true, "f2", "l2"), "Modified");
  assert.equal(configStatus(built, true, "f1", "l2"), "UpdatesAvailable");
  assert.equal(configStatus(built, true, "f1", ""), "UpdatesAvailable");
  assert.equal(configStatus(built, true, "f1", "l1"), "UpToDate");
});

Deno.test("remoteRows: a remote machine's home is on the remote, local rows unchanged", () => {
  const rows = [{ name: "a", status: "UpToDate" as const, running: true, home: "/h/a" }];
  assert.deepEqual(remoteRows(rows, undefined), rows);
  assert.deepEqual(remoteRows(rows, "build"), [
    { name: "a", status: "UpToDate", running: true, home: "build:/home/codchi", remote: "build" },
  ]);
});

Deno.test("configStatus: built with another driver flake than this codchi's = UpdatesAvailable", () => {
  const b = { ...built, driver: "sha256:old" };
  assert.equal(configStatus(b, true, "f1", "l1", "sha256:new"), "UpdatesAvailable");
  assert.equal(configStatus(b, true, "f1", "l1", "sha256:old"), "UpToDate");
  assert.equal(configStatus(b, true, "f2", "l1", "sha256:new"), "Modified", "a flake edit first");
  // Unknown on either side (a record from before drivers were recorded): no claim.
  assert.equal(configStatus(built, true, "f1", "l1", "sha256:new"), "UpToDate");
  assert.equal(configStatus(b, true, "f1", "l1"), "UpToDate");
});

Deno.test("cloneDir: --dir or the repo name; unsafe folders refused", () => {
  assert.equal(cloneDir("https://github.com/acme/app"), "app");
  assert.equal(cloneDir("https://github.com/acme/app.git"), "app");
  assert.equal(cloneDir("https://github.com/acme/app/"), "app");
  assert.equal(cloneDir("https://github.com/acme/app?ref=x#frag"), "app");
  assert.equal(cloneDir("git@host:acme/tool.git"), "tool");
  assert.equal(cloneDir("https://x/y", "src/work"), "src/work");
  for (const dir of ["/etc", "~/x", "../out", "a/../../b", "a\0b"]) {
    assert.throws(() => cloneDir("https://x/y", dir), UsageError, dir);
  }
  assert.throws(() => cloneDir("https://x/.."), UsageError);
});

Deno.test("cloneArgv: git options, branch or tag, then -- url dir", () => {
  const git = { singleBranch: false, recurseSubmodules: false, shallowSubmodules: false };
  assert.deepEqual(cloneArgv("https://x/y", "y", git, {}), [
    "git",
    "clone",
    "--quiet",
    "--",
    "https://x/y",
    "y",
  ]);
  assert.deepEqual(
    cloneArgv(
      "https://x/y",
      "d",
      { depth: 1, singleBranch: true, recurseSubmodules: true, shallowSubmodules: true },
      { branch: "dev" },
    ),
    [
      "git",
      "clone",
      "--quiet",
      "--depth",
      "1",
      "--single-branch",
      "--recurse-submodules",
      "--shallow-submodules",
      "--branch",
      "dev",
      "--",
      "https://x/y",
      "d",
    ],
  );
  assert.deepEqual(cloneArgv("-x", "d", git, { tag: "v1" }), [
    "git",
    "clone",
    "--quiet",
    "--branch",
    "v1",
    "--",
    "-x",
    "d",
  ]);
});

Deno.test("localModules switches only the modules of that source to the checkout", () => {
  const remote: Module["source"] = { kind: "forge", forge: "github", owner: "acme", repo: "app" };
  const other: Module["source"] = { kind: "git", host: "example.org", path: "x" };
  const mods: Module[] = [
    { name: "app", source: remote, modulePath: "nixosModules.dev" },
    { name: "app-jvm", source: { ...remote }, modulePath: "nixosModules.jvm" },
    { name: "tools", source: other, modulePath: "nixosModules.cli" },
  ];
  const out = localModules(mods, remote, "app");
  assert.deepEqual(out[0].source, { kind: "local", path: "app", scheme: "git" });
  assert.deepEqual(out[1].source, { kind: "local", path: "app", scheme: "git" });
  assert.equal(out[1].modulePath, "nixosModules.jvm");
  assert.deepEqual(out[2], mods[2]);
  assert.deepEqual(mods[0].source, remote, "input was mutated");
});

Deno.test("parseGcSummary", () => {
  assert.deepEqual(parseGcSummary("deleting x\n42 store paths deleted, 1.50 GiB freed\n"), {
    paths: 42,
    freed: "1.50 GiB",
  });
  assert.deepEqual(parseGcSummary("0 store paths deleted, 0.00 MiB freed"), {
    paths: 0,
    freed: "0.00 MiB",
  });
  assert.equal(parseGcSummary("nothing to do"), undefined);
});

Deno.test("nixCommandName skips options and values", () => {
  assert.equal(nixCommandName(["nix", "--log-format", "internal-json", "build", "x"]), "nix build");
  assert.equal(nixCommandName(["nix", "flake", "update", "--flake", "x"]), "nix flake update");
  assert.equal(nixCommandName(["nix", "flake", "--refresh"]), "nix flake");
  assert.equal(nixCommandName(["nix", "store", "gc"]), "nix store gc");
  assert.equal(nixCommandName(["nix", "profile", "wipe-history"]), "nix profile wipe-history");
  assert.equal(nixCommandName(["nix", "eval", "--json", "x"]), "nix eval");
  assert.equal(nixCommandName(["nix-collect-garbage"]), "nix");
});
