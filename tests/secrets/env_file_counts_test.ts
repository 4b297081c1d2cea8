/**
 * The env file at the edges of its count: 0, 1 and 2 secrets, sourced by every POSIX shell a
 * machine may have. Each variable must be exported (a child process sees it), never more.
 */
import { deepEqual } from "node:assert/strict";
import { machineVarName, parseEnvFile, renderEnvFile } from "../../src/secrets/env_file.ts";

const SHELLS = [["/bin/sh"], ["/usr/bin/dash"], ["/bin/bash", "--posix"], ["/bin/busybox", "sh"]]
  .filter((s) => {
    try {
      return Deno.statSync(s[0]).isFile;
    } catch {
      return false;
    }
  });

/** The CODCHI_* variables a child of a shell that sourced `text` sees. */
async function exported(shell: string[], text: string): Promise<Record<string, string>> {
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(file, text);
    const out = await new Deno.Command(shell[0], {
      args: [...shell.slice(1), "-c", '. "$1" && exec env -0', "sh", file],
      clearEnv: true,
      env: { PATH: "/usr/bin:/bin" },
    }).output();
    const vars: Record<string, string> = {};
    for (const kv of new TextDecoder().decode(out.stdout).split("\0")) {
      const i = kv.indexOf("=");
      if (kv.startsWith("CODCHI_")) vars[kv.slice(0, i)] = kv.slice(i + 1);
    }
    return vars;
  } finally {
    await Deno.remove(file);
  }
}

const CASES: Record<string, string>[] = [
  {},
  { TOKEN: "it's $HOME `id`\nline" },
  { A: "1", B: "two words" },
];

for (const secrets of CASES) {
  const n = Object.keys(secrets).length;
  const want = Object.fromEntries(Object.entries(secrets).map(([k, v]) => [machineVarName(k), v]));
  Deno.test(`env file with ${n} secret(s): exported exactly by ${SHELLS.length} shells`, async () => {
    const text = renderEnvFile(secrets);
    for (const sh of SHELLS) deepEqual(await exported(sh, text), want, sh.join(" "));
  });
  Deno.test(`env file with ${n} secret(s): systemd's EnvironmentFile reading matches`, () => {
    deepEqual(parseEnvFile(renderEnvFile(secrets)), want);
  });
}
