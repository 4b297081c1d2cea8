/** The machine image's /sbin/init (nix/container/machine/init.sh), run for real in a fake root. */
import { equal, match } from "node:assert/strict";
import { contractShellVars } from "./_contract.ts";

const INIT = new URL("../../nix/container/machine/init.sh", import.meta.url).pathname;

async function fakeRoot(opts: { system?: boolean } = {}): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "codchi-init-" });
  for (const d of ["etc", "tmp", "nix/var/nix/profiles/system", "usr/lib/codchi"]) {
    await Deno.mkdir(`${root}/${d}`, { recursive: true });
  }
  await Deno.writeTextFile(`${root}/usr/lib/codchi/contract.sh`, await contractShellVars());
  if (opts.system !== false) {
    const init = `${root}/nix/var/nix/profiles/system/init`;
    await Deno.writeTextFile(
      init,
      `#!/bin/sh\necho "booted $(cat "${root}/etc/codchi-env" 2>/dev/null)" > "${root}/booted"\n`,
    );
    await Deno.chmod(init, 0o755);
  }
  return root;
}

async function runInit(root: string, timeout = 2): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command("sh", {
    args: [INIT],
    env: { CODCHI_INIT_ROOT: root, CODCHI_ENV_TIMEOUT: String(timeout) },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

const read = (p: string) => Deno.readTextFile(p).catch(() => "");

Deno.test("env file already there: boots the system profile at once, file made private", async () => {
  const root = await fakeRoot();
  await Deno.writeTextFile(`${root}/etc/codchi-env`, "CODCHI_A='1'\n");
  const t0 = performance.now();
  const r = await runInit(root, 5);
  equal(r.code, 0, r.stderr);
  equal(performance.now() - t0 < 2000, true, "must not wait when the file exists");
  equal(await read(`${root}/booted`), "booted CODCHI_A='1'\n");
  equal((await Deno.stat(`${root}/etc/codchi-env`)).mode! & 0o777, 0o600);
  await Deno.remove(root, { recursive: true });
});

Deno.test("WSL style: the file dropped in /tmp is moved to /etc", async () => {
  const root = await fakeRoot();
  await Deno.writeTextFile(`${root}/tmp/codchi-env`, "CODCHI_B='2'\n");
  const r = await runInit(root);
  equal(r.code, 0, r.stderr);
  equal(await read(`${root}/booted`), "booted CODCHI_B='2'\n");
  equal(await read(`${root}/tmp/codchi-env`), "");
  await Deno.remove(root, { recursive: true });
});

Deno.test("the file arriving late is waited for", async () => {
  const root = await fakeRoot();
  const run = runInit(root, 10);
  await new Promise((r) => setTimeout(r, 1200));
  await Deno.writeTextFile(`${root}/etc/codchi-env`, "CODCHI_C='3'\n");
  const r = await run;
  equal(r.code, 0, r.stderr);
  equal(await read(`${root}/booted`), "booted CODCHI_C='3'\n");
  await Deno.remove(root, { recursive: true });
});

Deno.test("no file: the wait is bounded and the machine starts without secrets", async () => {
  const root = await fakeRoot();
  const t0 = performance.now();
  const r = await runInit(root, 1);
  equal(r.code, 0, r.stderr);
  equal(performance.now() - t0 < 5000, true);
  match(r.stderr, /no env file after 1s; starting without secrets/);
  equal(await read(`${root}/booted`), "booted \n");
  await Deno.remove(root, { recursive: true });
});

Deno.test("no system built yet: exits with a message naming the fix", async () => {
  const root = await fakeRoot({ system: false });
  await Deno.writeTextFile(`${root}/etc/codchi-env`, "");
  const r = await runInit(root, 1);
  equal(r.code, 1);
  match(r.stderr, /no NixOS system at .*; build it with: codchi rebuild <machine>/);
  await Deno.remove(root, { recursive: true });
});

Deno.test("env_value reads plain values from the env file the host renders", async () => {
  const { renderEnvFile } = await import("../../src/secrets/env_file.ts");
  const dir = await Deno.makeTempDir({ prefix: "codchi-envvalue-" });
  const file = `${dir}/codchi-env`;
  const profiles = "/mnt/c/Users/o'brien/AppData/Roaming/codchi/machines/java/profiles";
  await Deno.writeTextFile(
    file,
    renderEnvFile({ MACHINE_NAME: "java", PROFILES_DIR: profiles, "a.b": "x'y z" }),
  );
  const source = await Deno.readTextFile(INIT);
  const fn = /^env_value\(\) \{[\s\S]*?^\}$/m.exec(source)?.[0];
  equal(typeof fn, "string", "env_value() not found in init.sh");
  const script = `env_file="$1"; ${fn}
env_value CODCHI_MACHINE_NAME; env_value CODCHI_PROFILES_DIR; env_value CODCHI_a_b; env_value NONE`;
  const out = await new Deno.Command("sh", { args: ["-c", script, "sh", file], stdout: "piped" })
    .output();
  equal(new TextDecoder().decode(out.stdout), `java\n${profiles}\nx'y z\n`);
  await Deno.remove(dir, { recursive: true });
});
