import { deepStrictEqual as assertEquals, equal, match, throws } from "node:assert/strict";
import {
  autoProjectName,
  chooseProject,
  detectBinary,
  fnv1a,
  inProject,
  isProjectMissing,
  ownsProject,
  projectCreateArgv,
  projectNameProblem,
} from "../../../src/driver/lxd/project.ts";
import { LxdDriver } from "../../../src/driver/lxd/mod.ts";
import { computePaths } from "../../../src/config/paths.ts";
import { output, scriptedRunner } from "../../support/scripted_runner.ts";
import { UsageError } from "../../../src/errors.ts";

const base = {
  storeFolderExists: false,
  user: "alice",
  dataDir: "/home/alice/.local/share/codchi",
};

Deno.test("chooseProject: env, then config, then the pin, then an old store folder, then new", () => {
  const auto = autoProjectName("alice", base.dataDir);
  assertEquals(chooseProject({ ...base }), { project: auto, source: "new" });
  assertEquals(chooseProject({ ...base, storeFolderExists: true }), {
    project: "default",
    source: "existing install",
  });
  assertEquals(chooseProject({ ...base, storeFolderExists: true, pinned: auto }), {
    project: auto,
    source: "pinned",
  });
  assertEquals(chooseProject({ ...base, pinned: auto, config: "team" }), {
    project: "team",
    source: "config",
  });
  assertEquals(chooseProject({ ...base, config: "team", env: "default" }), {
    project: "default",
    source: "env",
  });
  // a damaged pin is not used: the choice falls through
  assertEquals(chooseProject({ ...base, pinned: "../x" }).source, "new");
});

Deno.test("chooseProject: a bad explicit name is a usage error naming its origin", () => {
  throws(() => chooseProject({ ...base, env: "a b" }), (e: Error) => {
    equal(e instanceof UsageError, true);
    match(e.message, /CODCHI_LXD_PROJECT/);
    return true;
  });
  throws(() => chooseProject({ ...base, config: "x/y" }), /config\.json lxd\.project/);
  for (const bad of ["", "-x", "a b", "a/b", "ü", "x".repeat(64), "a\nb", "$(x)"]) {
    equal(projectNameProblem(bad) !== undefined, true, JSON.stringify(bad));
  }
  for (const good of ["default", "codchi-alice-0a1b2c3d", "Team_1", "x".repeat(63)]) {
    equal(projectNameProblem(good), undefined, good);
  }
});

Deno.test("autoProjectName: per user and per data folder, always a valid name", () => {
  const a = autoProjectName("alice", "/d/1");
  equal(a, `codchi-alice-${fnv1a("/d/1")}`);
  equal(autoProjectName("alice", "/d/1"), a, "stable");
  equal(autoProjectName("alice", "/d/2") === a, false, "another data folder, another project");
  equal(autoProjectName("bob", "/d/1") === a, false, "another user, another project");
  for (const user of ["Ålice Ø", "---", "", "a".repeat(100), "1000"]) {
    equal(projectNameProblem(autoProjectName(user, "/d")), undefined, user);
  }
});

Deno.test("fnv1a: the published test vectors", () => {
  equal(fnv1a(""), "811c9dc5");
  equal(fnv1a("a"), "e40c292c");
  equal(fnv1a("foobar"), "bf9cf968");
});

Deno.test("inProject: --project after the binary; the default project changes nothing", () => {
  const argv = ["lxc", "exec", "-q", "codchi-m", "--", "echo", "--project"];
  assertEquals(inProject(argv, "default"), argv);
  assertEquals(inProject(argv, "codchi-a-1"), [
    "lxc",
    "--project",
    "codchi-a-1",
    "exec",
    "-q",
    "codchi-m",
    "--",
    "echo",
    "--project",
  ]);
  assertEquals(projectCreateArgv("incus", "p").slice(0, 5), [
    "incus",
    "project",
    "create",
    "-q",
    "p",
  ]);
});

Deno.test("isProjectMissing: the engines' wording, nothing else", () => {
  equal(isProjectMissing("Error: Project not found"), true);
  equal(isProjectMissing('Error: Failed to load project "x": not found'), true);
  equal(isProjectMissing("Error: not found"), false);
  equal(isProjectMissing("Error: Instance not found"), false);
});

Deno.test("ownsProject: only codchi's own choice (new or pinned) is the data folder's to delete", () => {
  equal(ownsProject("new"), true);
  equal(ownsProject("pinned"), true);
  for (const s of ["env", "config", "existing install"] as const) equal(ownsProject(s), false, s);
});

/** A runner that records argv and answers `project show` with "not found" (exit 1). */
function recorder() {
  return scriptedRunner((argv) =>
    argv[2] === "show" ? output(1, "", "Error: Project not found") : output(0)
  );
}

Deno.test("ensureProject: makes the project; pins only codchi's own choice", async () => {
  const root = await Deno.makeTempDir();
  try {
    const paths = computePaths("linux", { HOME: root });
    for (const [source, pinned] of [["new", true], ["config", false], ["env", false]] as const) {
      const pinFile = `${root}/pin-${source}`;
      const runner = recorder();
      const d = new LxdDriver({
        paths,
        runner,
        binary: "lxc",
        env: {},
        project: { name: "codchi-a-12345678", source, pinFile },
      });
      await d.instances.ensureProject();
      assertEquals(runner.calls.map((c) => c.slice(0, 3)), [
        ["lxc", "project", "show"],
        ["lxc", "project", "create"],
      ]);
      equal(await Deno.stat(pinFile).then(() => true, () => false), pinned, source);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("detectBinary: lxc before incus, in any PATH folder, any file mode; none is undefined", async () => {
  const a = await Deno.makeTempDir();
  const b = await Deno.makeTempDir();
  try {
    equal(detectBinary(`${a}:${b}`), undefined);
    await Deno.writeTextFile(`${b}/incus`, "");
    equal(detectBinary(`${a}:${b}`), "incus");
    await Deno.mkdir(`${a}/lxc`); // a folder is not the client
    equal(detectBinary(`${a}:${b}`), "incus");
    await Deno.writeTextFile(`${b}/lxc`, "", { mode: 0o644 }); // not executable: still found
    equal(detectBinary(`${a}::${b}`), "lxc");
    equal(detectBinary(""), undefined);
  } finally {
    await Deno.remove(a, { recursive: true });
    await Deno.remove(b, { recursive: true });
  }
});
