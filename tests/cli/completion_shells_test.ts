/**
 * The elvish and nushell completion scripts: every command, alias and option of the real command
 * tree is in them (checked against commander's own tree), and they complete for real — elvish
 * (Debian's `elvish`) runs the generated completer against this checkout's `codchi complete`, and
 * nushell (`nu`, when installed: it is not packaged in Debian) parses the script and answers
 * `--ide-complete` queries.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Command } from "@commander-js/extra-typings";
import { buildProgram } from "../../src/cli/program.ts";
import { Context } from "../../src/cli/context.ts";
import { Ui, uiOptions } from "../../src/ui.ts";
import { makeHome, REPO, type TestHome } from "../support/cli.ts";
import { makeMachine } from "./_helpers.ts";

/** A command path of the real tree with the flags it accepts. */
interface RealCommand {
  path: string[];
  longs: string[];
  shorts: string[];
  /** Reached through an alias (`rm`, `mod ls`): same flags as the command's own path. */
  alias?: boolean;
}

/** Every visible command and alias path of the real program, from commander's own API. */
async function realCommands(): Promise<{ root: RealCommand; commands: RealCommand[] }> {
  const ui = new Ui(uiOptions({}, {}, false, false), () => {}, () => {});
  const ctx = new Context({ HOME: "/tmp/codchi-completion-test", PATH: "" }, ui);
  const program = await buildProgram(ctx) as unknown as Command;
  const flags = (c: Command, path: string[]): RealCommand => {
    const opts = c.createHelp().visibleOptions(c);
    return {
      path,
      longs: opts.flatMap((o) => o.long ? [o.long] : []),
      shorts: opts.flatMap((o) => o.short ? [o.short] : []),
    };
  };
  const out: RealCommand[] = [];
  const walk = (c: Command, prefixes: string[][]) => {
    const subs = c.commands as unknown as Command[];
    // commander's implicit `help [command]` of every command that has sub-commands.
    if (subs.length) {
      for (const p of prefixes) out.push({ path: [...p, "help"], longs: [], shorts: [] });
    }
    for (const sub of subs) {
      if ((sub as unknown as { _hidden?: boolean })._hidden) continue;
      const paths = prefixes.flatMap((p) => [sub.name(), ...sub.aliases()].map((n) => [...p, n]));
      paths.forEach((p, i) => out.push({ ...flags(sub, p), alias: i > 0 || prefixAlias(p) }));
      walk(sub, paths);
    }
  };
  const aliasWords = new Set(
    (program.commands as unknown as Command[]).flatMap((c) => [
      ...c.aliases(),
      ...(c.commands as unknown as Command[]).flatMap((s) => s.aliases()),
    ]),
  );
  const prefixAlias = (p: string[]) => p.slice(0, -1).some((w) => aliasWords.has(w));
  walk(program, [[]]);
  return { root: flags(program, []), commands: out };
}

