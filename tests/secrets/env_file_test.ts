import { assertEquals, assertThrows } from "./_assert.ts";
import { UsageError } from "../../src/errors.ts";
import {
  FISH_LOADER,
  hostVarName,
  machineVarName,
  parseEnvFile,
  quoteValue,
  renderEnvFile,
  renderFishEnvFile,
  secretValueProblem,
} from "../../src/secrets/env_file.ts";
import { EDGE_VALUES, hostileSecrets, randomValues } from "./hostile_values.ts";

/** The expected machine environment: CODCHI_<NAME> → value. */
function expected(secrets: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).map(([k, v]) => [machineVarName(k), v]));
}

Deno.test("names map : . - to _ and keep the rest", () => {
  assertEquals(machineVarName("GITHUB_TOKEN"), "CODCHI_GITHUB_TOKEN");
  assertEquals(machineVarName("a.b-c:d"), "CODCHI_a_b_c_d");
  assertEquals(machineVarName("1st"), "CODCHI_1st");
  assertEquals(hostVarName("npm.token"), "CODCHI_SECRET_npm_token");
  assertThrows(() => machineVarName(""), UsageError);
  assertThrows(() => machineVarName("a b"), UsageError);
  assertThrows(() => machineVarName("ä"), UsageError);
  assertThrows(() => machineVarName("a=b"), UsageError);
});

Deno.test("two names that become one variable are refused", () => {
  const err = assertThrows(() => renderEnvFile({ "a-b": "1", "a.b": "2" }), UsageError);
  assertEquals(err.message.includes("CODCHI_a_b"), true);
});

Deno.test("NUL and lone surrogates are refused with the secret's name", () => {
  assertEquals(secretValueProblem("ok\n'$"), undefined);
  const err = assertThrows(() => renderEnvFile({ TOKEN: "a\0b" }), UsageError);
  assertEquals(err.message.includes("TOKEN"), true);
  assertEquals(err.message.includes("NUL"), true);
  assertThrows(() => renderEnvFile({ X: "\ud800" }), UsageError);
});

Deno.test("rendering is stable and readable", () => {
  assertEquals(
    renderEnvFile({ B: "it's", A: "x" }).split("\n").slice(1).join("\n"),
    `CODCHI_A='x'\nCODCHI_B='it'"'"'s'\nexport CODCHI_A CODCHI_B\n`,
  );
  assertEquals(renderEnvFile({}).includes("export"), false);
  assertEquals(quoteValue(""), "''");
});

Deno.test("systemd rules: the rendering parses back exactly (edge + random values)", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const secrets = hostileSecrets(seed, 80);
    assertEquals(parseEnvFile(renderEnvFile(secrets)), expected(secrets));
  }
});

Deno.test("systemd rules: the parser follows EnvironmentFile= semantics", () => {
  const text = [
    "# comment with a trailing backslash \\",
    "; another comment",
    "  A = plain value   ",
    'B="dq \\"x\\" \\$y \\\\ \\n kept"',
    "C='sq \\ $x'",
    "D=un\\ quoted\\",
    "continued",
    "export E=1",
    "no equals sign here",
    "F=",
    "G='a'\"'\"'b'",
    'H="multi',
    'line"',
  ].join("\n");
  assertEquals(parseEnvFile(text), {
    A: "plain value",
    B: 'dq "x" $y \\ \\n kept',
    C: "sq \\ $x",
    D: "un quotedcontinued",
    "export E": "1",
    F: "",
    G: "a'b",
    H: "multi\nline",
  });
});

/** Runs `argv` (a shell told to source the file at $FILE and exec `env -0`), returns CODCHI_ vars. */
async function sourceWith(argv: string[], file: string): Promise<Record<string, string>> {
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", FILE: file },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  if (out.code !== 0) throw new Error(`${argv[0]} failed (${out.code}): ${err}`);
  const vars: Record<string, string> = {};
  for (const entry of new TextDecoder().decode(out.stdout).split("\0")) {
    const eq = entry.indexOf("=");
    if (entry.startsWith("CODCHI_") && eq > 0) vars[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return vars;
}

function which(cmd: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      const p = `${dir}/${cmd}`;
      if (Deno.statSync(p).isFile) return p;
    } catch { /* next */ }
  }
  return undefined;
}

const POSIX = '. "$FILE" && exec env -0';
const SHELLS: { name: string; bin?: string; argv: (bin: string) => string[] }[] = [
  { name: "bash", bin: which("bash"), argv: (b) => [b, "--norc", "--noprofile", "-c", POSIX] },
  { name: "bash --posix", bin: which("bash"), argv: (b) => [b, "--posix", "-c", POSIX] },
  { name: "dash", bin: which("dash"), argv: (b) => [b, "-c", POSIX] },
  { name: "busybox sh", bin: which("busybox"), argv: (b) => [b, "sh", "-c", POSIX] },
  { name: "zsh", bin: which("zsh"), argv: (b) => [b, "-f", "-c", POSIX] },
  {
    name: "zsh (sh mode)",
    bin: which("zsh"),
    argv: (b) => [b, "--emulate", "sh", "-f", "-c", POSIX],
  },
  { name: "ksh", bin: which("ksh"), argv: (b) => [b, "-c", POSIX] },
];

for (const shell of SHELLS) {
  Deno.test({
    name: `${shell.name}: sourcing sets and exports every hostile value exactly`,
    ignore: !shell.bin,
    async fn() {
      const dir = await Deno.makeTempDir();
      try {
        for (const seed of [11, 12, 13]) {
          const secrets = hostileSecrets(seed, 60);
          const file = `${dir}/codchi-env`;
          await Deno.writeTextFile(file, renderEnvFile(secrets));
          assertEquals(await sourceWith(shell.argv(shell.bin!), file), expected(secrets));
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

Deno.test({
  name: "fish: the fish rendering sets and exports every hostile value exactly",
  ignore: !which("fish"),
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const secrets = hostileSecrets(21, 60);
      const file = `${dir}/codchi-env.fish`;
      await Deno.writeTextFile(file, renderFishEnvFile(secrets));
      const argv = [which("fish")!, "--no-config", "-c", "source $FILE; and exec env -0"];
      assertEquals(await sourceWith(argv, file), expected(secrets));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "fish: FISH_LOADER loads the POSIX rendering exactly",
  ignore: !which("fish"),
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const secrets = hostileSecrets(22, 60);
      const file = `${dir}/codchi env`;
      await Deno.writeTextFile(file, renderEnvFile(secrets));
      const loader = FISH_LOADER.replace("/etc/codchi-env", "$FILE");
      const argv = [which("fish")!, "--no-config", "-c", `${loader}exec env -0`];
      assertEquals(await sourceWith(argv, file), expected(secrets));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("random values stay well-formed (the generator itself)", () => {
  for (const v of [...EDGE_VALUES, ...randomValues(99, 200)]) {
    assertEquals(secretValueProblem(v), undefined);
  }
});
