/**
 * Rendered flakes and the argv builders, run for real with this machine's nix, offline:
 * a stand-in `codchi_driver` flake (no nixpkgs), stand-in nixpkgs flakes and local module flakes.
 * Needs a nix that can write its store; skips with a message otherwise.
 */
import { deepStrictEqual, equal, match } from "node:assert/strict";
import {
  buildSystemArgv,
  discoverModulesArgv,
  flakeMetadataArgv,
  lockArgv,
  machineFlakeRef,
  type NixOptions,
  readSecretsArgv,
  updateLockArgv,
  wipeHistoryArgv,
} from "../../src/nix/argv.ts";
import { inputName, type MachineFlakeSpec, renderMachineFlake } from "../../src/nix/flake.ts";
import {
  parseDeclaredSecrets,
  parseFlakeMetadata,
  parseModuleNames,
} from "../../src/nix/metadata.ts";
import { NixLogParser } from "../../src/nix/progress.ts";
import { flakeUrl, parseModuleUrl } from "../../src/nix/url.ts";

const work = await Deno.makeTempDir({ prefix: "codchi-nix-eval-" });
// Removed when this file's tests end (not a "test" that asserts nothing).
globalThis.addEventListener("unload", () => Deno.removeSync(work, { recursive: true }));
const registry = `${work}/registry.json`;
await Deno.writeTextFile(registry, '{"flakes":[],"version":2}');
const OPTS: NixOptions = {
  options: {
    substituters: "",
    "flake-registry": registry,
    sandbox: "false",
    "build-users-group": "",
  },
};

async function nix(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const o = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdout: "piped",
    stderr: "piped",
    env: { NIX_CONFIG: "substituters =", HOME: work },
  }).output().catch(() => undefined);
  if (!o) return { code: 127, out: "", err: "nix not found" };
  const d = new TextDecoder();
  return { code: o.code, out: d.decode(o.stdout), err: d.decode(o.stderr) };
}

async function usable(): Promise<string | undefined> {
  const r = await nix([
    "nix",
    "--extra-experimental-features",
    "nix-command",
    "--option",
    "substituters",
    "",
    "eval",
    "--expr",
    "1 + 1",
  ]);
  return r.code === 0 && r.out.trim() === "2" ? undefined : r.err.trim().split("\n").pop();
}

const problem = await usable();
if (problem) {
  console.warn(`SKIPPED tests/nix/nix_eval_test.ts: nix cannot evaluate here (${problem}).`);
}

async function write(path: string, text: string): Promise<void> {
  await Deno.mkdir(path.replace(/\/[^/]*$/, ""), { recursive: true });
  await Deno.writeTextFile(path, text);
}

const DRIVER = `{
  inputs.nixpkgs.url = "path:${work}/pinned-nixpkgs";
  outputs = { self, nixpkgs }: {
    lib.codeMachine = { driver, system, nixpkgs, modules }:
      let
        report = builtins.toJSON { inherit driver system; nixpkgs = nixpkgs.marker; modules = map (m: m.tag) modules; };
      in {
        config.system.build.toplevel = builtins.derivation {
          name = "stand-in-system";
          inherit system;
          builder = "/bin/sh";
          args = [ "-c" "echo '\${report}' > $out" ];
        };
        config.codchi.internal.declaredSecrets = builtins.concatMap (m: m.secrets or [ ]) modules;
      };
  };
}
`;

const nixpkgsFlake = (marker: string) => `{ outputs = { self }: { marker = "${marker}"; }; }\n`;

const moduleFlake = (tag: string, attr: string, secrets = "[ ]", nixpkgs = "remote-nixpkgs") =>
  `{
  inputs.nixpkgs.url = "path:${work}/${nixpkgs}";
  outputs = { self, nixpkgs }: {
    nixosModules.${
    JSON.stringify(attr)
  } = { tag = "${tag}:\${nixpkgs.marker}"; secrets = ${secrets}; };
    nixosModules.other = { tag = "other"; };
  };
}
`;

async function setup(): Promise<void> {
  await write(`${work}/pinned-nixpkgs/flake.nix`, nixpkgsFlake("pinned"));
  await write(`${work}/remote-nixpkgs/flake.nix`, nixpkgsFlake("remote"));
  await write(`${work}/other-nixpkgs/flake.nix`, nixpkgsFlake("other"));
  await write(`${work}/driver/flake.nix`, DRIVER);
  const home = `${work}/home`;
  await write(
    `${home}/projects/app/flake.nix`,
    moduleFlake("app", "jvm", '[ { name = "GH_TOKEN"; description = "token"; } ]'),
  );
  await write(`${home}/odd/flake.nix`, moduleFlake("odd", "x.y"));
  await write(`${home}/gitmod/flake.nix`, moduleFlake("git", "default", "[ ]", "other-nixpkgs"));
  const git = (...a: string[]) =>
    new Deno.Command("git", {
      args: ["-C", `${home}/gitmod`, ...a],
      env: {
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@e",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@e",
      },
      stdout: "null",
      stderr: "null",
    }).output();
  await git("init", "-q");
  await git("add", "flake.nix");
  await git("commit", "-qm", "module");
}

