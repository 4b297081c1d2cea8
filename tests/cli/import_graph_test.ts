/**
 * The import graph of the start-up paths, as Deno really loads it (its debug log names every
 * module it fetches or compiles): `exec` on a running machine, `status`, `--version` and `--help`
 * load no npm package (zod, commander, dax, dbus-next, @bomb.sh/tab), no Node built-in and no host
 * integration; the detector itself is shown to see them where they are loaded. The fast paths of
 * `exec` and `status` (after a first run) load neither the driver nor the UI's full path, and
 * stay under a module count.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeHome, REPO } from "../support/cli.ts";
import { makeMachine } from "./_helpers.ts";
import { loaded, runningMachine } from "./_startup.ts";

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

/** What the full exec path loads and its fast path must not (cli/exec_fast.ts). */
const FULL_EXEC: RegExp[] = [
  /\/src\/cli\/(run|context|exec_action|report|prompt)\.ts$/,
  /\/src\/ui\.ts$/,
  /\/src\/driver\/(mod|select)\.ts$/,
  /\/src\/driver\/lxd\/(mod|store|mounts|parse|usb|interrupts)\.ts$/,
  /\/src\/config\/(trusted|store|defaults|lock)\.ts$/,
  /\/src\/core\/(exec|records|machines|status|machine_list)\.ts$/,
  /\/src\/release\//,
  /\/src\/host\/linux\/(usb_sysfs|pulse_server)\.ts$/,
];

/** What the full status path loads and its fast path must not (cli/status_fast.ts). */
const FULL_STATUS: RegExp[] = [
  /\/src\/cli\/(run|context|exec_action|report|prompt)\.ts$/,
  /\/src\/driver\/(mod|select)\.ts$/,
  /\/src\/driver\/lxd\/(mod|store|session|usb|interrupts)\.ts$/,
  /\/src\/host\//,
  /\/src\/core\/exec\.ts$/,
  /\/src\/release\/(images|download)/,
];

function heavyIn(modules: Set<string>): string[] {
  return [...modules].flatMap((u) =>
    HEAVY.filter(([, re]) => re.test(u)).map(([what]) => `${what}: ${u}`)
  );
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
    assert.ok(again.modules.has(`file://${REPO}/src/cli/exec_fast.ts`), "detector sees nothing");
    // The fast path: not even the driver, the UI or the validated records are loaded.
    const full = [...again.modules].filter((u) => FULL_EXEC.some((re) => re.test(u)));
    assert.deepEqual(full, []);
    const files = [...again.modules].filter((u) => u.startsWith("file:"));
    assert.ok(files.length <= 21, `${files.length} modules:\n${files.join("\n")}`);
    // The first exec took the full path (it leaves the memo the fast path starts from).
    assert.ok(first.modules.has(`file://${REPO}/src/driver/lxd/mod.ts`));
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
    // status's fast path (after the first status): the driver's listing without the driver.
    assert.ok(st.modules.has(`file://${REPO}/src/cli/status_fast.ts`), "detector sees nothing");
    const full = [...st.modules].filter((u) => FULL_STATUS.some((re) => re.test(u)));
    assert.deepEqual(full, []);
    const files = [...st.modules].filter((u) => u.startsWith("file:"));
    assert.ok(files.length <= 30, `${files.length} modules:\n${files.join("\n")}`);
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
