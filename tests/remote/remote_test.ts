/**
 * Machines on a remote server, through the real CLI: the local LXD daemon exposed on the loopback
 * address only (scripts/test-remote.sh sets core.https_address to 127.0.0.1:8443 and puts it back),
 * added with `codchi remote add` and a one-time trust token on stdin, in a throw-away client
 * config (LXD_CONF). One temp HOME, one machine for every step: init, a module added as users
 * add one (a git checkout in the machine's home, `codchi module add`), exec, status (one call),
 * and no host folder bound into anything made through the remote; then delete.
 * Run under `flock /tmp/codchi-lxd.lock` (scripts/test-remote.sh does).
 */
import { deepStrictEqual as deepEqual, equal, match, ok as assert } from "node:assert/strict";
import { makeHome, testbedEnv } from "../support/cli.ts";
import { ENGINE, ENGINE_BIN } from "../support/engine.ts";
import { haveTestbed, lxc, ok } from "../lxd/cli_support.ts";
import { hostGit, moduleFlake } from "../lxd/e2e_helpers.ts";
import { makeTls, serveGit } from "../git_e2e/git_server.ts";

const ADDR = Deno.env.get("CODCHI_TEST_REMOTE_ADDR") ?? "";
const bed = testbedEnv();
const R = "lo";
const M = "rmt";
const loopback = /^127\.0\.0\.1:\d+$/.test(ADDR);
/** The member's name when the server is a one-member cluster. */
const CLUSTER = Deno.env.get("CODCHI_TEST_REMOTE_CLUSTER") ?? "";

interface Instance {
  name: string;
  project: string;
  /** The cluster member it runs on ("none" outside a cluster). */
  location: string;
  expanded_devices: Record<string, Record<string, string>>;
}

/** Every instance of every project, seen by the local client (not through the remote). */
async function allInstances(): Promise<Instance[]> {
  const out = await lxc("list", "--all-projects", "--format", "json");
  equal(out.code, 0, out.err);
  return JSON.parse(out.text) as Instance[];
}

/** Custom volumes of the default pool (volumes live in the default project). */
async function customVolumes(): Promise<string[]> {
  const out = await lxc("storage", "volume", "list", "default", "--format", "json");
  equal(out.code, 0, out.err);
  return (JSON.parse(out.text) as { name: string; type: string }[])
    .filter((v) => v.type === "custom").map((v) => v.name);
}

/** Removes what a project holds (instances, images, volumes named after it) and the project. */
async function dropProject(p: string): Promise<void> {
  for (const i of (await allInstances()).filter((i) => i.project === p)) {
    await lxc("delete", "--force", "--project", p, i.name);
  }
  const imgs = await lxc("image", "list", "--project", p, "--format", "json");
  if (imgs.code === 0) {
    for (const i of JSON.parse(imgs.text) as { fingerprint: string }[]) {
      await lxc("image", "delete", "--project", p, i.fingerprint);
    }
  }
  for (const v of (await customVolumes()).filter((v) => v.startsWith(`${p}-`))) {
    await lxc("storage", "volume", "delete", "default", v);
  }
  await lxc("project", "delete", p);
}

