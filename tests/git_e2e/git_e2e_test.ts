/**
 * The main flow through the REAL CLI against a REAL git server (issue 10 §3, issue 14 clone):
 * `git http-backend` behind HTTPS on the host's 127.0.0.1, reached from the store only through an
 * LXD proxy device (the store has no NIC). Modules are added as users add them (`init <url>
 * <module>`, `module set`, `clone`); a module writes its revision into the built system
 * (`codchi.initScript`, which the test driver flake copies to `<system>/codchi/init-script`), and
 * the machine is asked for that file. One store, few machines.
 *
 * Run with `flock /tmp/codchi-lxd.lock` (scripts/test-git-e2e.sh does).
 */
import { deepEqual, equal, match, ok as assert } from "node:assert/strict";
import { makeHome, testbedEnv, type TestHome } from "../support/cli.ts";
import { execIn, exists, ok, statusOf } from "../contract/cli.ts";
import {
  hostGit,
  lxc,
  moduleFlake,
  removeCodchiContainers,
  testbedReady,
} from "../lxd/e2e_helpers.ts";
import { makeTls, serveGit } from "./git_server.ts";
import { MACHINE_USER, NIX_PATHS } from "../../src/contract.ts";
import { VERSION } from "../../src/version.ts";
import { makeRelease } from "../../scripts/make_release.ts";
import { serveRelease } from "../support/release_server.ts";

const bed = testbedEnv();
const STORE = "codchistore";
const PROXY = "codchi-test-git";
/** The proxy device to the loopback binary cache server. */
const CACHE_PROXY = "codchi-test-cache";
/** A public key in Nix's format (never used to verify anything here). */
const CACHE_KEY = `team-cache-1:${btoa("k".repeat(32))}`;

/** A loopback HTTP server that records the paths asked for and answers 404 (an empty cache). */
function serveCache(): { port: number; seen: string[]; close(): Promise<void> } {
  const seen: string[] = [];
  const srv = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => {
      seen.push(new URL(req.url).pathname);
      return new Response("not here", { status: 404 });
    },
  );
  return { port: srv.addr.port, seen, close: () => srv.shutdown() };
}
/**
 * The repos' default branch. Debian's Nix 2.8 in the test store fetches `master` for a git URL
 * without a ref (newer Nix, as in the release store, asks the server for its HEAD), so the test
 * repos use it; every other branch is named.
 */
const BRANCH = "master";
/** The private repo's token: unique, so a search finds any partial leak. */
const TOKEN = `tok${crypto.randomUUID().replaceAll("-", "")}`;

/** The revision marker the machine's system carries (the module's init script). */
async function marker(home: TestHome, m: string): Promise<string> {
  const r = await execIn(home, m, ["cat", `${NIX_PATHS.systemProfile}/codchi/init-script`]);
  equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

/** A flake whose module marks the system with `label`. */
const markedFlake = (label: string) => moduleFlake(`{ codchi.initScript = "rev-${label}"; }`);

/** Commits `text` as flake.nix in the work repo; returns the commit. */
async function commit(work: string, text: string, msg: string): Promise<string> {
  await Deno.writeTextFile(`${work}/flake.nix`, text);
  await hostGit(work, "add", "-A");
  await hostGit(work, "commit", "-q", "-m", msg);
  return (await hostGit(work, "rev-parse", "HEAD")).trim();
}

/** A bare repo at `bare` holding the work repo's branches and tags. */
async function publish(work: string, bare: string): Promise<void> {
  if (!(await exists(bare))) await hostGit("/", "init", "-q", "--bare", "-b", BRANCH, bare);
  await hostGit(work, "push", "-q", "--force", bare, "--all");
  await hostGit(work, "push", "-q", "--force", bare, "--tags");
}

/** Every host file below `dir` whose bytes contain `needle`. */
async function filesContaining(dir: string, needle: string, skip: string[]): Promise<string[]> {
  const hits: string[] = [];
  const bytes = new TextEncoder().encode(needle);
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = `${d}/${e.name}`;
      if (skip.includes(p)) continue;
      if (e.isDirectory) await walk(p);
      else if (e.isFile) {
        const data = await Deno.readFile(p).catch(() => new Uint8Array());
        if (indexOf(data, bytes) >= 0) hits.push(p);
      }
    }
  };
  await walk(dir);
  return hits;
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Watches every process's argv on this host (containers' included) until stopped. */
function watchArgv(needle: string): { stop(): Promise<string[]> } {
  const seen: string[] = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      for await (const e of Deno.readDir("/proc")) {
        if (!/^\d+$/.test(e.name)) continue;
        const argv = await Deno.readTextFile(`/proc/${e.name}/cmdline`).catch(() => "");
        if (argv.includes(needle)) seen.push(argv.replaceAll("\0", " "));
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    stop: async () => {
      on = false;
      await loop;
      return seen;
    },
  };
}

