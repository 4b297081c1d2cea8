/**
 * The import graph of the start-up paths, as Deno really loads it (its debug log names every
 * module it fetches or compiles): `exec` on a running machine, `status`, `--version` and `--help`
 * load no npm package (zod, commander, dax, dbus-next, @bomb.sh/tab), no Node built-in and no host
 * integration; the detector itself is shown to see them where they are loaded.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeHome, REPO, type TestHome } from "../support/cli.ts";
import { makeMachine } from "./_helpers.ts";

/** Modules the start-up paths must never load, as patterns on their URLs. */
const HEAVY: [string, RegExp][] = [
  ["zod", /\/zod\//],
  ["commander", /\/commander\//],
  ["dax", /\/dax\//],
  ["dbus-next", /\/dbus-next\//],
  ["@bomb.sh/tab", /\/@bomb\.sh\/tab\//],
  ["any npm package", /^npm:|\/registry\.npmjs\.org\//],
  ["a Node built-in", /^node:|^ext:deno_node\//],
  [
    "host integration",
    /\/src\/host\/(mod|linux_apps|windows_apps)\.ts$|\/src\/host\/linux\/mod\.ts$/,
  ],
  ["desktop export", /\/src\/host\/linux\/desktop/],
  ["the lifecycle", /\/src\/core\/lifecycle\.ts$/],
  ["the secrets", /\/src\/secrets\//],
  ["the completion", /\/src\/cli\/completion\.ts$/],
  ["the full parser", /\/src\/cli\/program\.ts$/],
  ["the schemas", /\/src\/config\/schema\.ts$/],
];

/** Every module URL Deno loaded for `codchi <args>` (from `-L debug`), and the exit code. */
async function loaded(
  home: TestHome,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; modules: Set<string>; stdout: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "-L", "debug", `${REPO}/main.ts`, ...args],
    env: { ...home.env, ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const log = new TextDecoder().decode(out.stderr);
  const modules = new Set<string>();
  for (
    const m of log.matchAll(
      /FileFetcher::fetch_no_follow - specifier: (\S+)|code cache \w+ for ES module: ([^,\s]+)/g,
    )
  ) {
    modules.add(m[1] ?? m[2]);
  }
  return { code: out.code, modules, stdout: new TextDecoder().decode(out.stdout) };
}

function heavyIn(modules: Set<string>): string[] {
  return [...modules].flatMap((u) =>
    HEAVY.filter(([, re]) => re.test(u)).map(([what]) => `${what}: ${u}`)
  );
}

/**
 * A built machine `m`, the store's daemon socket (listening, as a running store's is) and a
 * stand-in `lxc` that reports codchi-m running and runs nothing. Close the returned listener.
 */
async function runningMachine(
  home: TestHome,
): Promise<{ env: Record<string, string>; daemon: Deno.Listener }> {
  const sock = join(home.dataDir, "nix/var/nix/daemon-socket");
  await Deno.mkdir(sock, { recursive: true });
  const daemon = Deno.listen({ transport: "unix", path: join(sock, "socket") });
  await makeMachine(home.configDir, "m");
  await Deno.writeTextFile(
    join(home.configDir, "machines", "m", "built.json"),
    JSON.stringify({
      version: 1,
      flakeHash: "", // no flake.nix: the hash of a missing file
      lockHash: "",
      system: "/nix/store/00000000000000000000000000000000-nixos-system-m",
      builtAt: "2026-01-01T00:00:00.000Z",
    }),
  );
  const bin = join(home.root, "bin");
  await Deno.mkdir(bin);
  const list = JSON.stringify([
    { name: "codchistore", status: "Running", devices: {}, config: {} },
    { name: "codchi-m", status: "Running", devices: {}, config: {} },
  ]);
  await Deno.writeTextFile(
    join(bin, "lxc"),
    `#!/bin/sh\necho "$*" >> "${home.root}/lxc.calls"\n` +
      `if [ "$1" = list ]; then echo '${list}'; fi\nexit 0\n`,
    { mode: 0o755 },
  );
  return { env: { PATH: `${bin}:${home.env.PATH}`, CODCHI_DRIVER: "lxd" }, daemon };
}

Deno.test("exec on a running machine loads no heavy module (after the first exec)", async () => {
  const home = await makeHome();
  let daemon: Deno.Listener | undefined;
  try {
    const m = await runningMachine(home);
    daemon = m.daemon;
    const env = m.env;
    const first = await loaded(home, ["exec", "m", "--", "true"], env);
    assert.equal(first.code, 0);
    const calls = () => Deno.readTextFile(join(home.root, "lxc.calls"));
    const before = (await calls()).trim().split("\n").length;
    const again = await loaded(home, ["exec", "m", "--", "true"], env);
    assert.equal(again.code, 0);
    // The steady state: one spawn, `lxc exec`.
    const spawned = (await calls()).trim().split("\n").slice(before);
    assert.equal(spawned.length, 1, spawned.join("\n"));
    assert.match(spawned[0], /^exec( -\w+)* codchi-m .* true$/);
    assert.ok(again.modules.has(`file://${REPO}/src/cli/exec_action.ts`), "detector sees nothing");
    assert.ok(again.modules.has(`file://${REPO}/src/driver/lxd/mod.ts`));
    assert.deepEqual(heavyIn(again.modules), []);
  } finally {
    daemon?.close();
    await home.cleanup();
  }
});

Deno.test("status, --version and --help load no heavy module", async () => {
  const home = await makeHome();
  let daemon: Deno.Listener | undefined;
  try {
    const m = await runningMachine(home);
    daemon = m.daemon;
    const env = m.env;
    await loaded(home, ["status"], env); // validates built.json once
    for (const args of [["status"], [], ["--version"], ["--json", "-V"], ["--help"]]) {
      const r = await loaded(home, args, env);
      assert.equal(r.code, 0, args.join(" "));
      assert.deepEqual(heavyIn(r.modules), [], args.join(" "));
    }
    const st = await loaded(home, ["--json", "status"], env);
    assert.equal(JSON.parse(st.stdout)[0].status, "UpToDate");
  } finally {
    daemon?.close();
    await home.cleanup();
  }
});

Deno.test("the detector sees npm packages and the schemas where they are loaded", async () => {
  const home = await makeHome();
  try {
    await makeMachine(home.configDir, "m");
    const r = await loaded(home, ["module", "list", "m"]);
    assert.equal(r.code, 0);
    const found = heavyIn(r.modules).join("\n");
    assert.match(found, /^commander: /m);
    assert.match(found, /^zod: /m);
    assert.match(found, /^the full parser: /m);
    assert.match(found, /^the schemas: /m);
  } finally {
    await home.cleanup();
  }
});

Deno.test("exec: the fast path and the full parser spawn the same argv and return the same", async () => {
  const home = await makeHome();
  let daemon: Deno.Listener | undefined;
  try {
    const m = await runningMachine(home);
    daemon = m.daemon;
    const calls = join(home.root, "lxc.calls");
    const spawnedBy = async (args: string[]) => {
      await Deno.writeTextFile(calls, "");
      const r = await home.run(args, { env: { ...m.env, CODCHI_TRACE: "1" } });
      return { code: r.code, stdout: r.stdout, calls: await Deno.readTextFile(calls) };
    };
    await spawnedBy(["exec", "m", "--", "true"]); // first exec: validations, session record
    // `exec -- m …` is not a plain form: the full parser (commander) runs it.
    const fast = await spawnedBy(["exec", "m", "--", "sh", "-c", "exit 3"]);
    const full = await spawnedBy(["exec", "--", "m", "sh", "-c", "exit 3"]);
    assert.equal(fast.code, 0); // the stand-in lxc exits 0
    assert.deepEqual(full, fast);
    for (const args of [["exec", "nosuch", "--", "true"], ["exec", "Bad_Name"]]) {
      const viaParser = [args[0], "--", ...args.slice(1).filter((a) => a !== "--")];
      const [a, b] = await Promise.all([home.run(args, m), home.run(viaParser, m)]);
      assert.deepEqual([b.code, b.stdout, b.stderr], [a.code, a.stdout, a.stderr], args.join(" "));
      assert.notEqual(a.code, 0);
    }
  } finally {
    daemon?.close();
    await home.cleanup();
  }
});
