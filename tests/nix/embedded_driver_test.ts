/**
 * The default driver flake (codchi's own `nix/`, no CODCHI_DRIVER_FLAKE) with the host's real
 * nix, offline: codchi copies it content-addressed where the store sees it, the machine flake it
 * writes references that copy as a `path:` input, and `nix flake lock` / `nix eval` of the
 * machine flake succeed with `--override-input codchi_driver/nixpkgs` pointing at a stand-in
 * nixpkgs: nixpkgs' real `lib` (../shared/nixpkgs-lib) plus a `nixosSystem` that returns its
 * arguments. What is evaluated: the machine flake, the driver flake's `lib.codeMachine` (driver
 * assertion, module list). NOT evaluated: the NixOS modules themselves (that needs nixpkgs).
 */
import { equal, match, ok } from "node:assert/strict";
import { computePaths } from "../../src/config/paths.ts";
import type { MachineConfig } from "../../src/config/schema.ts";
import type { Driver } from "../../src/driver/types.ts";
import {
  driverFlakeUrl,
  driverId,
  driverSource,
  embeddedDriverDir,
  machineFlakeText,
  treeHash,
} from "../../src/core/flake.ts";
import { copyTree } from "../../src/core/files.ts";
import { REPO } from "../support/cli.ts";

const LIB = `${REPO}/../shared/nixpkgs-lib/lib`;
const haveLib = await Deno.stat(`${LIB}/default.nix`).then(() => true, () => false);
const nixOk = await new Deno.Command("nix", { args: ["--version"], stdout: "null", stderr: "null" })
  .output().then((o) => o.success, () => false);
const ignore = !haveLib || !nixOk;
if (ignore) console.warn(`SKIPPED embedded driver flake test: needs nix and ${LIB}`);

async function nix(args: string[], home: string) {
  const o = await new Deno.Command("nix", {
    args: [
      "--extra-experimental-features",
      "nix-command flakes",
      "--option",
      "substituters",
      "",
      "--option",
      "flake-registry",
      `${home}/registry.json`,
      ...args,
    ],
    env: { HOME: home, NIX_CONFIG: "substituters =" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: o.code, out: d.decode(o.stdout), err: d.decode(o.stderr) };
}

Deno.test(
  { name: "default driver flake: embedded copy, path: input, lock + eval offline", ignore },
  async () => {
    const root = await Deno.makeTempDir({ prefix: "codchi-embedded-" });
    try {
      await Deno.writeTextFile(`${root}/registry.json`, '{"flakes":[],"version":2}');
      const paths = computePaths("linux", { HOME: root });
      // The store sees the host's config dir at the same path here (as the LXD mount does).
      const driver = {
        name: "lxd",
        nixosModule: "lxd",
        store: { view: { configDir: paths.configDir, machineHome: (m: string) => `/h/${m}` } },
      } as unknown as Driver;
      equal(driverSource({}).kind, "folder");
      const url = await driverFlakeUrl({}, paths, driver);
      const hash = await treeHash(embeddedDriverDir());
      equal(url, `path:${paths.configDir}/driver-flake-${hash.slice(0, 16)}`);
      const copy = url.slice("path:".length);
      equal(await treeHash(copy), hash, "the copy is codchi's own nix/ exactly");
      equal(await driverId(driverSource({})), `sha256:${hash}`);
      equal(await driverFlakeUrl({}, paths, driver), url, "the same contents: the same copy");

      const flakeNix = await Deno.readTextFile(`${copy}/flake.nix`);
      match(
        flakeNix,
        /nixpkgs\.url = "github:NixOS\/nixpkgs\/[0-9a-f]{40}"/,
        "nixpkgs pinned by revision",
      );

      const cfg: MachineConfig = {
        version: 1,
        name: "demo",
        nixpkgsFrom: "local",
        modules: [],
        createdAt: "2026-01-01T00:00:00Z",
      };
      const machineDir = `${paths.machinesDir}/demo`;
      await Deno.mkdir(machineDir, { recursive: true });
      const text = machineFlakeText(cfg, driver, url);
      ok(text.includes(`codchi_driver.url = "${url}"`), text);
      await Deno.writeTextFile(`${machineDir}/flake.nix`, text);

      // The stand-in nixpkgs: the real lib, and a nixosSystem that hands back its arguments.
      const standin = `${root}/nixpkgs-standin`;
      await copyTree(LIB, `${standin}/lib`);
      await Deno.writeTextFile(
        `${standin}/flake.nix`,
        `{ outputs = { self }: { lib = (import ./lib) // {
           nixosSystem = args: { standin = true; inherit (args) modules; }; }; }; }\n`,
      );
      const override = ["--override-input", "codchi_driver/nixpkgs", `path:${standin}`];
      const lock = await nix(["flake", "lock", `path:${machineDir}`, ...override], root);
      equal(lock.code, 0, lock.err);
      const locked = JSON.parse(await Deno.readTextFile(`${machineDir}/flake.lock`));
      const drvNode = locked.nodes[locked.nodes.root.inputs.codchi_driver];
      equal(drvNode.locked.type, "path");
      equal(drvNode.locked.path, copy);

      const ev = (attr: string, apply?: string) =>
        nix([
          "eval",
          "--json",
          `path:${machineDir}#nixosConfigurations.default.${attr}`,
          ...override,
          ...(apply ? ["--apply", apply] : []),
        ], root);
      const standinOk = await ev("standin");
      equal(standinOk.code, 0, standinOk.err);
      equal(standinOk.out.trim(), "true");
      // codeMachine's modules: the driver module, then driver name and platform.
      const second = await ev("modules", "ms: (builtins.elemAt ms 1).codchi.driver.name");
      equal(second.code, 0, second.err);
      equal(JSON.parse(second.out), "lxd");
      const count = await ev("modules", "builtins.length");
      equal(JSON.parse(count.out), 2, "a base machine: the driver and its settings, no modules");
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
);
