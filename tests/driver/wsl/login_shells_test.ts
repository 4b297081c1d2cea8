/**
 * The WSL login wrapper (`sessionArgv`'s script) run for real under every POSIX shell a machine
 * may have as /bin/sh: with and without a working directory, argv of 0, 1 and many hostile words
 * reaches the program exactly; a missing folder stops before the command; the start token is
 * made and never reaches the command. Needs nothing but the shells (unit suite).
 */
import { deepEqual, equal } from "node:assert/strict";
import { EXEC_TOKEN_VAR, sessionArgv } from "../../../src/driver/wsl/argv.ts";
import { HOSTILE_WORDS, shellMissing } from "../../support/shells.ts";

/** The shells under test: argv that replaces the wrapper's `/bin/sh`. */
const SHELLS: { name: string; argv: string[] }[] = [
  { name: "sh", argv: ["/bin/sh"] },
  { name: "dash", argv: ["/usr/bin/dash"] },
  { name: "bash", argv: ["/bin/bash"] },
  { name: "busybox ash", argv: ["/bin/busybox", "sh"] },
];

const HOSTILE = [...HOSTILE_WORDS];

/** Runs sessionArgv("root", …) with its /bin/sh replaced by `shell`, in `dir`. */
async function run(
  shell: string[],
  argv: string[],
  opts: { cwd?: string; dir: string; env?: Record<string, string> },
) {
  const inner = sessionArgv("root", argv, opts.cwd);
  equal(inner[0], "/bin/sh");
  const full = [...shell, ...inner.slice(1)];
  const out = await new Deno.Command(full[0], {
    args: full.slice(1),
    cwd: opts.dir,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent", ...opts.env },
    clearEnv: true,
  }).output();
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
}

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "codchi-wsl-sh-" }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const sh of SHELLS) {
  const why = shellMissing(sh.argv[0]);
  const ignore = why !== undefined;
  const name = (what: string) =>
    `WSL login wrapper under ${sh.name}: ${what}${why ? ` (${why})` : ""}`;

  Deno.test({
    name: name("no cwd: many hostile words arrive exactly"),
    ignore,
    fn: () =>
      withDir(async (dir) => {
        const r = await run(sh.argv, ["printf", "%s\\0", ...HOSTILE], { dir });
        equal(r.code, 0);
        deepEqual(r.stdout.split("\0").slice(0, -1), HOSTILE);
      }),
  });

  Deno.test({
    name: name("no cwd: a one-word command runs where it was started"),
    ignore,
    fn: () =>
      withDir(async (dir) => {
        const r = await run(sh.argv, ["pwd"], { dir });
        equal(r.code, 0);
        equal(r.stdout, `${dir}\n`);
      }),
  });

  Deno.test({
    name: name("no words: nothing runs, exit 0"),
    ignore,
    fn: () =>
      withDir(async (dir) => {
        const r = await run(sh.argv, [], { dir });
        equal(r.code, 0);
        equal(r.stdout, "");
        const c = await run(sh.argv, [], { dir, cwd: `${dir}/missing` });
        equal(c.code, 1, "a missing folder still fails");
      }),
  });

  Deno.test({
    name: name("cwd with a hostile name: the command runs there, its argv exact"),
    ignore,
    fn: () =>
      withDir(async (dir) => {
        const cwd = `${dir}/-a b $x \`id\` 'q' über`;
        await Deno.mkdir(cwd);
        const one = await run(sh.argv, ["pwd"], { dir, cwd });
        equal(one.code, 0);
        equal(one.stdout, `${cwd}\n`);
        const many = await run(sh.argv, ["printf", "%s\\0", ...HOSTILE], { dir, cwd });
        equal(many.code, 0);
        deepEqual(many.stdout.split("\0").slice(0, -1), HOSTILE);
      }),
  });

  Deno.test({
    name: name("a missing cwd stops before the command (exit 1)"),
    ignore,
    fn: () =>
      withDir(async (dir) => {
        const r = await run(sh.argv, ["touch", `${dir}/ran`], { dir, cwd: `${dir}/nope` });
        equal(r.code, 1);
        equal(await Deno.lstat(`${dir}/ran`).then(() => true, () => false), false);
      }),
  });

  Deno.test({
    name: name("the exit code passes through; the start token is made, not handed on"),
    ignore,
    fn: () =>
      withDir(async (dir) => {
        equal((await run(sh.argv, ["sh", "-c", "exit 42"], { dir })).code, 42);
        const token = `${dir}/token`;
        const r = await run(sh.argv, ["sh", "-c", `printf %s "\${${EXEC_TOKEN_VAR}-unset}"`], {
          dir,
          env: { [EXEC_TOKEN_VAR]: token },
        });
        equal(r.code, 0);
        equal(r.stdout, "unset");
        equal((await Deno.lstat(token)).isFile, true);
      }),
  });
}
