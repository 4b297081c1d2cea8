/**
 * The LXD login wrapper (LOGIN_SCRIPT) run for real under every POSIX shell a machine may have as
 * /bin/sh: its argv reaches the program exactly for 1 and many words (hostile ones included), and
 * with no words it opens the user's own login shell instead.
 */
import { deepEqual, equal } from "node:assert/strict";
import { LOGIN_SCRIPT } from "../../../src/driver/lxd/argv.ts";
import { HOSTILE_WORDS, shellMissing } from "../../support/shells.ts";

/** The shells under test: argv prefix that runs a `-c` script, when the binary exists. */
const SHELLS: { name: string; argv: string[] }[] = [
  { name: "sh", argv: ["/bin/sh", "-c"] },
  { name: "dash", argv: ["/usr/bin/dash", "-c"] },
  { name: "bash (POSIX mode)", argv: ["/bin/bash", "--posix", "-c"] },
  { name: "busybox ash", argv: ["/bin/busybox", "sh", "-c"] },
];

const exists = (path: string) => shellMissing(path) === undefined;

/** " (skipped: …)" for a shell that is not installed, so the skip says why. */
function skipReason(path: string): string {
  const why = shellMissing(path);
  return why ? ` (skipped: ${why})` : "";
}

/** Runs LOGIN_SCRIPT with `args` under a shell; stdin carries `input`. */
async function run(shell: string[], args: string[], input = "") {
  const child = new Deno.Command(shell[0], {
    args: [...shell.slice(1), LOGIN_SCRIPT, "codchi", ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent" },
    clearEnv: true,
  }).spawn();
  const w = child.stdin.getWriter();
  // A command that does not read stdin may have exited already: a broken pipe is fine then.
  await w.write(new TextEncoder().encode(input)).then(() => w.close()).catch(() => {});
  const out = await child.output();
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
}

const HOSTILE = [...HOSTILE_WORDS];

for (const sh of SHELLS) {
  Deno.test({
    name: `login wrapper under ${sh.name}: many hostile words arrive exactly, NUL-separated${
      skipReason(sh.argv[0])
    }`,
    ignore: !exists(sh.argv[0]),
    fn: async () => {
      const r = await run(sh.argv, ["printf", "%s\\0", ...HOSTILE]);
      equal(r.code, 0);
      deepEqual(r.stdout.split("\0").slice(0, -1), HOSTILE);
    },
  });

  Deno.test({
    name: `login wrapper under ${sh.name}: a one-word command is run, not a shell${
      skipReason(sh.argv[0])
    }`,
    ignore: !exists(sh.argv[0]),
    fn: async () => {
      // With a shell opened instead, it would read stdin and print "opened".
      const r = await run(sh.argv, ["pwd"], "echo opened\n");
      equal(r.code, 0);
      equal(r.stdout.includes("opened"), false);
      equal(r.stdout.trim().length > 0, true);
    },
  });

  Deno.test({
    name: `login wrapper under ${sh.name}: no words open the user's login shell (reads stdin)${
      skipReason(sh.argv[0])
    }`,
    ignore: !exists(sh.argv[0]),
    fn: async () => {
      const r = await run(sh.argv, [], "echo opened; exit 7\n");
      equal(r.stdout.trim().split("\n").at(-1), "opened");
      equal(r.code, 7);
    },
  });

  Deno.test({
    name: `login wrapper under ${sh.name}: the command's exit code passes through${
      skipReason(sh.argv[0])
    }`,
    ignore: !exists(sh.argv[0]),
    fn: async () => {
      equal((await run(sh.argv, ["sh", "-c", "exit 42"])).code, 42);
      equal((await run(sh.argv, ["false"])).code, 1);
    },
  });
}

/** The login shell of the user running the tests, from its passwd entry. */
async function passwdShell(): Promise<string> {
  const out = await new Deno.Command("getent", { args: ["passwd", String(Deno.uid())] }).output();
  return new TextDecoder().decode(out.stdout).trim().split(":").at(-1)!;
}

for (const sh of SHELLS) {
  Deno.test({
    name: `login wrapper under ${sh.name}: $SHELL is the user's login shell, not an inherited one${
      skipReason(sh.argv[0])
    }`,
    ignore: !exists(sh.argv[0]),
    fn: async () => {
      const want = await passwdShell();
      const child = await new Deno.Command(sh.argv[0], {
        args: [...sh.argv.slice(1), LOGIN_SCRIPT, "codchi", "/bin/sh", "-c", 'printf %s "$SHELL"'],
        env: { PATH: "/usr/bin:/bin", HOME: "/nonexistent", SHELL: "/inherited/shell" },
        clearEnv: true,
        stdout: "piped",
      }).output();
      equal(child.code, 0);
      equal(new TextDecoder().decode(child.stdout), want);
    },
  });
}
