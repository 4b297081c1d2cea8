import { deepStrictEqual, equal, throws } from "node:assert/strict";
import { ToolError, UsageError } from "../../src/errors.ts";
import {
  buildSystemArgv,
  discoverModulesArgv,
  flakeMetadataArgv,
  lockArgv,
  machineFlakeRef,
  NIX_FEATURES,
  NIX_PROGRESS,
  readSecretsArgv,
  storeGcArgv,
  switchToConfigurationArgv,
  updateLockArgv,
  wipeHistoryArgv,
} from "../../src/nix/argv.ts";
import {
  parseDeclaredSecrets,
  parseFlakeMetadata,
  parseModuleNames,
} from "../../src/nix/metadata.ts";

const PRE = ["nix", ...NIX_FEATURES, ...NIX_PROGRESS];
const REF = "path:/config/machines/java";

Deno.test("argv builders: exact argv", () => {
  deepStrictEqual(discoverModulesArgv("github:acme/app"), [
    ...PRE,
    "eval",
    "--json",
    "--no-write-lock-file",
    "github:acme/app#nixosModules",
    "--apply",
    "builtins.attrNames",
  ]);
  deepStrictEqual(
    discoverModulesArgv("github:acme/app", "codchiModules").at(-3),
    "github:acme/app#codchiModules",
  );
  deepStrictEqual(flakeMetadataArgv("github:a/b"), [
    ...PRE,
    "flake",
    "metadata",
    "--json",
    "--no-write-lock-file",
    "github:a/b",
  ]);
  deepStrictEqual(lockArgv(REF), [...PRE, "flake", "lock", REF]);
  deepStrictEqual(updateLockArgv(REF), [...PRE, "flake", "update", REF]);
  deepStrictEqual(updateLockArgv(REF, ["app", "codchi_driver"]), [
    ...PRE,
    "flake",
    "lock",
    REF,
    "--update-input",
    "app",
    "--update-input",
    "codchi_driver",
  ]);
  deepStrictEqual(buildSystemArgv(REF, "/profiles/java/system"), [
    ...PRE,
    "build",
    "--no-link",
    "--profile",
    "/profiles/java/system",
    `${REF}#nixosConfigurations.default.config.system.build.toplevel`,
  ]);
  deepStrictEqual(
    buildSystemArgv(REF, "/p", { frozenLock: true }).slice(PRE.length, PRE.length + 3),
    [
      "build",
      "--no-link",
      "--no-update-lock-file",
    ],
  );
  deepStrictEqual(wipeHistoryArgv("/p/system"), [
    ...PRE,
    "profile",
    "wipe-history",
    "--profile",
    "/p/system",
  ]);
  deepStrictEqual(wipeHistoryArgv("/p/system", 30).slice(-2), ["--older-than", "30d"]);
  deepStrictEqual(storeGcArgv(), [...PRE, "store", "gc"]);
  deepStrictEqual(readSecretsArgv(REF), [
    ...PRE,
    "eval",
    "--json",
    `${REF}#nixosConfigurations.default.config.codchi.internal.declaredSecrets`,
  ]);
  deepStrictEqual(switchToConfigurationArgv(), [
    "/nix/var/nix/profiles/system/bin/switch-to-configuration",
    "switch",
  ]);
});

Deno.test("argv builders: options and binary", () => {
  const argv = storeGcArgv({
    nix: "/bin/nix",
    options: { substituters: "", "flake-registry": "/r.json" },
  });
  deepStrictEqual(argv, [
    "/bin/nix",
    ...NIX_FEATURES,
    ...NIX_PROGRESS,
    "--option",
    "flake-registry",
    "/r.json",
    "--option",
    "substituters",
    "",
    "store",
    "gc",
  ]);
  // every builder turns experimental features on
  for (const a of [lockArgv(REF), readSecretsArgv(REF), flakeMetadataArgv(REF)]) {
    equal(a.indexOf("--extra-experimental-features") >= 0, true);
    equal(a[a.indexOf("--extra-experimental-features") + 1], "nix-command flakes");
  }
});

Deno.test("argv builders: bad input", () => {
  for (const d of [0, -1, 1.5, NaN]) throws(() => wipeHistoryArgv("/p", d), UsageError, String(d));
  throws(() => updateLockArgv(REF, ["a/b"]));
  throws(() => updateLockArgv(REF, ["--x"]));
  throws(() => machineFlakeRef("relative"));
  equal(machineFlakeRef("/config/machines/x/"), "path:/config/machines/x");
});

Deno.test("parseFlakeMetadata: real nix 2.8 output", async () => {
  const text = await Deno.readTextFile(new URL("./fixtures/metadata.out", import.meta.url));
  const m = parseFlakeMetadata(text);
  equal(m.hasNixpkgs, true);
  deepStrictEqual(m.inputs, ["nixpkgs"]);
  equal(typeof m.lastModified, "number");
  equal(m.url.startsWith("path:/tmp/codchi-fixture/mod?"), true);
});

Deno.test("parseFlakeMetadata: follows, no inputs, bad JSON", () => {
  const follows = JSON.stringify({
    url: "github:a/b/123",
    revision: "123",
    locks: { root: "root", nodes: { root: { inputs: { nixpkgs: ["x", "nixpkgs"], x: "x" } } } },
  });
  deepStrictEqual(parseFlakeMetadata(follows), {
    url: "github:a/b/123",
    revision: "123",
    inputs: ["nixpkgs", "x"],
    hasNixpkgs: true,
  });
  equal(
    parseFlakeMetadata(JSON.stringify({ url: "u", locks: { nodes: { root: {} } } })).hasNixpkgs,
    false,
  );
  throws(() => parseFlakeMetadata("not json"), ToolError);
  throws(() => parseFlakeMetadata("[]"), ToolError);
});

Deno.test("parseModuleNames: real eval output and bad input", async () => {
  const text = await Deno.readTextFile(new URL("./fixtures/eval-modules.out", import.meta.url));
  deepStrictEqual(parseModuleNames(text), ["jvm", "x.y"]);
  throws(() => parseModuleNames('{"a":1}'), ToolError);
  throws(() => parseModuleNames("[1]"), ToolError);
});

Deno.test("parseDeclaredSecrets: variables, sorting, validation", () => {
  const text = JSON.stringify([
    { name: "b.token", description: "B" },
    { name: "A_KEY", description: "" },
    { name: "x:y-z", description: "dashes" },
  ]);
  deepStrictEqual(parseDeclaredSecrets(text), [
    { name: "A_KEY", description: "", variable: "CODCHI_A_KEY" },
    { name: "b.token", description: "B", variable: "CODCHI_b_token" },
    { name: "x:y-z", description: "dashes", variable: "CODCHI_x_y_z" },
  ]);
  deepStrictEqual(parseDeclaredSecrets("[]"), []);
  throws(() => parseDeclaredSecrets(JSON.stringify([{ name: "a b", description: "" }])), ToolError);
  throws(() => parseDeclaredSecrets(JSON.stringify([{ name: "a" }])), ToolError);
  throws(() => parseDeclaredSecrets("{}"), ToolError);
});