Deno.test({
  name: `${ENGINE_BIN} remote: machines on a ${
    CLUSTER ? "one-member cluster" : "server"
  } added with codchi remote add (loopback)`,
  ignore: !haveTestbed(bed) || !loopback,
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  // Its own project (not the shared default one) and its own client config: nothing of the
  // other suites is touched, and the remote exists only for this home.
  const { CODCHI_LXD_PROJECT: _shared, ...own } = bed;
  const home = await makeHome(own);
  const lxdConf = `${home.root}/lxc-client`;
  home.env.LXD_CONF = lxdConf;
  home.env.INCUS_CONF = lxdConf;
  const trustName = `codchi-remote-test-${Deno.pid}`;
  /** Runs the engine's client with this home's client config (its remotes); must succeed. */
  const client = async (...args: string[]) => {
    const out = await new Deno.Command(ENGINE_BIN, {
      args,
      env: { LXD_CONF: lxdConf, INCUS_CONF: lxdConf },
      stdout: "null",
      stderr: "piped",
    }).output();
    equal(out.code, 0, `${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  };
  let project = "";
  // A loopback git server over HTTPS for `clone`; its CA is the host's CA bundle, which codchi
  // hands into the store (on the server too).
  const srvRoot = `${home.root}/git`;
  const work = `${home.root}/work`;
  await Deno.mkdir(work, { recursive: true });
  await hostGit(work, "init", "-q", "-b", "master");
  await Deno.writeTextFile(
    `${work}/flake.nix`,
    moduleFlake(`{ ... }: { codchi.welcome.text = "cloned-on-the-remote"; }`),
  );
  await hostGit(work, "add", "-A");
  await hostGit(work, "commit", "-q", "-m", "app");
  await hostGit("/", "init", "-q", "--bare", "-b", "master", `${srvRoot}/app.git`);
  await hostGit(work, "push", "-q", `${srvRoot}/app.git`, "master");
  const tls = await makeTls(home.root);
  await Deno.writeTextFile(`${home.root}/host-ca.pem`, tls.caPem);
  home.env.SSL_CERT_FILE = `${home.root}/host-ca.pem`;
  const srv = serveGit(srvRoot, tls, { user: "oauth2", token: "unused" });
  try {
    await t.step("bad names and URLs are refused before anything runs", async () => {
      for (
        const [name, url] of [
          ["a b", `https://${ADDR}`],
          ["local", `https://${ADDR}`],
          [R, `http://${ADDR}`],
          [R, `https://user:pw@${ADDR}`],
          [R, `https://${ADDR}/x`],
        ]
      ) {
        const r = await home.run(["remote", "add", name, url], { stdin: "token\n" });
        equal(r.code, 2, `${name} ${url}: ${r.stderr}`);
      }
      // Nothing ran: the client never made its config.
      equal(await Deno.stat(lxdConf).then(() => true, () => false), false);
    });

    await t.step(
      "remote add: the trust token on stdin (never in argv), then remote list",
      async () => {
        // LXD 5.0 names the client with --name, Incus takes it as the argument.
        const tok = ENGINE === "incus"
          ? await lxc("config", "trust", "add", trustName, "-q")
          : await lxc("config", "trust", "add", "--name", trustName, "-q");
        equal(tok.code, 0, tok.err);
        const token = tok.text.trim().split("\n").pop()!;
        const r = await home.run(["remote", "add", R, `https://${ADDR}`], {
          stdin: `${token}\n`,
          env: { CODCHI_TRACE: "1" },
        });
        equal(r.code, 0, r.stderr);
        assert(!r.stderr.includes(token), "the token shows nowhere");
        const list = JSON.parse((await ok(home, ["--json", "remote", "list"])).stdout);
        deepEqual(list.map((x: { name: string; url: string }) => [x.name, x.url]), [
          [R, `https://${ADDR}`],
        ]);
        // A second add of the same name is a conflict, before any token is read.
        const again = await home.run(["remote", "add", R, `https://${ADDR}`], { stdin: "x\n" });
        equal(again.code, 4, again.stderr);
      },
    );

    await Deno.writeTextFile(
      `${home.configDir}/config.json`,
      JSON.stringify({ remote: R }),
    ).catch(async () => {
      await Deno.mkdir(home.configDir, { recursive: true });
      await Deno.writeTextFile(`${home.configDir}/config.json`, JSON.stringify({ remote: R }));
    });

    await t.step("doctor names the remote in use, and that it answers", async () => {
      const r = await home.run(["doctor", "--json"]);
      const checks = JSON.parse(r.stdout).checks as { name: string; ok: boolean; detail: string }[];
      const row = checks.find((c) => c.name === "remote");
      assert(row?.ok, r.stdout);
      match(row.detail, new RegExp(`^${R} \\(config\\.json remote\\)`));
      // Which daemon (the engine under test), which project, which remote.
      match(checks.find((c) => c.name === "driver")!.detail, new RegExp(`^${ENGINE} `));
      project = checks.find((c) => c.name === "project")!.detail.split(" ")[0];
      match(project, /^codchi-/);
    });

    await t.step("init through the remote: store and machine made there, running", async () => {
      const r = await home.run(["init", M], { env: { CODCHI_TRACE: "1" } });
      equal(r.code, 0, r.stderr);
      // Every call of the engine's client went to the remote, none to the local socket.
      const calls = r.traces.filter((l) =>
        new RegExp(`^codchi-trace: spawn \\d+ \\d+ ${ENGINE_BIN} `).test(l)
      );
      assert(calls.length > 10, r.traces.join("\n"));
      for (const l of calls) match(l, new RegExp(` ${R}:`), l);
      const mine = (await allInstances()).filter((i) => i.project === project);
      deepEqual(mine.map((i) => i.name).sort(), ["codchi-rmt", "codchistore"]);
      // On a cluster (scripts/test-remote.sh --incus-cluster) the engine placed them on its member.
      if (CLUSTER) { for (const i of mine) equal(i.location, CLUSTER, i.name); }
    });

    await t.step("no host folder is bound into any instance made through the remote", async () => {
      const mine = (await allInstances()).filter((i) => i.project === project);
      for (const inst of mine) {
        for (const [name, d] of Object.entries(inst.expanded_devices)) {
          if (d.type !== "disk") continue;
          assert(d.pool, `${inst.name}: ${name} is not a storage volume: ${JSON.stringify(d)}`);
          if (d.path !== "/") {
            assert(d.source?.startsWith(`${project}-`), `${inst.name}: ${name} ${d.source}`);
          }
        }
      }
      const vols = await customVolumes();
      for (const v of [`${project}-nix`, `${project}-home-${M}`, `${project}-prof-${M}`]) {
        assert(vols.includes(v), `${v} in ${vols.join(" ")}`);
      }
    });

    await t.step(
      "a module added as users add one: a checkout in the home, then module add",
      async () => {
        const text = "built-through-the-remote";
        const script = "mkdir -p ~/mod && cat > ~/mod/flake.nix && cd ~/mod && git init -q && " +
          "git add -A && git -c user.name=t -c user.email=t@codchi.invalid commit -qm module";
        const w = await home.run(["exec", M, "--", "sh", "-c", script], {
          stdin: moduleFlake(`{ ... }: { codchi.welcome.text = "${text}"; }`),
        });
        equal(w.code, 0, w.stderr);
        const add = await home.run(["module", "add", M, "mod", "nixosModules.x"]);
        equal(add.code, 0, add.stderr);
        // The store built from the home volume; the machine sees the new system through its
        // profiles volume and the store's /nix volume.
        const welcome = await home.run([
          "exec",
          M,
          "--",
          "cat",
          "/nix/var/nix/profiles/system/codchi/welcome",
        ]);
        equal(welcome.code, 0, welcome.stderr);
        match(welcome.stdout, new RegExp(text));
        // nix wrote the lock in the store's copy of the flake; the host has the same one.
        const there = await lxc(
          "exec",
          "--project",
          project,
          "codchistore",
          "--",
          "cat",
          `/config/machines/${M}/flake.lock`,
        );
        equal(there.code, 0, there.err);
        match(there.text, new RegExp(`"url": "file:///codchi/homes/${M}/mod"`));
        equal(await Deno.readTextFile(`${home.configDir}/machines/${M}/flake.lock`), there.text);
      },
    );

    await t.step("exec passes argv exactly, as the machine user", async () => {
      const r = await home.run([
        "exec",
        M,
        "--",
        "sh",
        "-c",
        'printf "<%s>" "$@"; id -un',
        "sh",
        "a b",
        "$x",
      ]);
      equal(r.code, 0, r.stderr);
      equal(r.stdout, "<a b><$x>codchi\n");
    });

    await t.step("status: one call to the remote, the machine running", async () => {
      const r = await home.run(["--json", "status"], { env: { CODCHI_TRACE: "1" } });
      equal(r.code, 0, r.stderr);
      const rows = JSON.parse(r.stdout) as {
        name: string;
        running: boolean;
        status: string;
        home: string;
        remote?: string;
      }[];
      const me = rows.find((x) => x.name === M);
      equal(me?.running, true, r.stdout);
      // The lock the host has is the one built: up to date. The home is the remote's.
      equal(me?.status, "UpToDate", r.stdout);
      equal(me?.home, `${R}:/home/codchi`);
      equal(me?.remote, R);
      equal(r.traces.length, 1, r.traces.join("\n"));
      match(r.traces[0], new RegExp(`list -q --format json ${R}:codchi`));
    });

    await t.step("rebuild and duplicate on the server: the copy has the home's files", async () => {
      await ok(home, ["exec", M, "--", "sh", "-c", "echo hello-from-rmt > ~/hello.txt"]);
      const rb = await home.run(["rebuild", M]);
      equal(rb.code, 0, rb.stderr);
      await ok(home, ["duplicate", M, `${M}2`]);
      const cat = await home.run(["exec", `${M}2`, "--", "cat", "/home/codchi/hello.txt"]);
      equal(cat.code, 0, cat.stderr);
      equal(cat.stdout, "hello-from-rmt\n");
      // Its own volumes, not the source's.
      const mine = (await allInstances()).filter((i) => i.project === project);
      const dup = mine.find((i) => i.name === `codchi-${M}2`)!;
      equal(dup.expanded_devices["codchi-home"].source, `${project}-home-${M}2`);
      await ok(home, ["delete", `${M}2`, "--i-am-really-sure"]);
      const vols = await customVolumes();
      equal(vols.some((v) => v.endsWith(`-${M}2`)), false, vols.join(" "));
    });

    await t.step(
      "tar streams the machine from the server; gc keeps what the machine runs",
      async () => {
        const file = `${home.root}/rmt.tar`;
        await ok(home, ["tar", M, file]);
        const list = await new Deno.Command("tar", { args: ["-tf", file], stdout: "piped" })
          .output();
        equal(list.code, 0);
        match(new TextDecoder().decode(list.stdout), /home\/codchi\/hello\.txt/);
        await ok(home, ["gc", "-d", "-a"]);
        const welcome = await home.run([
          "exec",
          M,
          "--",
          "cat",
          "/nix/var/nix/profiles/system/codchi/welcome",
        ]);
        equal(welcome.code, 0, welcome.stderr);
      },
    );

    // The cluster run (CI time) takes the core steps; clone and recover run on LXD and Incus.
    if (!CLUSTER) {
      await t.step("clone on the remote: built, cloned into the home volume, rebuilt", async () => {
        // The store's only way out: a proxy device on the server's loopback (here: this host's).
        const add = await lxc(
          "config",
          "device",
          "add",
          "--project",
          project,
          "codchistore",
          "codchi-test-git",
          "proxy",
          `listen=tcp:127.0.0.1:${srv.port}`,
          `connect=tcp:127.0.0.1:${srv.port}`,
          "bind=container",
        );
        equal(add.code, 0, add.err);
        const url = srv.url("app.git");
        // -N cannot work where the home exists only once the machine is built: refused first.
        const refused = await home.run(["clone", "cl", url, "nixosModules.x", "-N"]);
        equal(refused.code, 7, refused.stderr);
        equal(
          await Deno.stat(`${home.configDir}/machines/cl`).then(() => true, () => false),
          false,
        );
        await ok(home, ["clone", "cl", url, "nixosModules.x", "-y"]);
        const r = await home.run([
          "exec",
          "cl",
          "--",
          "sh",
          "-c",
          "git -C app rev-parse --abbrev-ref HEAD; stat -c %U app/flake.nix; " +
          "cat /nix/var/nix/profiles/system/codchi/welcome",
        ]);
        equal(r.code, 0, r.stderr);
        match(r.stdout, /^master\ncodchi\n[^]*cloned-on-the-remote/);
        const mods = JSON.parse((await ok(home, ["--json", "module", "list", "cl"])).stdout);
        equal(mods[0]?.url, "app", JSON.stringify(mods));
        await ok(home, ["delete", "cl", "--i-am-really-sure"]);
      });
    }

    await t.step("store debug runs in the remote store", async () => {
      const r = await home.run([
        "store",
        "debug",
        "--",
        "sh",
        "-c",
        `test -f /codchi/homes/${M}/hello.txt && test -S /nix/var/nix/daemon-socket/socket && exit 7`,
      ]);
      equal(r.code, 7, r.stderr);
    });

    // The cluster run (CI time) takes the core steps; clone and recover run on LXD and Incus.
    if (!CLUSTER) {
      await t.step("recover and store recover on the server: home and system stay", async () => {
        await ok(home, ["recover", M]);
        await ok(home, ["store", "recover"]);
        const r = await home.run([
          "exec",
          M,
          "--",
          "sh",
          "-c",
          "cat ~/hello.txt /nix/var/nix/profiles/system/codchi/welcome",
        ]);
        equal(r.code, 0, r.stderr);
        match(r.stdout, /^hello-from-rmt\n[^]*built-through-the-remote/);
        // The re-created store still builds this machine (its volumes are back in the store).
        await ok(home, ["rebuild", M]);
      });
    }

    await t.step("an unreachable remote is a typed error with a hint (exit 9)", async () => {
      // The client's address of the remote points at a closed loopback port (the server stays
      // as it is: a cluster member keeps listening on its cluster address anyway).
      const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const port = (closed.addr as Deno.NetAddr).port;
      closed.close();
      await client("remote", "set-url", R, `https://127.0.0.1:${port}`);
      try {
        for (const argv of [["status"], ["exec", M, "--", "true"]]) {
          const r = await home.run(argv);
          equal(r.code, 9, `${argv.join(" ")}: ${r.stderr}`);
          match(r.stderr, new RegExp(`Cannot reach the remote "${R}"`));
          match(r.stderr, /core\.https_address/);
        }
      } finally {
        await client("remote", "set-url", R, `https://${ADDR}`);
      }
      await ok(home, ["status"]);
    });

    await t.step(
      "a remote that no longer trusts this client: typed error, then the hint's way back",
      async () => {
        const trust = await lxc("config", "trust", "list", "--format", "json");
        for (const c of JSON.parse(trust.text) as { name: string; fingerprint: string }[]) {
          if (c.name === trustName) await lxc("config", "trust", "remove", c.fingerprint);
        }
        const r = await home.run(["status"]);
        equal(r.code, 9, r.stderr);
        match(r.stderr, new RegExp(`"${R}" does not trust this client`));
        // doctor says so too (the server answers /1.0 to anyone, as untrusted).
        const doc = await home.run(["doctor", "--json"]);
        const row =
          (JSON.parse(doc.stdout).checks as { name: string; ok: boolean; detail: string }[])
            .find((c) => c.name === "remote");
        equal(row?.ok, false, doc.stdout);
        match(row!.detail, /does not trust this client/);
        // The hint: forget the remote in the client, add it again with a new token.
        await client("remote", "remove", R);
        const tok = ENGINE === "incus"
          ? await lxc("config", "trust", "add", trustName, "-q")
          : await lxc("config", "trust", "add", "--name", trustName, "-q");
        const token = tok.text.trim().split("\n").pop()!;
        const add = await home.run(["remote", "add", R, `https://${ADDR}`], {
          stdin: `${token}\n`,
        });
        equal(add.code, 0, add.stderr);
        const st = JSON.parse((await ok(home, ["--json", "status"])).stdout);
        equal(st.find((x: { name: string }) => x.name === M)?.running, true);
      },
    );

    await t.step("remote remove refuses the remote in use", async () => {
      const r = await home.run(["remote", "remove", R]);
      equal(r.code, 4, r.stderr);
    });

    await t.step(
      "delete: the container and the machine's volumes go; the store stays",
      async () => {
        await ok(home, ["delete", M, "--i-am-really-sure"]);
        const mine = (await allInstances()).filter((i) => i.project === project);
        deepEqual(mine.map((i) => i.name), ["codchistore"]);
        const vols = await customVolumes();
        equal(vols.includes(`${project}-home-${M}`), false, vols.join(" "));
        equal(vols.includes(`${project}-prof-${M}`), false, vols.join(" "));
        const store = mine[0].expanded_devices;
        equal(Object.keys(store).some((d) => d.endsWith(`-${M}`)), false, JSON.stringify(store));
      },
    );

    await t.step(
      "uninstall: the store, the project and its volumes go from the server",
      async () => {
        await ok(home, ["uninstall", "--i-am-really-sure"]);
        equal((await allInstances()).some((i) => i.project === project), false);
        const vols = await customVolumes();
        equal(vols.some((v) => v.startsWith(`${project}-`)), false, vols.join(" "));
        const projects = await lxc("project", "list", "--format", "json");
        const names = (JSON.parse(projects.text) as { name: string }[]).map((p) => p.name);
        equal(names.includes(project), false, names.join(" "));
      },
    );
  } finally {
    await srv.close();
    if (project) await dropProject(project);
    const trust = await lxc("config", "trust", "list", "--format", "json");
    for (const c of JSON.parse(trust.text || "[]") as { name: string; fingerprint: string }[]) {
      if (c.name === trustName) await lxc("config", "trust", "remove", c.fingerprint);
    }
    await home.cleanup();
  }
});