/** `codchi completion <shell>` through the CLI. */
async function script(home: TestHome, shell: string): Promise<string> {
  const r = await home.run(["completion", shell]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** A `codchi` on PATH that runs this checkout with the test home's environment. */
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

/** Whether a program is on PATH (or is this absolute path). */
function which(prog: string): string | undefined {
  if (prog.startsWith("/")) return exists(prog) ? prog : undefined;
  for (const d of (Deno.env.get("PATH") ?? "").split(":")) {
    if (d && exists(`${d}/${prog}`)) return `${d}/${prog}`;
  }
  return undefined;
}

function exists(p: string): boolean {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
}

const ELVISH = which("elvish");
const NU = which(Deno.env.get("CODCHI_TEST_NU") ?? "nu");

Deno.test("completion command: elvish and nushell are accepted shells; an unknown one is refused", async () => {
  const home = await makeHome();
  try {
    for (const shell of ["elvish", "nushell"]) assert.ok((await script(home, shell)).length > 0);
    const bad = await home.run(["completion", "tcsh"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /elvish/);
    assert.match(bad.stderr, /nushell/);
    // `codchi completion <TAB>` offers all six.
    const offered = await home.run(["complete", "--", "completion", ""]);
    const names = offered.stdout.split("\n").filter((l) => l && !l.startsWith(":"))
      .map((l) => l.split("\t")[0]).sort();
    assert.deepEqual(names, ["bash", "elvish", "fish", "nushell", "powershell", "zsh"]);
  } finally {
    await home.cleanup();
  }
});

Deno.test("nushell script: an extern for the program and every command and alias, with every flag", async () => {
  const home = await makeHome();
  try {
    const text = await script(home, "nushell");
    const { root, commands } = await realCommands();
    // Each `export extern "codchi …" [ … ]` block, by its command path.
    const blocks = new Map<string, string>();
    for (const m of text.matchAll(/^export extern "([^"]+)" \[\n([\s\S]*?)^\]$/gm)) {
      assert.ok(!blocks.has(m[1]), `${m[1]} declared twice`);
      blocks.set(m[1], m[2]);
    }
    const all = [root, ...commands];
    assert.deepEqual(
      [...blocks.keys()].sort(),
      all.map((c) => ["codchi", ...c.path].join(" ")).sort(),
      "one extern per command and alias path",
    );
    for (const c of all) {
      const body = blocks.get(["codchi", ...c.path].join(" "))!;
      for (const l of c.longs) assert.match(body, new RegExp(`^  ${l}\\b`, "m"), `${c.path} ${l}`);
      for (const s of c.shorts) {
        assert.match(body, new RegExp(`\\(${s}\\)|^  ${s}\\b`, "m"), `${c.path} ${s}`);
      }
      // Global flags are accepted after any command.
      for (const g of ["--json", "--verbose(-v)", "--quiet(-q)"]) assert.ok(body.includes(g));
    }
    // Machine arguments complete machine names; fixed values complete their choices.
    assert.match(blocks.get("codchi exec")!, /^ {2}name: string@"nu-complete codchi machines"/m);
    assert.match(blocks.get("codchi module add")!, /machine: string@"nu-complete codchi machines"/);
    assert.match(text, /def "nu-complete codchi init use-nixpkgs" \[\] \{ \["local" "remote"\] \}/);
    assert.match(text, /\^codchi complete -- exec ""/);
    // Brackets balance (a broken template would not load).
    for (const [o, c] of [["[", "]"], ["{", "}"], ["(", ")"]]) {
      const code = text.split("\n").map((l) => l.replace(/ # .*$/, "")).join("\n");
      assert.equal(code.split(o).length, code.split(c).length, `${o}${c} balance`);
    }
  } finally {
    await home.cleanup();
  }
});

Deno.test({
  name: "nushell script: nu loads it and completes commands, flags, choices and machine names",
  ignore: !NU,
  sanitizeResources: false,
  fn: async () => {
    const home = await makeHome();
    try {
      await makeMachine(home.configDir, "java");
      await makeMachine(home.configDir, "webdev");
      const file = join(home.root, "codchi-completions.nu");
      await Deno.writeTextFile(file, await script(home, "nushell"));
      const bin = await codchiOnPath(home);
      const complete = async (line: string) => {
        const src = join(home.root, "line.nu");
        const text = `use ${file} *\n${line}`;
        await Deno.writeTextFile(src, text);
        const out = await new Deno.Command(NU!, {
          args: [
            "--no-config-file",
            "--ide-complete",
            String(new TextEncoder().encode(text).length),
            src,
          ],
          env: { ...home.env, PATH: `${bin}:${home.env.PATH}` },
          clearEnv: true,
          stdout: "piped",
          stderr: "piped",
        }).output();
        const dec = new TextDecoder();
        assert.equal(out.code, 0, dec.decode(out.stderr));
        return (JSON.parse(dec.decode(out.stdout)) as { completions: string[] }).completions;
      };
      // It loads: `help` knows the extern.
      const help = await new Deno.Command(NU!, {
        args: ["--no-config-file", "-c", `use ${file} *; help "codchi module add"`],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(help.code, 0, new TextDecoder().decode(help.stderr));
      assert.match(new TextDecoder().decode(help.stdout), /--use-nixpkgs/);
      assert.deepEqual(await complete("codchi exec "), ["java", "webdev"]);
      assert.deepEqual(await complete("codchi rm w"), ["webdev"]);
      assert.deepEqual(await complete("codchi init -p "), ["local", "remote"]);
      assert.ok((await complete("codchi mod")).includes("codchi module add"));
      const flags = await complete("codchi module add --");
      for (const f of ["--auth", "--branch", "--commit", "--no-build", "--use-nixpkgs", "--json"]) {
        assert.ok(flags.includes(f), `${f} in ${flags}`);
      }
    } finally {
      await home.cleanup();
    }
  },
});

/**
 * Runs the generated elvish completer on `words`. Non-interactive elvish has no `edit:` module, so
 * the test puts stand-ins of its two functions in: `edit:complex-candidate` prints the candidate
 * ("C:" value), `edit:complete-filename` prints "F:" and its argument.
 */
async function elvishComplete(
  home: TestHome,
  text: string,
  bin: string,
  calls: string[][],
): Promise<string[][]> {
  const adapted = text
    .replace(/^set edit:completion:arg-completer\['codchi'\] = /m, "var f = ")
    .replaceAll("edit:complex-candidate", "cand")
    .replaceAll("edit:complete-filename", "files");
  assert.notEqual(adapted, text);
  const quote = (w: string) => `'${w.replaceAll("'", "''")}'`;
  const run = [
    "fn cand {|v &display=''| echo 'C:'$v }",
    "fn files {|p| echo 'F:'$p }",
    adapted,
    ...calls.map((ws) => `$f ${ws.map(quote).join(" ")}; echo '---'`),
  ].join("\n");
  const file = join(home.root, "run.elv");
  await Deno.writeTextFile(file, run);
  const out = await new Deno.Command(ELVISH!, {
    args: ["-norc", file],
    env: { ...home.env, PATH: `${bin}:${home.env.PATH}` },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  assert.equal(out.code, 0, dec.decode(out.stderr));
  const groups = dec.decode(out.stdout).split("---\n").slice(0, calls.length);
  return groups.map((g) => g.split("\n").filter(Boolean));
}

Deno.test({
  name: "elvish script: the completer offers every command, alias and option, machines and choices",
  ignore: !ELVISH,
  fn: async () => {
    const home = await makeHome();
    try {
      await makeMachine(home.configDir, "java");
      await makeMachine(home.configDir, "webdev");
      const text = await script(home, "elvish");
      assert.match(text, /^set edit:completion:arg-completer\['codchi'\] = \{\|@words\|$/m);
      // The words go to codchi as a list, never through a string a shell would parse.
      assert.match(text, /e:codchi complete -- \$@rest/);
      const bin = await codchiOnPath(home);
      const { commands } = await realCommands();
      const top = commands.filter((c) => c.path.length === 1).map((c) => c.path[0]);
      const withFlags = commands.filter((c) => c.longs.length && !c.alias);
      const calls = [
        ["codchi", ""],
        ["codchi", "exec", ""],
        ["codchi", "rm", "w"],
        ["codchi", "init", "--use-nixpkgs="],
        ["codchi", "exe"],
        ...withFlags.map((c) => ["codchi", ...c.path, "--"]),
      ];
      const got = await elvishComplete(home, text, bin, calls);
      const values = (g: string[]) => g.filter((l) => l.startsWith("C:")).map((l) => l.slice(2));
      for (const t of top) assert.ok(values(got[0]).includes(t), `${t} in ${got[0]}`);
      assert.deepEqual(values(got[1]), ["java", "webdev"]);
      assert.deepEqual(values(got[2]), ["webdev"]);
      assert.deepEqual(values(got[3]), ["--use-nixpkgs=local", "--use-nixpkgs=remote"]);
      assert.deepEqual(values(got[4]), ["exec"]);
      withFlags.forEach((c, i) => {
        const offered = values(got[5 + i]);
        for (const l of c.longs) assert.ok(offered.includes(l), `${c.path.join(" ")}: ${l}`);
      });
      // No file names where codchi says there are none.
      assert.ok(got.every((g) => !g.some((l) => l.startsWith("F:"))));
    } finally {
      await home.cleanup();
    }
  },
});

Deno.test({
  name: "elvish script: file names only when codchi's answer allows files and offers nothing",
  ignore: !ELVISH,
  fn: async () => {
    const home = await makeHome();
    try {
      const text = await script(home, "elvish");
      // A stand-in `codchi` whose answer is only a directive: 0 (files allowed), then 4 (none).
      const bin = join(home.root, "stub");
      await Deno.mkdir(bin);
      await Deno.writeTextFile(
        join(bin, "codchi"),
        `#!/bin/sh\ncat "${home.root}/answer"\n`,
        { mode: 0o755 },
      );
      await Deno.writeTextFile(join(home.root, "answer"), ":0\n");
      const [allowed] = await elvishComplete(home, text, bin, [["codchi", "tar", "m", "./ou"]]);
      assert.deepEqual(allowed, ["F:./ou"]);
      await Deno.writeTextFile(join(home.root, "answer"), ":4\n");
      const [none] = await elvishComplete(home, text, bin, [["codchi", "tar", "m", "./ou"]]);
      assert.deepEqual(none, []);
      // A failing codchi completes nothing and breaks nothing.
      await Deno.writeTextFile(join(bin, "codchi"), "#!/bin/sh\nexit 3\n");
      const [failed] = await elvishComplete(home, text, bin, [["codchi", "x"]]);
      assert.deepEqual(failed, ["F:x"]);
    } finally {
      await home.cleanup();
    }
  },
});
