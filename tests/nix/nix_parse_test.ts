/**
 * Every .nix file under nix/ and every flake the renderer writes parses with
 * `nix-instantiate --parse`; every shell script under nix/ passes `sh -n`.
 * Skips (with a message) only when nix-instantiate is not installed; CI installs it.
 */
import { equal } from "node:assert/strict";
import { renderMachineFlake, renderStandaloneFlake } from "../../src/nix/flake.ts";
import { MACHINES } from "./_machines.ts";

const NIX_DIR = new URL("../../nix/", import.meta.url).pathname;

async function available(cmd: string): Promise<boolean> {
  try {
    await new Deno.Command(cmd, { args: ["--version"], stdout: "null", stderr: "null" }).output();
    return true;
  } catch {
    return false;
  }
}

const haveNix = await available("nix-instantiate");
if (!haveNix) {
  console.warn(
    "SKIPPED tests/nix/nix_parse_test.ts: nix-instantiate is not installed " +
      "(Debian: apt-get install nix-bin).",
  );
}

async function parse(source: string): Promise<{ ok: boolean; err: string }> {
  const child = new Deno.Command("nix-instantiate", {
    args: ["--parse", "-"],
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(source));
  await w.close();
  const out = await child.output();
  return { ok: out.success, err: new TextDecoder().decode(out.stderr) };
}

function walk(dir: string, suffix: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const p = `${dir}/${e.name}`.replace(/\/+/g, "/");
    if (e.isDirectory) out.push(...walk(p, suffix));
    else if (e.name.endsWith(suffix)) out.push(p);
  }
  return out.sort();
}

Deno.test({
  name: "every .nix file under nix/ parses",
  ignore: !haveNix,
  async fn() {
    const files = walk(NIX_DIR, ".nix");
    equal(files.length >= 20, true, `only ${files.length} .nix files found`);
    for (const f of files) {
      const r = await parse(await Deno.readTextFile(f));
      equal(r.ok, true, `${f}: ${r.err}`);
    }
  },
});

Deno.test({
  name: "every rendered machine and standalone flake parses",
  ignore: !haveNix,
  async fn() {
    for (const [name, spec] of Object.entries(MACHINES)) {
      for (const driver of ["lxd", "wsl"] as const) {
        const r = await parse(renderMachineFlake({ ...spec, driver }));
        equal(r.ok, true, `${name}/${driver}: ${r.err}`);
      }
      const { driver: _d, localRoot: _l, ...rest } = spec;
      const s = await parse(renderStandaloneFlake(rest));
      equal(s.ok, true, `${name}/standalone: ${s.err}`);
    }
  },
});

Deno.test("the parser check itself rejects broken Nix", { ignore: !haveNix }, async () => {
  equal((await parse("{ a = ; }")).ok, false);
  equal((await parse('{ "a".b = "x\\${y}"; }')).ok, true);
});

Deno.test("every shell script under nix/ passes sh -n", async () => {
  const scripts = walk(NIX_DIR, ".sh");
  equal(scripts.length >= 4, true);
  for (const f of scripts) {
    const out = await new Deno.Command("sh", { args: ["-n", f], stderr: "piped" }).output();
    equal(out.success, true, `${f}: ${new TextDecoder().decode(out.stderr)}`);
  }
});
