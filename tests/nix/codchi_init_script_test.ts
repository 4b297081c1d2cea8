/**
 * The shared body of `codchi-init` (nix/nixos/driver/codchi-init.sh), run for real with bash:
 * welcome first, the init script in the home, its exit code, the marker.
 */
import { equal, match, ok } from "node:assert/strict";

const BODY = new URL("../../nix/nixos/driver/codchi-init.sh", import.meta.url).pathname;

async function run(script: string | undefined, welcome: boolean) {
  const dir = await Deno.makeTempDir({ prefix: "codchi-init-sh-" });
  const home = `${dir}/home`;
  await Deno.mkdir(home);
  const env: Record<string, string> = {
    HOME: home,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    CODCHI_INIT_MARKER: `${home}/.local/state/codchi/init-done`,
  };
  if (script !== undefined) {
    await Deno.writeTextFile(`${dir}/script`, script);
    env.CODCHI_INIT_SCRIPT = `${dir}/script`;
  }
  if (welcome) {
    await Deno.writeTextFile(`${dir}/welcome`, "#!/bin/sh\necho 'Welcome, friend'\n");
    await Deno.chmod(`${dir}/welcome`, 0o755);
    env.CODCHI_INIT_WELCOME = `${dir}/welcome`;
  }
  const out = await new Deno.Command("bash", {
    args: [BODY],
    cwd: "/",
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const marker = await Deno.readTextFile(env.CODCHI_INIT_MARKER).catch(() => undefined);
  await Deno.remove(dir, { recursive: true });
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), home, marker };
}

Deno.test("codchi-init: welcome, then the script in the home; its exit code; the marker", async () => {
  const r = await run('echo "ran in $PWD"\nexit 3\n', true);
  equal(r.code, 3);
  const w = r.stdout.indexOf("Welcome, friend");
  const s = r.stdout.indexOf(`ran in ${r.home}`);
  ok(w >= 0 && s > w, r.stdout);
  match(r.marker ?? "", /^\d{4}-\d\d-\d\dT/);
});

Deno.test("codchi-init: no init script and no welcome is a success that still records the run", async () => {
  const r = await run(undefined, false);
  equal(r.code, 0);
  equal(r.stdout, "");
  ok(r.marker !== undefined);
  const empty = await run("", true);
  equal(empty.code, 0);
  match(empty.stdout, /Welcome, friend/);
});
