/**
 * Issue 7 end to end on the real LXD, through the REAL CLI: a machine whose NixOS module declares
 * secrets gets every hostile value back exactly (login shell and a systemd service), values come
 * from `CODCHI_SECRET_<NAME>` and from `codchi secrets set` on stdin, a missing secret without a
 * TTY fails before any build, and afterwards no value is found in the config/data folders, the
 * traces or the process list. Values are kept by a real gnome-keyring (Secret Service) on a
 * private session bus when available, else by the file backend.
 *
 * Run with `flock /tmp/codchi-lxd.lock` (scripts/test-host-lxd.sh does).
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { type CliResult, makeHome, testbedEnv, type TestHome } from "../support/cli.ts";
import {
  have,
  lxc,
  prepareMachine,
  removeCodchiContainers,
  run,
  testbedReady,
  waitFor,
  writeLocalModule,
} from "./e2e_helpers.ts";
import { ENGINE_BIN } from "../support/engine.ts";

const bed = testbedEnv();
const M = "sec";
const CTN = `codchi-${M}`;
/** A marker in every value: a search for it finds any partial leak too. */
const TAG = `zq${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;

/** Hostile values, each unique by the tag. */
const VALUES: Record<string, string> = {
  QUOTES: `it's "${TAG}" and 'single' '"'"' done`,
  DOLLAR: `$HOME $(touch /tmp/pwned-${TAG}) \${PATH:-x} $$ $1 ${TAG}`,
  BACKTICK: "`id` `rm -rf /nonexistent` " + TAG,
  BACKSLASH: `C:\\path\\${TAG}\\n\\t \\ end\\`,
  NEWLINES: `first ${TAG}\nsecond\n\nfourth\r\nfifth`,
  UNICODE: `päßwörd ✓ 🎉 日本語 ${TAG} \u200b`,
  DASHES: `-n --help -e -- ${TAG}`,
  SPACES: `  lead\ttab = eq; export X=1 # ${TAG}  `,
};
/** New values given by `codchi secrets set` (stdin) for some names. */
const SET_VALUES: Record<string, string> = {
  QUOTES: `set-by-stdin "${TAG}" 'q' \`x\` $y`,
  NEWLINES: `a ${TAG}\nb\n`,
};
const NAMES = Object.keys(VALUES).sort();

const moduleBody = `{
    codchi.secrets.env = {
${NAMES.map((n) => `      ${n} = { name = "${n}"; description = "test secret ${n}"; };`).join("\n")}
    };
  }`;

