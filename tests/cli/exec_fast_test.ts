/**
 * `exec`'s fast path (src/cli/exec_fast.ts) against the full path, with the real CLI, a stand-in
 * `lxc` that logs its calls and a listening store socket: the same argv and exit codes, an exit 1
 * handed back to the full path's check, and the full path whenever an input of the memo or the
 * host session (X cookie) changed. Which path ran is read from the modules Deno loaded.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeHome, REPO, type TestHome } from "../support/cli.ts";
import { makeMachine } from "./_helpers.ts";
import { loaded, runningMachine } from "./_startup.ts";
import { serializeXauthority, XauthFamily } from "../../src/host/linux/xauth.ts";

const FAST = `file://${REPO}/src/cli/exec_fast.ts`;
const DRIVER = `file://${REPO}/src/driver/lxd/mod.ts`;

/** One codchi run: its exit code, the path it took and the `lxc` calls it made. */
interface Run {
  code: number;
  path: "fast" | "full";
  calls: string[];
}

async function setUp(): Promise<{
  home: TestHome;
  exec: (args: string[], env?: Record<string, string>) => Promise<Run>;
  close: () => Promise<void>;
  daemon: Deno.Listener;
}> {
  const home = await makeHome();
  const m = await runningMachine(home);
  const callsFile = join(home.root, "lxc.calls");
  const exec = async (args: string[], env: Record<string, string> = {}): Promise<Run> => {
    await Deno.writeTextFile(callsFile, "");
    const r = await loaded(home, args, { ...m.env, ...env });
    const calls = (await Deno.readTextFile(callsFile)).split("\n").filter((l) => l);
    const path = r.modules.has(FAST) && !r.modules.has(DRIVER) ? "fast" : "full";
    return { code: r.code, path, calls };
  };
  return {
    home,
    exec,
    daemon: m.daemon,
    close: async () => {
      m.daemon.close();
      await home.cleanup();
    },
  };
}

Deno.test("exec's fast path: the full path's argv and exit codes, exit 1 checked by it", async () => {
  const { home, exec, close } = await setUp();
  try {
    const first = await exec(["exec", "m", "--", "true"]);
    assert.equal(first.path, "full"); // no memo yet
    const memo = join(home.env.XDG_RUNTIME_DIR, "codchi", "exec", "m.json");
    assert.equal((await Deno.stat(memo)).mode! & 0o777, 0o600);
    const cmd = ["sh", "-c", "echo 'a b'; exit 3"];
    const fast = await exec(["exec", "m", "--", ...cmd]);
    const full = await exec(["exec", "--", "m", ...cmd]); // not a plain form: the parser's path
    assert.deepEqual([fast.path, full.path], ["fast", "full"]);
    assert.deepEqual(fast.calls, full.calls);
    assert.equal(fast.calls.length, 1);
    // The command's own exit code, whatever it is; 1 is checked with one `list`, as the full
    // path does (the machine runs: codchi exits 1 too).
    for (const code of ["7", "1"]) {
      const f = await exec(["exec", "m", "--", "true"], { LXC_EXIT: code });
      const p = await exec(["exec", "--", "m", "true"], { LXC_EXIT: code });
      // (after an exit 1 the full path's check loads the driver)
      assert.equal(f.path, code === "1" ? "full" : "fast");
      assert.equal(f.code, Number(code));
      assert.deepEqual([f.code, f.calls], [p.code, p.calls], `exit ${code}`);
    }
    const ones = await exec(["exec", "m", "--", "true"], { LXC_EXIT: "1" });
    assert.deepEqual([ones.calls.length, ones.calls[0]], [
      2,
      fast.calls[0].replace(/sh -c .*/, "true"),
    ]);
    assert.match(ones.calls[1], /^list /);
  } finally {
    await close();
  }
});

