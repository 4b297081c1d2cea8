/** Completion scripts: bash completes `codchi exe` and machine names for real; others are produced. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeHome, REPO, type TestHome } from "../support/cli.ts";
import { makeMachine } from "./_helpers.ts";

/** A `codchi` wrapper on PATH that runs this checkout with the test home's environment. */
async function codchiOnPath(home: TestHome): Promise<string> {
  const bin = join(home.root, "bin");
  await Deno.mkdir(bin, { recursive: true });
  await Deno.writeTextFile(
    join(bin, "codchi"),
    `#!/bin/sh\nexec '${Deno.execPath()}' run -A --quiet '${REPO}/main.ts' "$@"\n`,
    { mode: 0o755 },
  );
  return bin;
}

/** Runs the bash completion function for `words` (the last one being completed). */
async function bashComplete(home: TestHome, script: string, words: string[]): Promise<string[]> {
  const file = join(home.root, "codchi.bash");
  await Deno.writeTextFile(file, script);
  const bin = await codchiOnPath(home);
  const arr = words.map((w) => `'${w.replaceAll("'", "'\\''")}'`).join(" ");
  const driver = `set -u
source '${file}'
COMP_WORDS=(${arr})
COMP_CWORD=${words.length - 1}
COMP_LINE="\${COMP_WORDS[*]}"
COMP_POINT=\${#COMP_LINE}
__codchi_complete 2>/dev/null
printf '%s\\n' "\${COMPREPLY[@]}"
`;
  const out = await new Deno.Command("bash", {
    args: ["--norc", "--noprofile", "-c", driver],
    env: { ...home.env, PATH: `${bin}:${home.env.PATH}` },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  assert.equal(out.code, 0, dec.decode(out.stderr));
  return dec.decode(out.stdout).split("\n").filter(Boolean);
}

Deno.test("bash: the script loads and completes `codchi exe` to exec, then machine names", async () => {
  const home = await makeHome();
  try {
    await makeMachine(home.configDir, "java");
    await makeMachine(home.configDir, "webdev");
    // Not machines: a folder without machine.json, and a folder with an invalid name.
    await Deno.mkdir(join(home.configDir, "machines", "halfmade"), { recursive: true });
    await makeMachine(home.configDir, "Bad_Name");
    const gen = await home.run(["completion", "bash"]);
    assert.equal(gen.code, 0, gen.stderr);
    assert.match(gen.stdout, /complete -F __codchi_complete codchi/);
    // It loads in a plain bash (no bash-completion package needed).
    const load = await new Deno.Command("bash", {
      args: ["--norc", "--noprofile", "-c", `source /dev/stdin && declare -F __codchi_complete`],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const w = load.stdin.getWriter();
    await w.write(new TextEncoder().encode(gen.stdout));
    await w.close();
    const loaded = await load.output();
    assert.equal(loaded.code, 0, new TextDecoder().decode(loaded.stderr));

    assert.deepEqual(await bashComplete(home, gen.stdout, ["codchi", "exe"]), ["exec"]);
    assert.deepEqual(await bashComplete(home, gen.stdout, ["codchi", "exec", ""]), [
      "java",
      "webdev",
    ]);
    assert.deepEqual(await bashComplete(home, gen.stdout, ["codchi", "exec", "j"]), ["java"]);
    // aliases and sub-commands complete machine names too
    assert.deepEqual(await bashComplete(home, gen.stdout, ["codchi", "rm", "w"]), ["webdev"]);
    assert.deepEqual(await bashComplete(home, gen.stdout, ["codchi", "module", "list", ""]), [
      "java",
      "webdev",
    ]);
    const mods = await bashComplete(home, gen.stdout, ["codchi", "module", ""]);
    assert.ok(mods.includes("add") && mods.includes("list"), mods.join(" "));
    const flags = await bashComplete(home, gen.stdout, ["codchi", "delete", "--i-am"]);
    assert.deepEqual(flags, ["--i-am-really-sure"]);
  } finally {
    await home.cleanup();
  }
});

Deno.test("zsh, fish and powershell scripts are produced (and parse where the shell exists)", async () => {
  const home = await makeHome();
  try {
    const which = async (b: string) =>
      (await new Deno.Command("sh", { args: ["-c", `command -v ${b}`], stdout: "null" }).output())
        .code === 0;
    for (
      const [shell, marker, check] of [
        ["zsh", /compdef|_codchi/, ["zsh", "-n"]],
        ["fish", /complete -c codchi|complete --command codchi/, ["fish", "--no-execute"]],
        ["powershell", /Register-ArgumentCompleter/, ["pwsh", "-NoProfile", "-File"]],
      ] as const
    ) {
      const r = await home.run(["completion", shell]);
      assert.equal(r.code, 0, `${shell}: ${r.stderr}`);
      assert.ok(r.stdout.trim().length > 100, `${shell}: script is empty`);
      assert.match(r.stdout, marker, shell);
      assert.match(r.stdout, /codchi complete '?--/, `${shell}: does not call codchi`);
      if (shell !== "powershell" && await which(check[0])) {
        const file = join(home.root, `codchi.${shell}`);
        await Deno.writeTextFile(file, r.stdout);
        const p = await new Deno.Command(check[0], { args: [...check.slice(1), file] }).output();
        assert.equal(p.code, 0, `${shell} cannot parse it: ${new TextDecoder().decode(p.stderr)}`);
      }
    }
    const bad = await home.run(["completion", "tcsh"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /tcsh/);
  } finally {
    await home.cleanup();
  }
});

Deno.test("bash: TAB never evaluates the command line; sourcing twice prints nothing", async () => {
  const home = await makeHome();
  try {
    await makeMachine(home.configDir, "java");
    const gen = await home.run(["completion", "bash"]);
    assert.doesNotMatch(gen.stdout, /\beval\b/);
    const pwned = join(home.root, "pwned");
    const got = await bashComplete(home, gen.stdout, [
      "codchi",
      "exec",
      `$(touch ${pwned})`,
      "`touch " + pwned + "`",
      "",
    ]);
    assert.ok(Array.isArray(got));
    let made = true;
    await Deno.lstat(pwned).catch(() => made = false);
    assert.equal(made, false, "completion ran a command from the command line");
    // The machine names still complete (the argv reaches codchi intact).
    assert.deepEqual(await bashComplete(home, gen.stdout, ["codchi", "exec", "ja"]), ["java"]);
    const file = join(home.root, "twice.bash");
    await Deno.writeTextFile(file, gen.stdout);
    const out = await new Deno.Command("bash", {
      args: ["--norc", "--noprofile", "-c", `source '${file}' && source '${file}'`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0);
    assert.equal(new TextDecoder().decode(out.stderr), "");
  } finally {
    await home.cleanup();
  }
});