/** A private session bus with an unlocked gnome-keyring, or undefined when not installed. */
async function startKeyring(dir: string) {
  if (!have("dbus-daemon") || !have("gnome-keyring-daemon")) return undefined;
  const address = `unix:path=${dir}/bus`;
  const bus = new Deno.Command("dbus-daemon", {
    args: ["--session", "--nofork", "--nopidfile", `--address=${address}`],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitFor(() => Deno.stat(`${dir}/bus`).then(() => true, () => false), 10000, 50);
  const env = {
    HOME: `${dir}/home`,
    XDG_RUNTIME_DIR: dir,
    XDG_DATA_HOME: `${dir}/home/.local/share`,
    XDG_CONFIG_HOME: `${dir}/home/.config`,
    DBUS_SESSION_BUS_ADDRESS: address,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
  };
  await Deno.mkdir(env.XDG_DATA_HOME, { recursive: true });
  const keyring = new Deno.Command("gnome-keyring-daemon", {
    args: ["--foreground", "--unlock", "--components=secrets"],
    env,
    clearEnv: true,
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const w = keyring.stdin.getWriter();
  await w.write(new TextEncoder().encode("codchi-e2e-keyring"));
  await w.close();
  const owned = () =>
    run([
      "dbus-send",
      "--session",
      "--print-reply",
      "--dest=org.freedesktop.DBus",
      "/org/freedesktop/DBus",
      "org.freedesktop.DBus.NameHasOwner",
      "string:org.freedesktop.secrets",
    ], { env }).then((o) => o.stdout.includes("boolean true"));
  const ok = await waitFor(owned, 10000, 100);
  const stop = async () => {
    for (const p of [keyring, bus]) {
      try {
        p.kill("SIGTERM");
      } catch { /* gone */ }
      await p.status;
    }
  };
  if (!ok) {
    await stop();
    return undefined;
  }
  return { address, env, stop };
}

Deno.test({
  name: "secrets e2e: declared, collected, delivered exactly, and never leaked",
  ignore: !testbedReady(bed),
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    await removeCodchiContainers();
    const runtime = await Deno.makeTempDir({ prefix: "codchi-e2e-keyring-" });
    const keyring = await startKeyring(runtime);
    const backend: Record<string, string> = keyring
      ? { DBUS_SESSION_BUS_ADDRESS: keyring.address, CODCHI_SECRET_BACKEND: "secret-service" }
      : { CODCHI_SECRET_BACKEND: "file" };
    console.log(`secrets backend: ${keyring ? "gnome-keyring (Secret Service)" : "file"}`);
    const home = await makeHome({ ...bed, ...backend, CODCHI_TRACE: "1" });
    const outputs: CliResult[] = [];
    const cli = async (args: string[], opts: Parameters<TestHome["run"]>[1] = {}) => {
      const r = await home.run(args, opts);
      outputs.push(r);
      return r;
    };
    const expected: Record<string, string> = { ...VALUES };
    try {
      await prepareMachine(home, M, moduleBody);

      await t.step("a missing secret without a TTY fails before any build (exit 2)", async () => {
        const some = Object.fromEntries(
          NAMES.slice(0, 3).map((n) => [`CODCHI_SECRET_${n}`, VALUES[n]]),
        );
        const r = await cli(["rebuild", M], { env: some });
        equal(r.code, 2, r.stderr);
        for (const n of NAMES.slice(3)) match(r.stderr, new RegExp(`\\b${n}\\b`));
        match(r.stderr, /codchi secrets set/);
        ok(!r.traces.some((l) => / build /.test(l)), "a build was started");
        ok(!r.traces.some((l) => /lxc init/.test(l) && l.includes(` ${CTN} `)), "installed");
        equal((await lxc("info", CTN)).code, 1, "the machine container exists");
      });

      await t.step("values from CODCHI_SECRET_<NAME> reach printenv exactly", async () => {
        const env = Object.fromEntries(NAMES.map((n) => [`CODCHI_SECRET_${n}`, VALUES[n]]));
        const r = await cli(["rebuild", M], { env });
        equal(r.code, 0, r.stderr);
        for (const n of NAMES) {
          const p = await cli(["exec", M, "--", "printenv", `CODCHI_${n}`]);
          equal(p.code, 0, p.stderr);
          equal(p.stdout, VALUES[n] + "\n", `CODCHI_${n}`);
        }
      });

      if (keyring) {
        await t.step("the keyring holds them (secret-tool lookup)", async () => {
          for (const n of NAMES) {
            const r = await run(
              ["secret-tool", "lookup", "application", "codchi", "scope", M, "key", n],
              { env: keyring.env },
            );
            equal(r.code, 0, r.stderr);
            equal(r.stdout, VALUES[n], n);
          }
        });
      }

      await t.step("`codchi secrets set` on stdin replaces values (restart)", async () => {
        for (const [n, v] of Object.entries(SET_VALUES)) {
          // stdin loses exactly one trailing newline.
          const r = await cli(["secrets", "set", M, n, "--restart"], { stdin: v + "\n" });
          equal(r.code, 0, r.stderr);
          expected[n] = v;
        }
        const list = await cli(["secrets", "list", M, "--json"]);
        equal(list.code, 0, list.stderr);
        ok(!list.stdout.includes(TAG), "list shows values without --show-values");
        for (const n of NAMES) {
          const p = await cli(["exec", M, "--", "printenv", `CODCHI_${n}`]);
          equal(p.stdout, expected[n] + "\n", `CODCHI_${n}`);
        }
      });

      await t.step("a systemd service reads them (EnvironmentFile=/etc/codchi-env)", async () => {
        const unit = [
          "[Unit]",
          "Description=codchi e2e: reads the secrets like any service",
          "[Service]",
          "Type=oneshot",
          "EnvironmentFile=/etc/codchi-env",
          "ExecStart=/usr/bin/env -0",
          "StandardOutput=file:/run/codchi-probe.out",
          "",
        ].join("\n");
        const push = await run(
          [ENGINE_BIN, "file", "push", "-", `${CTN}/etc/systemd/system/codchi-probe.service`],
          { stdin: new TextEncoder().encode(unit) },
        );
        equal(push.code, 0, push.stderr);
        const start = await cli([
          "exec",
          M,
          "--",
          "sudo",
          "sh",
          "-c",
          [
            "systemctl daemon-reload",
            "systemctl start codchi-probe.service",
          ].join(" && "),
        ]);
        equal(start.code, 0, start.stderr);
        const out = await lxc("exec", CTN, "--", "cat", "/run/codchi-probe.out");
        equal(out.code, 0, out.stderr);
        const seen: Record<string, string> = {};
        for (const kv of out.stdout.split("\0")) {
          const i = kv.indexOf("=");
          if (kv.startsWith("CODCHI_") && i > 0) seen[kv.slice(7, i)] = kv.slice(i + 1);
        }
        for (const n of NAMES) equal(seen[n], expected[n], `service sees CODCHI_${n}`);
        await lxc("exec", CTN, "--", "rm", "-f", "/run/codchi-probe.out");
      });

      await t.step("the env file is root's and the user's only", async () => {
        const st = await lxc("exec", CTN, "--", "stat", "-c", "%a %u", "/etc/codchi-env");
        equal(st.stdout.trim(), "600 1000");
      });

      await t.step("no value in the process list during an exec", async () => {
        const child = new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", "--quiet", `${Deno.cwd()}/main.ts`, "exec", M, "--", "sleep", "3"],
          env: home.env,
          clearEnv: true,
          stdin: "null",
          stdout: "null",
          stderr: "null",
        }).spawn();
        let seenSleep = false;
        let leaked = "";
        let done = false;
        child.status.then(() => done = true);
        // The host's `ps` lists the container's processes too (same kernel).
        while (!done) {
          const ps = await run(["ps", "-eww", "-o", "args="]);
          if (/sleep 3/.test(ps.stdout) && /setpriv/.test(ps.stdout)) seenSleep = true;
          if (ps.stdout.includes(TAG)) leaked = ps.stdout;
        }
        await child.status;
        ok(seenSleep, "the exec was not seen in the process list");
        equal(leaked, "", "a value appeared in the process list");
      });

      await t.step("rebuild with the machine running keeps the values", async () => {
        await writeLocalModule(
          home,
          M,
          moduleBody.replace("codchi.secrets", "# x\n    codchi.secrets"),
        );
        const r = await cli(["rebuild", M]);
        equal(r.code, 0, r.stderr);
        const p = await cli(["exec", M, "--", "printenv", "CODCHI_DOLLAR"]);
        equal(p.stdout, expected.DOLLAR + "\n");
      });

      await t.step("no value in config, data, traces or outputs", async () => {
        const hits: string[] = [];
        const backendFile = `${home.dataDir}/secrets.json`;
        for await (const f of walk(home.root)) {
          if (f === backendFile) continue;
          const bytes = await Deno.readFile(f).catch(() => new Uint8Array());
          if (contains(bytes, TAG)) hits.push(f);
        }
        deepEqual(hits, [], "files holding a value");
        if (!keyring) {
          ok(contains(await Deno.readFile(backendFile), TAG), "the file backend holds them");
          const mode = (await Deno.stat(backendFile)).mode! & 0o777;
          equal(mode, 0o600);
        }
        const traces = outputs.flatMap((o) => o.traces);
        ok(traces.length > 20, "traces were recorded");
        deepEqual(traces.filter((l) => l.includes(TAG)), [], "trace lines holding a value");
        // stdout of `printenv` carries values by design; stderr (messages, traces) never.
        deepEqual(outputs.filter((o) => o.stderr.includes(TAG)).map((o) => o.stderr), []);
      });
    } finally {
      await removeCodchiContainers();
      await keyring?.stop();
      await home.cleanup();
      await Deno.remove(runtime, { recursive: true }).catch(() => {});
      await Deno.remove(`/tmp/pwned-${TAG}`).then(
        () => {
          throw new Error("a value was executed by a shell");
        },
        () => {},
      );
    }
  },
});

async function* walk(dir: string): AsyncGenerator<string> {
  let entries: Deno.DirEntry[] = [];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch {
    return;
  }
  for (const e of entries) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) yield* walk(p);
    else if (e.isFile) yield p;
  }
}

function contains(bytes: Uint8Array, text: string): boolean {
  return new TextDecoder().decode(bytes).includes(text);
}