Deno.test("exec's fast path: the full path runs whenever an input changed", async () => {
  const { home, exec, close } = await setUp();
  try {
    const steady = async (env: Record<string, string> = {}) => {
      const r = await exec(["exec", "m", "--", "true"], env);
      assert.equal(r.path, "fast", JSON.stringify(env));
      assert.equal(r.calls.length, 1);
      return r;
    };
    assert.equal((await exec(["exec", "m", "--", "true"])).path, "full");
    await steady();
    // machine.json changed (still valid): validated again, then fast again.
    await makeMachine(home.configDir, "m", { createdAt: "2026-02-02T00:00:00.000Z" });
    assert.equal((await exec(["exec", "m", "--", "true"])).path, "full");
    await steady();
    // The project named by the environment: the full path chooses it; the fast path keeps it.
    const p = { CODCHI_LXD_PROJECT: "other" };
    const chosen = await exec(["exec", "m", "--", "true"], p);
    assert.equal(chosen.path, "full");
    assert.match(chosen.calls[0], /^--project other exec /);
    assert.deepEqual((await steady(p)).calls, chosen.calls);
    // A broken memo: the full path (which writes it again).
    const memo = join(home.env.XDG_RUNTIME_DIR, "codchi", "exec", "m.json");
    await Deno.writeTextFile(memo, "{");
    assert.equal((await exec(["exec", "m", "--", "true"])).path, "full");
    await steady();
    // An unfinished operation's record: the full path settles it first.
    const journal = join(home.configDir, "journal");
    await Deno.mkdir(journal, { recursive: true });
    await Deno.writeTextFile(join(journal, "m.json"), "{");
    const settling = await exec(["exec", "m", "--", "true"]);
    assert.equal(settling.path, "full");
    await Deno.remove(journal, { recursive: true });
    // An invalid machine.json: the full path reports it, exactly as through the parser.
    const file = join(home.configDir, "machines", "m", "machine.json");
    const good = await Deno.readTextFile(file);
    await Deno.writeTextFile(file, "{");
    const [a, b] = await Promise.all([
      home.run(["exec", "m", "--", "true"], { env: { PATH: `${home.root}/bin:${home.env.PATH}` } }),
      home.run(["exec", "--", "m", "true"], { env: { PATH: `${home.root}/bin:${home.env.PATH}` } }),
    ]);
    assert.notEqual(a.code, 0);
    assert.deepEqual([a.code, a.stderr], [b.code, b.stderr]);
    // Back to the text validated before: the memo holds again.
    await Deno.writeTextFile(file, good);
    await steady();
  } finally {
    await close();
  }
});

Deno.test("exec's fast path: a store daemon that does not answer is the full path's to handle", async () => {
  const { home, exec, close, daemon } = await setUp();
  try {
    assert.equal((await exec(["exec", "m", "--", "true"])).path, "full");
    assert.equal((await exec(["exec", "m", "--", "true"])).path, "fast");
    // Nothing listens on the store's socket any more (the socket file stays).
    daemon.close();
    const sock = join(home.dataDir, "nix/var/nix/daemon-socket/socket");
    await Deno.writeFile(sock, new Uint8Array()).catch(() => {});
    const r = await exec(["exec", "m", "--", "true"]);
    assert.equal(r.path, "full");
  } finally {
    await close().catch(() => {});
  }
});

Deno.test("exec's fast path: a changed X cookie is pushed by the full path first", async () => {
  const { home, exec, close } = await setUp();
  try {
    const xauth = join(home.root, "Xauthority");
    const cookie = async (byte: number) =>
      await Deno.writeFile(
        xauth,
        serializeXauthority([{
          family: XauthFamily.wild,
          address: new Uint8Array(),
          number: "5",
          name: "MIT-MAGIC-COOKIE-1",
          data: new Uint8Array(16).fill(byte),
        }]),
      );
    const x = { DISPLAY: ":5", XAUTHORITY: xauth };
    await cookie(1);
    const pushes = (r: Run) => r.calls.filter((c) => c.includes("codchi-session")).length;
    const first = await exec(["exec", "m", "--", "true"], x);
    assert.equal(first.path, "full");
    assert.equal(pushes(first), 1);
    const again = await exec(["exec", "m", "--", "true"], x);
    assert.deepEqual([again.path, pushes(again), again.calls.length], ["fast", 0, 1]);
    assert.deepEqual(again.calls, [first.calls.at(-1)]); // (the first exec listed the devices)
    await cookie(2); // the host's cookie changed (a new X session)
    const changed = await exec(["exec", "m", "--", "true"], x);
    assert.deepEqual([changed.path, pushes(changed)], ["full", 1]);
    assert.deepEqual(changed.calls.at(-1), again.calls[0]);
    assert.equal((await exec(["exec", "m", "--", "true"], x)).path, "fast");
  } finally {
    await close();
  }
});

Deno.test("exec's fast path: one trace line per spawn, as the full path's", async () => {
  const { home, exec, close } = await setUp();
  try {
    await exec(["exec", "m", "--", "true"]);
    const env = { PATH: `${home.root}/bin:${home.env.PATH}`, CODCHI_DRIVER: "lxd" };
    const fast = await home.run(["exec", "m", "--", "true"], {
      env: { ...env, CODCHI_TRACE: "1" },
    });
    const full = await home.run(["exec", "--", "m", "true"], {
      env: { ...env, CODCHI_TRACE: "1" },
    });
    assert.equal(fast.traces.length, 1);
    const argv = (t: string) => t.replace(/^codchi-trace: spawn \d+ /, "");
    assert.deepEqual(fast.traces.map(argv), full.traces.map(argv));
  } finally {
    await close();
  }
});