function spec(nixpkgsFrom?: string): MachineFlakeSpec {
  const home = `${work}/home`;
  return {
    machine: "eval",
    driver: "lxd",
    system: "x86_64-linux",
    driverUrl: `path:${work}/driver`,
    localRoot: home,
    nixpkgsFrom,
    modules: [
      {
        name: "app",
        source: parseModuleUrl("projects/app", { localScheme: "path" }),
        module: "nixosModules.jvm",
      },
      {
        name: "my.module",
        source: parseModuleUrl("odd", { localScheme: "path" }),
        module: "nixosModules.x.y",
      },
      { name: "if", source: parseModuleUrl("gitmod"), module: "nixosModules.default" },
    ],
  };
}

Deno.test({
  name: "rendered flakes lock, build into a profile, and expose the declared secrets",
  ignore: problem !== undefined,
  sanitizeResources: false,
  async fn() {
    await setup();
    const dir = `${work}/machine`;
    await write(`${dir}/flake.nix`, renderMachineFlake(spec()));
    const ref = machineFlakeRef(dir);

    const lock = await nix(lockArgv(ref, OPTS));
    equal(lock.code, 0, lock.err);
    const lockText = await Deno.readTextFile(`${dir}/flake.lock`);
    for (const name of ["app", "my.module", "if"]) {
      match(lockText, new RegExp(`"${inputName(name)}"`));
    }
    equal(lockText.includes("remote-nixpkgs"), false, "modules follow codchi's nixpkgs");

    const profile = `${work}/profiles/system`;
    await Deno.mkdir(`${work}/profiles`); // nix build --profile needs the folder to exist
    const build = await nix(buildSystemArgv(ref, profile, OPTS));
    equal(build.code, 0, build.err);
    const parser = new NixLogParser();
    parser.feed(build.err);
    parser.end();
    deepStrictEqual(parser.errors, []);
    equal(parser.progress.builds.done, parser.progress.builds.total);
    const report = JSON.parse(await Deno.readTextFile(profile));
    deepStrictEqual(report, {
      driver: "lxd",
      system: "x86_64-linux",
      nixpkgs: "pinned",
      // sorted by module name: "app", "if", "my.module"
      modules: ["app:pinned", "git:pinned", "odd:pinned"],
    });

    const secrets = await nix(readSecretsArgv(ref, OPTS));
    equal(secrets.code, 0, secrets.err);
    deepStrictEqual(parseDeclaredSecrets(secrets.out), [
      { name: "GH_TOKEN", description: "token", variable: "CODCHI_GH_TOKEN" },
    ]);

    // remote nixpkgs: taken from the module named "my.module"; a second generation
    await Deno.writeTextFile(`${dir}/flake.nix`, renderMachineFlake(spec("my.module")));
    const relock = await nix(updateLockArgv(ref, [], OPTS));
    equal(relock.code, 0, relock.err);
    const build2 = await nix(buildSystemArgv(ref, profile, OPTS));
    equal(build2.code, 0, build2.err);
    const remote = JSON.parse(await Deno.readTextFile(profile));
    equal(remote.nixpkgs, "remote");
    // no module is made to follow: each keeps the nixpkgs its own flake names ("git" its own)
    deepStrictEqual(remote.modules, ["app:remote", "git:other", "odd:remote"]);
    match(await Deno.readTextFile(`${dir}/flake.lock`), /remote-nixpkgs/);
    const gens = () => [...Deno.readDirSync(`${work}/profiles`)].map((e) => e.name).sort();
    deepStrictEqual(gens(), ["system", "system-1-link", "system-2-link"]);

    const wipe = await nix(wipeHistoryArgv(profile, undefined, OPTS));
    equal(wipe.code, 0, wipe.err);
    deepStrictEqual(gens(), ["system", "system-2-link"]);

    const partial = await nix(updateLockArgv(ref, [inputName("my.module")], OPTS));
    equal(partial.code, 0, partial.err);
  },
});

Deno.test({
  name: "discovering modules and reading a module's metadata",
  ignore: problem !== undefined,
  sanitizeResources: false,
  async fn() {
    const url = flakeUrl(parseModuleUrl("odd", { localScheme: "path" }), {
      localRoot: `${work}/home`,
    });
    const found = await nix(discoverModulesArgv(url, "nixosModules", OPTS));
    equal(found.code, 0, found.err);
    deepStrictEqual(parseModuleNames(found.out), ["other", "x.y"]);
    const meta = await nix(flakeMetadataArgv(url, OPTS));
    equal(meta.code, 0, meta.err);
    equal(parseFlakeMetadata(meta.out).hasNixpkgs, true);
    let lockWritten = true;
    await Deno.stat(`${work}/home/odd/flake.lock`).catch(() => (lockWritten = false));
    equal(lockWritten, false, "looking at a module never writes into it");
    const gitUrl = flakeUrl(parseModuleUrl("gitmod"), { localRoot: `${work}/home` });
    const viaGit = await nix(discoverModulesArgv(gitUrl, "nixosModules", OPTS));
    equal(viaGit.code, 0, viaGit.err);
    deepStrictEqual(parseModuleNames(viaGit.out), ["default", "other"]);
  },
});