/**
 * Creates the store (its first use: `codchi gc`) with the test CA as the host's CA bundle
 * (`SSL_CERT_FILE`): codchi hands it into the store before its start and the store's own setup.sh
 * trusts it. Then gives the store its "network": an LXD proxy device from the store's
 * 127.0.0.1:<port> to the host's (loopback on both ends; the store has no NIC).
 */
async function prepareStore(home: TestHome, port: number, caPem: string): Promise<void> {
  const bundle = `${home.root}/host-ca.pem`;
  await Deno.writeTextFile(bundle, caPem);
  home.env.SSL_CERT_FILE = bundle;
  await ok(home, ["gc"]);
  const trusted = await lxc("exec", STORE, "--", "cat", "/etc/ssl/certs/ca-bundle.crt");
  equal(trusted.code, 0, trusted.stderr);
  assert(trusted.stdout.endsWith(caPem), "the store trusts the CA codchi handed in");
  const add = await lxc(
    "config",
    "device",
    "add",
    STORE,
    PROXY,
    "proxy",
    `listen=tcp:127.0.0.1:${port}`,
    `connect=tcp:127.0.0.1:${port}`,
    "bind=container",
  );
  equal(add.code, 0, add.stderr);
  const nics = await lxc("exec", STORE, "--", "ls", "/sys/class/net");
  deepEqual(nics.stdout.trim().split(/\s+/), ["lo"], "the store has loopback only");
  const cfg = await lxc("config", "show", "--expanded", STORE);
  assert(!/type: nic/.test(cfg.stdout), "the store has no NIC device");
}

