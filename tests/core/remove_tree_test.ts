/**
 * removeTree as a user that is not root (the OS user scripts/setup.sh --test-deps makes): Nix
 * store paths are read-only folders, which root removes without noticing and a user cannot —
 * `codchi uninstall` of a user's codchi hit that. Runs a small script as that user (setpriv).
 */
import { equal, match } from "node:assert/strict";
import { REPO } from "../support/cli.ts";
import { asOsUser } from "../support/os_user.ts";

const USER = "codchi-ta";
const hasUser = Deno.uid() === 0 &&
  Deno.readTextFileSync("/etc/passwd").split("\n").some((l) => l.startsWith(`${USER}:`));

/** Runs removeTree(path) as USER; returns exit code and stderr. */
async function removeAsUser(root: string, path: string) {
  const script = `${root}/rm.ts`;
  await Deno.writeTextFile(
    script,
    `import { removeTree } from "${REPO}/src/core/files.ts";\n` +
      `try { await removeTree(Deno.args[0]); } catch (e) {\n` +
      `  console.error(e.name + ": " + e.message + " | " + (e.hint ?? "")); Deno.exit(3);\n}\n`,
  );
  const { cmd, args } = asOsUser(USER, [
    Deno.execPath(),
    "run",
    "-A",
    "--quiet",
    "--no-lock",
    script,
    path,
  ]);
  const out = await new Deno.Command(cmd, {
    args,
    env: { PATH: "/usr/bin:/bin", HOME: root, DENO_DIR: `${root}/deno`, NO_COLOR: "1" },
    clearEnv: true,
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

const exists = (p: string) => Deno.lstat(p).then(() => true, () => false);

Deno.test({
  name: "removeTree as a user: read-only folders of their own go; foreign files are named",
  ignore: !hasUser,
}, async () => {
  const root = await Deno.makeTempDir({ prefix: "codchi-rmtree-" });
  try {
    await Deno.chmod(root, 0o755);
    const tree = `${root}/data`;
    // like a Nix store path: a read-only folder with read-only files and a folder inside
    await Deno.mkdir(`${tree}/nix/store/abc-pkg/bin`, { recursive: true });
    await Deno.writeTextFile(`${tree}/nix/store/abc-pkg/bin/tool`, "#!/bin/sh\n");
    await Deno.symlink("/etc", `${tree}/nix/store/abc-pkg/etc-link`);
    for (const d of [`${tree}/nix/store/abc-pkg/bin`, `${tree}/nix/store/abc-pkg`]) {
      await Deno.chmod(d, 0o555);
    }
    const chown = (...a: string[]) => new Deno.Command("chown", { args: a }).output();
    equal((await chown("-R", "-h", `${USER}:users`, root)).code, 0);

    const r = await removeAsUser(root, tree);
    equal(r.code, 0, r.stderr);
    equal(await exists(tree), false);
    equal(await exists("/etc/passwd"), true, "the symlink's target is untouched");

    // a folder of another user (a container's mapped id) cannot go: a typed error says how
    await Deno.mkdir(`${tree}/home/foreign`, { recursive: true });
    await Deno.writeTextFile(`${tree}/home/foreign/x`, "x");
    equal((await chown("-R", `${USER}:users`, tree)).code, 0);
    equal((await chown("-R", "100999:100999", `${tree}/home/foreign`)).code, 0);
    await Deno.chmod(`${tree}/home/foreign`, 0o755);
    const f = await removeAsUser(root, tree);
    equal(f.code, 3, f.stderr);
    match(f.stderr, /^PrerequisiteError: Some files below .*data cannot be removed/m);
    match(f.stderr, /sudo rm -rf -- '.*data'/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
