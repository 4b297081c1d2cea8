import { deepStrictEqual, equal, match, throws } from "node:assert/strict";
import { UsageError } from "../../src/errors.ts";
import {
  CREDENTIALS_SEPARATOR,
  fetchCredentials,
  parseAuth,
  withCredentialsArgv,
} from "../../src/nix/credentials.ts";

const TOKEN = "ghp_T0ken/with+odd=chars%";

Deno.test("parseAuth", () => {
  deepStrictEqual(parseAuth("tok"), { token: "tok" });
  deepStrictEqual(parseAuth("me:tok:with:colons"), { user: "me", token: "tok:with:colons" });
  for (const bad of ["", ":tok", "me:", "a b", "tok\n"]) {
    throws(() => parseAuth(bad), UsageError, bad);
  }
});

Deno.test("fetchCredentials: access-tokens for forges, git credentials for every host", () => {
  const c = fetchCredentials([
    { host: "gitlab.com", token: "glpat-1" },
    { host: "github.com", token: TOKEN },
    { host: "git.example.com:8443", token: "t3", user: "me" },
    { host: "github.com", token: "ignored-second" },
  ])!;
  equal(c.nixConf, `access-tokens = github.com=${TOKEN} gitlab.com=PAT:glpat-1\n`);
  equal(
    c.gitCredentials,
    "https://me:t3@git.example.com:8443\n" +
      `https://oauth2:${encodeURIComponent(TOKEN)}@github.com\n` +
      "https://oauth2:glpat-1@gitlab.com\n",
  );
  equal(
    c.stdin,
    `# codchi fetch credentials\n${c.nixConf}${CREDENTIALS_SEPARATOR}\n${c.gitCredentials}`,
  );
  for (const s of [TOKEN, encodeURIComponent(TOKEN), "glpat-1", "t3"]) {
    equal(c.secrets.includes(s), true, s);
  }
  equal(c.secrets.includes("ignored-second"), false);
  equal(fetchCredentials([]), undefined);
  throws(() => fetchCredentials([{ host: "Bad Host", token: "x" }]), UsageError);
  throws(() => fetchCredentials([{ host: "h.example", token: "a b" }]), UsageError);
});

Deno.test("withCredentialsArgv: no secret in argv", () => {
  const argv = withCredentialsArgv(["nix", "flake", "lock", "path:/x"]);
  equal(argv.slice(-4).join(" "), "nix flake lock path:/x");
  equal(argv.join(" ").includes(TOKEN), false);
});

async function run(argv: string[], stdin: string, tmp: string): Promise<string> {
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { TMPDIR: tmp },
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(stdin));
  await w.close();
  const out = await child.output();
  const text = new TextDecoder().decode(out.stdout);
  equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return text;
}

async function has(cmd: string): Promise<boolean> {
  try {
    return (await new Deno.Command(cmd, { args: ["--version"], stdout: "null", stderr: "null" })
      .output()).success;
  } catch {
    return false;
  }
}

Deno.test({
  name: "withCredentialsArgv: real git sees the credential, temp files are removed",
  ignore: !(await has("git")),
  async fn() {
    const tmp = await Deno.makeTempDir();
    try {
      const c = fetchCredentials([{ host: "git.example.com:8443", token: TOKEN }])!;
      const probe =
        'printf "protocol=https\\nhost=git.example.com:8443\\n\\n" | git credential fill';
      const out = await run(withCredentialsArgv(["sh", "-c", probe]), c.stdin, tmp);
      match(out, /^username=oauth2$/m);
      equal(out.includes(`password=${TOKEN}`), true);
      deepStrictEqual([...Deno.readDirSync(tmp)], [], "credential folder left behind");
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name: "withCredentialsArgv: real nix reads the access tokens; exit code passes through",
  ignore: !(await has("nix")) || !(await has("git")),
  async fn() {
    const tmp = await Deno.makeTempDir();
    try {
      const c = fetchCredentials([{ host: "github.com", token: TOKEN }])!;
      const git = 'printf "protocol=https\\nhost=github.com\\n\\n" | git credential fill';
      match(await run(withCredentialsArgv(["sh", "-c", git]), c.stdin, tmp), /^password=/m);
      const out = await run(
        withCredentialsArgv(["nix", "--extra-experimental-features", "nix-command", "show-config"]),
        c.stdin,
        tmp,
      );
      equal(out.includes(`access-tokens = github.com=${TOKEN}`), true);
      const failing = new Deno.Command("sh", {
        args: withCredentialsArgv(["sh", "-c", "exit 7"]).slice(1),
        stdin: "null",
        env: { TMPDIR: tmp },
      });
      equal((await failing.output()).code, 7);
      deepStrictEqual([...Deno.readDirSync(tmp)], []);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