Deno.test({
  name: "git e2e: modules from a loopback git server through the CLI (init, refs, clone, auth)",
  ignore: !testbedReady(bed) || Deno.uid() !== 0,
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  await removeCodchiContainers();
  const home = await makeHome(bed);
  const tmp = await Deno.makeTempDir({ prefix: "codchi-git-e2e-" });
  const srvRoot = `${tmp}/srv`;
  const work = `${tmp}/work`;
  await Deno.mkdir(`${srvRoot}/team`, { recursive: true });
  await Deno.mkdir(`${srvRoot}/private`, { recursive: true });
  await Deno.mkdir(work);
  await hostGit(work, "init", "-q", "-b", BRANCH);
  const rev: Record<string, string> = {};
  rev.A = await commit(work, markedFlake("A"), "A");
  await hostGit(work, "tag", "v1");
  rev.B = await commit(work, markedFlake("B"), "B");
  await hostGit(work, "checkout", "-q", "-b", "feat", rev.A);
  rev.F = await commit(work, markedFlake("F"), "F");
  await hostGit(work, "checkout", "-q", BRANCH);
  await publish(work, `${srvRoot}/team/app.git`);
  await publish(work, `${srvRoot}/team/app-mirror.git`);
  const priv = `${tmp}/priv`;
  await Deno.mkdir(priv);
  await hostGit(priv, "init", "-q", "-b", BRANCH);
  await commit(priv, markedFlake("P"), "P");
  await publish(priv, `${srvRoot}/private/secret.git`);
  const broken = `${tmp}/broken`;
  await Deno.mkdir(broken);
  await hostGit(broken, "init", "-q", "-b", BRANCH);
  await commit(broken, moduleFlake(`throw "this module is broken"`), "broken");
  await publish(broken, `${srvRoot}/team/broken.git`);

  const tls = await makeTls(tmp);
  const srv = serveGit(srvRoot, tls, { user: "oauth2", token: TOKEN });
  const APP = srv.url("team/app.git");
  const MIRROR = srv.url("team/app-mirror.git");
  const PRIV = srv.url("private/secret.git");
  const timings: string[] = [];
  const timed = async <T>(what: string, f: () => Promise<T>) => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      timings.push(`${what}: ${Math.round(performance.now() - t0)} ms`);
    }
  };
  try {
    await t.step("the store reaches the git server through a loopback proxy only", async () => {
      await timed("store (first use)", () => prepareStore(home, srv.port, tls.caPem));
      const ls = await lxc("exec", STORE, "--", "git", "ls-remote", APP, `refs/heads/${BRANCH}`);
      equal(ls.code, 0, ls.stderr);
      match(ls.stdout, new RegExp(`^${rev.B}\\s`));
    });

    await t.step("init app <url> nixosModules.x builds the branch's head and starts", async () => {
      await timed(
        "init app (remote module)",
        () => ok(home, ["init", "app", APP, "nixosModules.x", "-y"]),
      );
      const st = (await statusOf(home)).app;
      equal(st.status, "UpToDate");
      equal(st.running, true);
      equal(await marker(home, "app"), "rev-B");
      const mods = JSON.parse((await ok(home, ["--json", "module", "list", "app"])).stdout);
      deepEqual(mods, [{ name: "app-x", url: APP, flake_module: "nixosModules.x" }]);
    });

    await t.step(
      "init runs the welcome and init script visibly; codchi-init reruns it",
      async () => {
        const dir = `${tmp}/initmod`;
        await Deno.mkdir(dir);
        await hostGit(dir, "init", "-q", "-b", BRANCH);
        const body = `{
      codchi.initScript = ''
        echo "init ran as $(id -un) in $PWD"
        exit 3
      '';
      codchi.welcome.extraText = "Welcome to the team machine";
    }`;
        await commit(dir, moduleFlake(body), "init");
        await publish(dir, `${srvRoot}/team/initmod.git`);
        const r = await ok(home, [
          "init",
          "ini",
          srv.url("team/initmod.git"),
          "nixosModules.x",
          "-y",
        ]);
        const welcome = r.stdout.indexOf("Welcome to the team machine");
        const ran = r.stdout.indexOf(`init ran as ${MACHINE_USER.name} in ${MACHINE_USER.home}`);
        assert(welcome >= 0 && ran > welcome, `welcome, then the script:\n${r.stdout}`);
        match(r.stderr, /init script of "ini" failed \(exit 3\)/);
        match(r.stdout, /Machine "ini" is UpToDate\./);
        assert(await exists(`${home.dataDir}/machine/ini/.local/state/codchi/init-done`));
        const again = await execIn(home, "ini", ["codchi-init"]);
        equal(again.code, 3, again.stderr);
        assert(again.stdout.includes(`init ran as ${MACHINE_USER.name} in ${MACHINE_USER.home}`));
        await ok(home, ["delete", "ini", "--i-am-really-sure"]);
      },
    );

    await t.step("a new commit: rebuild -n keeps the locked one, rebuild picks it up", async () => {
      rev.C = await commit(work, markedFlake("C"), "C");
      await publish(work, `${srvRoot}/team/app.git`);
      await ok(home, ["rebuild", "-n", "app"]);
      equal(await marker(home, "app"), "rev-B", "rebuild -n moved to the new commit");
      await timed("rebuild (lock update)", () => ok(home, ["rebuild", "app"]));
      equal(await marker(home, "app"), "rev-C");
      const lock = JSON.parse(await Deno.readTextFile(`${home.configDir}/machines/app/flake.lock`));
      equal(lock.nodes["app-x"].locked.rev, rev.C);
    });

    await t.step(
      "config.json nix.substituters: the store's builds ask the team cache",
      async () => {
        const cfgFile = `${home.configDir}/config.json`;
        // A bad URL is refused before anything runs (exit 5); the machine is untouched.
        await Deno.writeTextFile(
          cfgFile,
          JSON.stringify({ nix: { substituters: ["ftp://cache.invalid"] } }),
        );
        const bad = await home.run(["rebuild", "app"]).finally(() => Deno.remove(cfgFile));
        equal(bad.code, 5, bad.stderr);
        match(bad.stderr, /binary cache URL/);
        equal(await marker(home, "app"), "rev-C");
        const cache = serveCache();
        const add = await lxc(
          "config",
          "device",
          "add",
          STORE,
          CACHE_PROXY,
          "proxy",
          `listen=tcp:127.0.0.1:${cache.port}`,
          `connect=tcp:127.0.0.1:${cache.port}`,
          "bind=container",
        );
        equal(add.code, 0, add.stderr);
        try {
          await Deno.writeTextFile(
            cfgFile,
            JSON.stringify({
              nix: {
                substituters: [`http://127.0.0.1:${cache.port}/team-cache`],
                trustedPublicKeys: [CACHE_KEY],
              },
            }),
          );
          rev.D = await commit(work, markedFlake("D"), "D");
          await publish(work, `${srvRoot}/team/app.git`);
          await ok(home, ["rebuild", "app"]);
          equal(await marker(home, "app"), "rev-D", "the build goes on without the (empty) cache");
          assert(
            cache.seen.includes("/team-cache/nix-cache-info"),
            `the store never asked the team cache: ${JSON.stringify(cache.seen)}`,
          );
        } finally {
          await Deno.remove(cfgFile).catch(() => {});
          await lxc("config", "device", "remove", STORE, CACHE_PROXY);
          await cache.close();
        }
      },
    );

    await t.step("--tag, --branch and --commit each build exactly that revision", async () => {
      await ok(home, ["init", "refs", APP, "nixosModules.x", "--tag", "v1", "-y"]);
      equal(await marker(home, "refs"), "rev-A", "--tag v1");
      await ok(home, ["module", "set", "refs", "app-x", "--branch", "feat", "-y"]);
      equal(await marker(home, "refs"), "rev-F", "--branch feat");
      // Only the URL changes: the branch is asked about; no terminal and no -y is an error.
      const cfgFile = `${home.configDir}/machines/refs/machine.json`;
      const before = await Deno.readTextFile(cfgFile);
      const asked = await home.run(["module", "set", "refs", "app-x", "--url", MIRROR]);
      equal(asked.code, 2, asked.stderr);
      match(asked.stderr, /keep the branch\/tag "feat"/);
      equal(await Deno.readTextFile(cfgFile), before, "a refused set changed machine.json");
      await ok(home, ["module", "set", "refs", "app-x", "--url", MIRROR, "-y"]);
      const moved = JSON.parse(await Deno.readTextFile(cfgFile)).modules[0].source;
      equal(moved.path, "/team/app-mirror.git");
      equal(moved.ref, "feat", "-y keeps the branch");
      equal(await marker(home, "refs"), "rev-F", "the mirror's feat");
      // B is no branch's head any more (master is at C): the commit itself is built.
      await ok(home, ["module", "set", "refs", "app-x", "--commit", rev.B, "-y"]);
      equal(await marker(home, "refs"), "rev-B", "--commit B");
      await ok(home, ["delete", "refs", "--i-am-really-sure"]);
    });

    await t.step("nixpkgs: auto takes a module's own, -p local/remote on module set", async () => {
      const pkgs = `${tmp}/pkgs`;
      await Deno.mkdir(pkgs);
      await hostGit(pkgs, "init", "-q", "-b", BRANCH);
      await commit(pkgs, '{ outputs = { self }: { marker = "team-nixpkgs"; }; }\n', "pkgs");
      await publish(pkgs, `${srvRoot}/team/pkgs.git`);
      const np = `${tmp}/np`;
      await Deno.mkdir(np);
      await hostGit(np, "init", "-q", "-b", BRANCH);
      const pkgsUrl = `git+${srv.url("team/pkgs.git")}`;
      const withPkgs = markedFlake("NP").replace(
        "{\n  outputs = { self }:",
        `{\n  inputs.nixpkgs.url = "${pkgsUrl}";\n` +
          `  nixConfig.extra-substituters = [ "http://127.0.0.1:1/module-cache" ];\n` +
          `  nixConfig.extra-trusted-public-keys = [ "${CACHE_KEY}" ];\n` +
          "  outputs = { self, nixpkgs }:",
      );
      await commit(np, withPkgs, "np");
      await publish(np, `${srvRoot}/team/np.git`);
      const NP = srv.url("team/np.git");
      const cfg = async () =>
        JSON.parse(await Deno.readTextFile(`${home.configDir}/machines/np/machine.json`));
      const flake = () => Deno.readTextFile(`${home.configDir}/machines/np/flake.nix`);
      const init = await ok(home, ["init", "np", NP, "nixosModules.x", "-y"]);
      match(init.stderr + init.stdout, /Using the nixpkgs of/);
      // The flake's nixConfig cache is offered, but -y never accepts it.
      match(
        init.stderr,
        /asks for the binary cache http:\/\/127\.0\.0\.1:1\/module-cache; not used \(-y never accepts caches\)/,
      );
      equal((await cfg()).caches, undefined, "nothing accepted, nothing remembered");
      equal((await cfg()).nixpkgsFrom, "np-x", "auto: the module's flake has a nixpkgs input");
      match(await flake(), /nixpkgs = inputs\.np-x\.inputs\.nixpkgs;/);
      assert(!(await flake()).includes("np-x.inputs.nixpkgs.follows"));
      equal(await marker(home, "np"), "rev-NP");
      await ok(home, ["module", "set", "np", "np-x", "-p", "local", "-N", "-y"]);
      equal((await cfg()).nixpkgsFrom, "local", "module set -p local");
      match(await flake(), /np-x\.inputs\.nixpkgs\.follows = "codchi_driver\/nixpkgs";/);
      await ok(home, ["module", "set", "np", "np-x", "-p", "remote", "-N", "-y"]);
      equal((await cfg()).nixpkgsFrom, "np-x", "module set -p remote");
      // A module without a nixpkgs input cannot give the machine its nixpkgs.
      const refused = await home.run([
        "module",
        "add",
        "np",
        APP,
        "nixosModules.x",
        "-p",
        "remote",
        "-y",
        "-N",
      ]);
      equal(refused.code, 2, refused.stderr);
      match(refused.stderr, /has no nixpkgs input/);
      equal((await cfg()).modules.length, 1);
      await ok(home, ["delete", "np", "--i-am-really-sure"]);
    });

    await t.step(
      "clone: a checkout in the home, the machine user's, the module on it",
      async () => {
        const res = await timed(
          "clone (one build)",
          () => ok(home, ["clone", "cl", APP, "nixosModules.x", "--branch", "feat", "-y"]),
        );
        match(res.stdout, /checkout is ~\/app/);
        equal((await statusOf(home)).cl.status, "UpToDate");
        equal(await marker(home, "cl"), "rev-F");
        const who = await execIn(home, "cl", [
          "stat",
          "-c",
          "%U:%G",
          "app",
          "app/flake.nix",
          "app/.git",
        ]);
        equal(who.stdout, "codchi:users\ncodchi:users\ncodchi:users\n", who.stderr);
        const head = await execIn(home, "cl", [
          "git",
          "-C",
          "app",
          "rev-parse",
          "HEAD",
          "--abbrev-ref",
          "HEAD",
        ]);
        equal(head.stdout, `${rev.F}\nfeat\n`, head.stderr);
        const mods = JSON.parse((await ok(home, ["--json", "module", "list", "cl"])).stdout);
        deepEqual(mods, [{ name: "app-x", url: "app", flake_module: "nixosModules.x" }]);
        // The machine user edits the checkout; the next build takes the edit.
        const edit = await execIn(home, "cl", [
          "sed",
          "-i",
          "s/rev-F/rev-edited/",
          "app/flake.nix",
        ]);
        equal(edit.code, 0, edit.stderr);
        await ok(home, ["rebuild", "cl"]);
        equal(await marker(home, "cl"), "rev-edited");
        await ok(home, ["delete", "cl", "--i-am-really-sure"]);
      },
    );

    await t.step(
      "clone --commit -N -n: exactly that commit, no build, no init script",
      async () => {
        const res = await ok(home, [
          "clone",
          "cn",
          APP,
          "nixosModules.x",
          "--commit",
          rev.A,
          "-N",
          "-n",
          "-y",
          "--dir",
          "src/app",
        ]);
        match(res.stdout, /NotInstalled; the checkout is ~\/src\/app/);
        equal((await statusOf(home)).cn.status, "NotInstalled");
        const ctn = await lxc("info", "codchi-cn");
        assert(ctn.code !== 0, "clone -N made a container");
        const checkout = `${home.dataDir}/machine/cn/src/app`;
        const head = await hostGit(checkout, "-c", "safe.directory=*", "rev-parse", "HEAD");
        equal(head.trim(), rev.A);
        assert(await exists(`${home.dataDir}/machine/cn/.local/state/codchi/init-done`));
        await ok(home, ["rebuild", "cn"]);
        equal(await marker(home, "cn"), "rev-A");
        const who = await execIn(home, "cn", [
          "stat",
          "-c",
          "%U",
          "src",
          "src/app",
          "src/app/flake.nix",
        ]);
        equal(who.stdout, "codchi\ncodchi\ncodchi\n", who.stderr);
        await ok(home, ["delete", "cn", "--i-am-really-sure"]);
      },
    );

    await t.step(
      "a private repo: --auth - (stdin), then clone with the keychain's token; it leaks nowhere",
      async () => {
        const argv = watchArgv(TOKEN);
        const trace = { CODCHI_TRACE: "1" };
        const init = await home.run(
          ["init", "priv", PRIV, "nixosModules.x", "-y", "--auth", "-"],
          { stdin: `${TOKEN}\n`, env: trace },
        );
        equal(init.code, 0, init.stderr);
        equal(await marker(home, "priv"), "rev-P");
        const clone = await home.run(["clone", "pcl", PRIV, "nixosModules.x", "-y"], {
          env: trace,
        });
        equal(clone.code, 0, clone.stderr);
        equal(await marker(home, "pcl"), "rev-P");
        deepEqual(await argv.stop(), [], "the token appeared in a process's argv");
        assert(init.traces.length > 0 && clone.traces.length > 0, "traces were written");
        for (const r of [init, clone]) {
          assert(!r.stderr.includes(TOKEN), "the token is in a trace or stderr");
          assert(!r.stdout.includes(TOKEN), "the token is on stdout");
        }
        const basic = `Basic ${btoa(`oauth2:${TOKEN}`)}`;
        const authed = srv.seen.filter((s) => s.path.startsWith("/private/") && s.status === 200);
        assert(authed.length > 0 && authed.every((s) => s.authorization === basic));
        const gitConfig = await Deno.readTextFile(`${home.dataDir}/machine/pcl/secret/.git/config`);
        match(gitConfig, new RegExp(`url = ${PRIV.replaceAll(".", "\\.")}\\n`));
        // The secret store's own file is where the token is kept (file backend here).
        const keychain = `${home.dataDir}/secrets.json`;
        assert((await Deno.readTextFile(keychain)).includes(TOKEN), "the token was not stored");
        deepEqual(await filesContaining(home.root, TOKEN, [keychain]), []);
        const inStore = await lxc(
          "exec",
          STORE,
          "--",
          "grep",
          "-rlF",
          TOKEN,
          "/etc",
          "/root",
          "/tmp",
          "/var/tmp",
        );
        equal(inStore.stdout, "", "the token is in a file of the store");
        await ok(home, ["delete", "pcl", "--i-am-really-sure"]);
        await ok(home, ["delete", "priv", "--i-am-really-sure"]);
      },
    );

    await t.step("a failed clone leaves no machine behind", async () => {
      const gone = async (m: string) => {
        assert(!(await exists(`${home.configDir}/machines/${m}`)), `config of ${m} left`);
        assert(!(await exists(`${home.dataDir}/machine/${m}`)), `home of ${m} left`);
        assert((await lxc("info", `codchi-${m}`)).code !== 0, `container of ${m} left`);
        assert(!(m in (await statusOf(home))), `${m} still listed`);
      };
      const missing = await home.run([
        "clone",
        "bad",
        srv.url("team/nope.git"),
        "nixosModules.x",
        "-y",
      ]);
      equal(missing.code, 6, missing.stderr);
      // (the module's flake is read before the clone: that read fails first)
      match(missing.stderr, /(git clone of|Could not read the flake of) .*nope\.git/);
      await gone("bad");
      const brk = await home.run([
        "clone",
        "brk",
        srv.url("team/broken.git"),
        "nixosModules.x",
        "-y",
      ]);
      equal(brk.code, 6, brk.stderr);
      match(brk.stderr, /this module is broken/);
      await gone("brk");
      const commitMissing = await home.run([
        "clone",
        "nocommit",
        APP,
        "nixosModules.x",
        "--commit",
        "0".repeat(40),
        "-y",
      ]);
      equal(commitMissing.code, 6, commitMissing.stderr);
      await gone("nocommit");
    });

    await t.step("delete app: nothing of it is left", async () => {
      await ok(home, ["delete", "app", "--i-am-really-sure"]);
      deepEqual(await statusOf(home), {});
      assert((await lxc("info", "codchi-app")).code !== 0);
    });

    await t.step(
      "the README's first example, images from a loopback release (no CODCHI_*_IMAGE)",
      async () => {
        // A fresh host: its own store, made from the release's images.
        await removeCodchiContainers();
        const relDir = `${tmp}/release`;
        await makeRelease(relDir, VERSION, {
          "lxd-store": bed.CODCHI_LXD_STORE_IMAGE,
          "lxd-machine": bed.CODCHI_LXD_MACHINE_IMAGE,
        });
        const rel = serveRelease(relDir);
        const user = await makeHome({
          CODCHI_RELEASE_URL: rel.url,
          CODCHI_DRIVER_FLAKE: bed.CODCHI_DRIVER_FLAKE,
          // The test's own lxc calls (the store's loopback proxy) look in the default project.
          CODCHI_LXD_PROJECT: "default",
        });
        assert(!Object.keys(user.env).some((k) => /^CODCHI_.*_IMAGE$/.test(k)));
        try {
          const acme = `${tmp}/acme`;
          await Deno.mkdir(acme);
          await hostGit(acme, "init", "-q", "-b", BRANCH);
          const jvm = (label: string) =>
            moduleFlake(`{ codchi.initScript = "rev-${label}"; }`)
              .replace("nixosModules.x", "nixosModules.jvm");
          await commit(acme, jvm("J1"), "J1");
          await publish(acme, `${srvRoot}/acme/app`);
          await timed(
            "README: store from the release",
            () => prepareStore(user, srv.port, tls.caPem),
          );
          const url = srv.url("acme/app");
          await timed(
            "README: codchi init java",
            () => ok(user, ["init", "java", url, "nixosModules.jvm"]),
          );
          const images = rel.imageRequests().filter((r) => r.status < 300).map((r) => r.path);
          deepEqual(
            [...new Set(images)].sort(),
            ["codchi-lxd-machine.tar", "codchi-lxd-store.tar"],
            "both images came from the release",
          );
          equal(await marker(user, "java"), "rev-J1");
          const st = await ok(user, ["status"]);
          match(st.stdout, /^java\s+UpToDate\s+yes\s/m);
          await commit(acme, jvm("J2"), "J2");
          await publish(acme, `${srvRoot}/acme/app`);
          await ok(user, ["rebuild", "java"]);
          equal(await marker(user, "java"), "rev-J2");
          await ok(user, ["delete", "java", "--i-am-really-sure"]);
          deepEqual(await statusOf(user), {});
          assert((await lxc("info", "codchi-java")).code !== 0, "the container is left");
        } finally {
          await rel.close();
          await lxc("config", "device", "remove", STORE, PROXY);
          await removeCodchiContainers();
          await user.cleanup();
        }
      },
    );
  } finally {
    console.log(`git e2e timings:\n  ${timings.join("\n  ")}`);
    await srv.close();
    await lxc("config", "device", "remove", STORE, PROXY);
    await removeCodchiContainers();
    await home.cleanup();
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
});
