/**
 * The lifecycle contract: the whole life of a machine through the real CLI, the same steps for
 * every driver (DESIGN.md "The host driver's contract"): install → in the machine → exec (argv
 * exact) → one spawn per exec → status transitions → duplicate → tar → gc → delete, nothing left
 * behind. The driver's wrapper (tests/lxd/lifecycle_test.ts real LXD, tests/wsl/lifecycle_test.ts
 * the wsl.exe simulator) gives its environment and adds its own checks and steps through hooks.
 * Not a test file itself (no `_test`): only the wrappers run it.
 */
import { deepEqual, equal, match, ok as assert } from "node:assert/strict";
import type { CliResult, TestHome } from "../support/cli.ts";
import { execIn, exists, filesBelow, NASTY, ok, statusOf } from "./cli.ts";

/** What a driver's checks see: the home, the two machines, the paths codchi keeps them at. */
export interface LifecycleCtx {
  home: TestHome;
  /** The machine, and its duplicate. */
  M: string;
  DUP: string;
  /** A machine's config folder. */
  cfg(m: string): string;
  /** A machine's data folder (home or disk). */
  data(m: string): string;
  /** The system the store last built for a machine (built.json). */
  builtSystem(m: string): Promise<string>;
  /** Runs `f`, noting how long it took (printed at the end). */
  timed<T>(what: string, f: () => Promise<T>): Promise<T>;
}

type Hook = (c: LifecycleCtx) => Promise<void>;
type StepHook = (c: LifecycleCtx, t: Deno.TestContext) => Promise<void>;

/** The driver-specific bits of the lifecycle. */
export interface ContractEnv {
  /** A fresh home whose codchi talks to this driver. */
  home: TestHome;
  /** Names of the driver's instances (LXD containers, WSL distros), codchi's and others. */
  instances(): Promise<string[]>;
  /** Stops a machine behind codchi's back (asserting it worked). */
  stop(instance: string): Promise<void>;
  /** Removes what the home and the driver hold (after the timings are printed). */
  cleanup(): Promise<void>;
  /** The CLI call that builds, installs and starts the machine, and its timing label. */
  install: { name: string; args: string[]; timing: string; system: RegExp };
  /** How a written-in-the-home file is made before `duplicate` ("hello from lc\n" in ~/hello.txt). */
  writeHello: Hook;
  /** Checks that the single spawn of an exec on a running machine is the driver's. */
  execSpawn(c: LifecycleCtx, res: CliResult): void;
  /**
   * Unpacks a `codchi tar` archive (`.tar.gz`) into a fresh container/distro of the test bed (then
   * removed) and returns the contents of `files` there (undefined: missing).
   */
  importExport(
    c: LifecycleCtx,
    file: string,
    files: string[],
  ): Promise<Record<string, string | undefined>>;
  /** Stops the store's nix-daemon behind codchi's back, so its socket refuses (asserted). */
  killStoreDaemon: Hook;
  /** Brings the daemon back (through `codchi store debug`) and checks that it answers. */
  reviveStoreDaemon: Hook;
  /** Checks, after a stop behind codchi's back, that `m` boots again with `system`. */
  bootsAfterGc(c: LifecycleCtx, m: string, system: string): Promise<void>;
  /** The driver's own checks and steps, at their place in the lifecycle. */
  hooks?: {
    beforeInstall?: StepHook;
    afterInstall?: Hook;
    inMachine?: Hook;
    afterInMachine?: StepHook;
    exec?: Hook;
    /** After the $SHELL checks (e.g. with another login shell). */
    shell?: Hook;
    afterRebuild?: (c: LifecycleCtx, system: string) => Promise<void>;
    afterStatus?: StepHook;
    duplicate?: Hook;
    /** Before gc; the returned check runs on gc's output. */
    beforeGc?: (c: LifecycleCtx) => Promise<(gc: CliResult) => Promise<void>>;
    afterFirstDelete?: Hook;
    afterDelete?: Hook;
  };
}

/** Runs the lifecycle contract as steps of `t` against `env`. */
export async function lifecycleContract(t: Deno.TestContext, env: ContractEnv): Promise<void> {
  const { home } = env;
  const h = env.hooks ?? {};
  const timings: string[] = [];
  const c: LifecycleCtx = {
    home,
    M: "lc",
    DUP: "lcdup",
    cfg: (m) => `${home.configDir}/machines/${m}`,
    data: (m) => `${home.dataDir}/machine/${m}`,
    builtSystem: async (m) =>
      (JSON.parse(await Deno.readTextFile(`${c.cfg(m)}/built.json`)) as { system: string }).system,
    timed: async (what, f) => {
      const t0 = performance.now();
      try {
        return await f();
      } finally {
        timings.push(`${what}: ${Math.round(performance.now() - t0)} ms`);
      }
    },
  };
  const { M, DUP, cfg, data, builtSystem, timed } = c;
  // codchi's own folders (config, data without the shared store, runtime) before any machine.
  const stateBefore = new Set(await stateListing(home));
  try {
    await h.beforeInstall?.(c, t);

    await t.step(env.install.name, async () => {
      await timed(env.install.timing, () => ok(home, env.install.args));
      const st = (await statusOf(home))[M];
      equal(st.status, "UpToDate");
      equal(st.running, true);
      match(await builtSystem(M), env.install.system);
      await h.afterInstall?.(c);
    });

    await t.step(
      "in the machine: the store's daemon answers (and the driver's checks)",
      async () => {
        const ping = await execIn(home, M, ["nix", "store", "ping"]);
        equal(ping.code, 0, ping.stderr);
        match(ping.stdout + ping.stderr, /Store URL: daemon/);
        const system = await builtSystem(M);
        const q = await execIn(home, M, ["env", "NIX_REMOTE=daemon", "nix-store", "-q", system]);
        equal(q.code, 0, q.stderr);
        equal(q.stdout.trim(), system);
        equal((await execIn(home, M, ["id", "-un"])).stdout.trim(), "codchi");
        await h.inMachine?.(c);
      },
    );

    await h.afterInMachine?.(c, t);

    await t.step("exec passes argv exactly and exit codes through", async () => {
      const out = await execIn(home, M, ["printf", "%s\\0", ...NASTY]);
      equal(out.code, 0, out.stderr);
      deepEqual(out.stdout.split("\0").slice(0, -1), NASTY);
      const shown = await execIn(home, M, ["printf", "[%s]\\n", "a b", "-x"]);
      equal(shown.stdout, "[a b]\n[-x]\n");
      equal((await execIn(home, M, ["test", "-e", "/tmp/pwned"])).code, 1, "nothing was run");
      equal((await execIn(home, M, ["sh", "-c", "exit 7"])).code, 7);
      equal((await execIn(home, M, ["false"])).code, 1);
      // Without `--`, options after the machine name are the command's too.
      const dash = await home.run(["exec", M, "printf", "%s|", "-la"]);
      equal(dash.stdout, "-la|");
      await h.exec?.(c);
    });

    await t.step(
      "exec: $SHELL is the machine user's login shell, with and without a command",
      async () => {
        const want = await loginShellOf(home, M);
        const cmd = await execIn(home, M, ["sh", "-c", 'printf %s "$SHELL"']);
        equal(cmd.code, 0, cmd.stderr);
        equal(cmd.stdout, want);
        // No command: the login shell itself, reading its commands from stdin.
        const shell = await home.run(["exec", M], { stdin: 'printf "<%s>" "$SHELL"\n' });
        equal(shell.code, 0, shell.stderr);
        match(shell.stdout, new RegExp(`<${want.replaceAll("/", "\\/")}>`));
        await h.shell?.(c);
      },
    );

    await t.step("a running machine's exec costs one spawn", async () => {
      const res = await home.run(["exec", M, "--", "true"], { env: { CODCHI_TRACE: "1" } });
      equal(res.code, 0, res.stderr);
      console.error(`  exec on a running machine: ${res.traces.join(" | ")}`);
      equal(res.traces.length, 1, res.traces.join("\n"));
      env.execSpawn(c, res);
    });

    await t.step("status: Modified after module add -N, UpToDate after rebuild", async () => {
      await ok(home, ["module", "add", "-N", "-y", M, "projects/app", "nixosModules.default"]);
      equal((await statusOf(home))[M].status, "Modified");
      const mods = JSON.parse((await ok(home, ["--json", "module", "ls", M])).stdout);
      equal(mods.length, 1);
      await ok(home, ["module", "delete", "-N", M, mods[0].name]);
      // The flake is what was built again: nothing to do.
      equal((await statusOf(home))[M].status, "UpToDate");
      // Rebuild of a running machine: switch-to-configuration activates the built profile.
      await timed("rebuild of a running machine", () => ok(home, ["rebuild", M]));
      equal((await statusOf(home))[M].status, "UpToDate");
      await h.afterRebuild?.(c, await builtSystem(M));
    });

    await h.afterStatus?.(c, t);

    await t.step("duplicate copies config, lock and home; the copy runs", async () => {
      await env.writeHello(c);
      await timed("duplicate", () => ok(home, ["duplicate", M, DUP]));
      const src = JSON.parse(await Deno.readTextFile(`${cfg(M)}/machine.json`));
      const dup = JSON.parse(await Deno.readTextFile(`${cfg(DUP)}/machine.json`));
      equal(dup.name, DUP);
      deepEqual(dup.modules, src.modules);
      if (await exists(`${cfg(M)}/flake.lock`)) {
        equal(
          await Deno.readTextFile(`${cfg(DUP)}/flake.lock`),
          await Deno.readTextFile(`${cfg(M)}/flake.lock`),
        );
      }
      assert((await env.instances()).includes(`codchi-${DUP}`));
      const cat = await execIn(home, DUP, ["cat", "/home/codchi/hello.txt"]);
      equal(cat.stdout, "hello from lc\n", cat.stderr);
      // Its own home: a write in the copy is not seen by the original (the driver checks).
      equal((await execIn(home, DUP, ["sh", "-c", "echo dup > ~/only-dup"])).code, 0);
      await h.duplicate?.(c);
      const st = await statusOf(home);
      equal(st[DUP].status, "UpToDate");
      equal(st[DUP].running, true);
    });

    await t.step(
      "tar: a standalone NixOS (state, home, /etc/nixos flake) compressed by suffix, imported fresh",
      async () => {
        // An ending that names no format: a usage error, and no file.
        const bad = await home.run(["tar", M, `${home.root}/lc.zip`]);
        equal(bad.code, 2, bad.stderr);
        assert(!(await exists(`${home.root}/lc.zip`)));
        const zst = `${home.root}/lc.tar.zst`;
        await timed("tar (.tar.zst)", () => ok(home, ["tar", M, zst]));
        const list = await new Deno.Command("tar", {
          args: ["--zstd", "-tf", zst],
          stdout: "piped",
          stderr: "piped",
        }).output();
        equal(list.code, 0, new TextDecoder().decode(list.stderr));
        const names = new TextDecoder().decode(list.stdout).split("\n");
        const want = [
          "home/codchi/hello.txt",
          "etc/nixos/flake.nix",
          "etc/nixos/codchi/machine.json",
          "root/",
          "var/lib/",
        ];
        if (await exists(`${cfg(M)}/flake.lock`)) want.push("etc/nixos/flake.lock");
        for (const w of want) assert(names.includes(w), `${w} in ${names.slice(0, 40).join(", ")}`);
        assert(!names.some((n) => /secrets\.json|codchi-env/.test(n)), "no secrets in the tar");
        await Deno.remove(zst);
        // .tar.gz, unpacked into a fresh container/distro on the test bed; a file the machine
        // user made inside keeps its owner.
        equal((await execIn(home, M, ["sh", "-c", "echo mine > ~/mine.txt"])).code, 0);
        const gz = `${home.root}/lc.tar.gz`;
        await timed("tar (.tar.gz)", () => ok(home, ["tar", M, gz]));
        const got = await env.importExport(c, gz, [
          "/home/codchi/hello.txt",
          "/home/codchi/mine.txt",
          "/etc/nixos/flake.nix",
          "/etc/nixos/codchi/machine.json",
        ]);
        equal(got["/home/codchi/hello.txt"], "hello from lc\n");
        equal(got["/home/codchi/mine.txt"], "mine\n");
        match(got["/etc/nixos/flake.nix"] ?? "", /nixosConfigurations/);
        match(got["/etc/nixos/flake.nix"] ?? "", /driver = "none"/);
        equal(JSON.parse(got["/etc/nixos/codchi/machine.json"] ?? "{}").name, M);
        await Deno.remove(gz);
      },
    );

    await t.step(
      "gc --delete-old --all keeps every machine's system; they boot again",
      async () => {
        const before: Record<string, string> = {
          [M]: await builtSystem(M),
          [DUP]: await builtSystem(DUP),
        };
        const checkGc = await h.beforeGc?.(c);
        const gc = await timed(
          "gc --delete-old --all",
          () => ok(home, ["gc", "--delete-old", "--all"]),
        );
        await checkGc?.(gc);
        for (const m of [M, DUP]) {
          // system → system-N-link → /nix/store/… (a path as the store sees it).
          const gen = await Deno.readLink(`${cfg(m)}/profiles/system`);
          const target = await Deno.readLink(`${cfg(m)}/profiles/${gen}`);
          equal(target, before[m], `${m}'s profile still points at its system`);
          await env.stop(`codchi-${m}`);
          await env.bootsAfterGc(c, m, before[m]);
        }
      },
    );

    await t.step("delete leaves nothing of the machine", async () => {
      const gone = async (m: string) => {
        assert(!(await env.instances()).includes(`codchi-${m}`), `container/distro of ${m}`);
        assert(!(await exists(cfg(m))), `config of ${m}`);
        assert(!(await exists(data(m))), `home/disk folder of ${m}`);
        const left = (await filesBelow(home.root)).map((f) => f.slice(home.root.length))
          .filter((f) =>
            f.includes(`.${m}.`) || f.includes(`codchi-${m}.`) || f.includes(`/${m}/`)
          );
        deepEqual(left, [], `files of ${m} left: ${left.join(", ")}`);
        equal((await statusOf(home))[m], undefined);
      };
      await ok(home, ["delete", M, "--i-am-really-sure"]);
      await gone(M);
      await h.afterFirstDelete?.(c);
      await ok(home, ["delete", DUP, "--i-am-really-sure"]);
      await gone(DUP);
      const apps = `${home.root}/data/applications`;
      deepEqual(
        (await filesBelow(apps)).map((f) => f.slice(apps.length)).filter((f) => f.includes(M)),
        [],
        "desktop entries",
      );
      // Everything codchi keeps per machine went with it: paths named after a machine (its log
      // folder, lock file, journal…) and records naming its files (validated reads).
      const added = (await stateListing(home)).filter((p) => !stateBefore.has(p));
      console.error(
        `  codchi's folders after both deletes, beyond before:\n    ${added.join("\n    ")}`,
      );
      const named = new RegExp(`^(codchi-)?(${M}|${DUP})(\\..*)?$`);
      deepEqual(
        added.filter((p) => p.split("/").some((seg) => named.test(seg))),
        [],
        "paths named after a deleted machine",
      );
      for (const p of added.filter((p) => !p.startsWith(home.dataDir))) {
        if (!(await Deno.stat(p)).isFile) continue;
        const text = await Deno.readTextFile(p);
        for (const m of [M, DUP]) {
          assert(!text.includes(`/machines/${m}/`), `${p} names the files of ${m}: ${text}`);
        }
      }
      const secrets = `${home.dataDir}/secrets.json`;
      if (await exists(secrets)) {
        const text = await Deno.readTextFile(secrets);
        assert(!text.includes(`"${M}"`) && !text.includes(`"${DUP}"`), text);
      }
      await h.afterDelete?.(c);
    });

    await t.step("store debug works on a store whose nix-daemon is dead", async () => {
      await env.killStoreDaemon(c);
      const t0 = performance.now();
      // A command (argv exact, as root, exit code passed through), without waiting for a daemon.
      const cmd = await home.run([
        "store",
        "debug",
        "--",
        "sh",
        "-c",
        'printf "%s|" "$(id -u)" "$@"; exit 5',
        "sh",
        "a b",
        "$HOME",
      ]);
      equal(cmd.code, 5, cmd.stderr);
      equal(cmd.stdout, "0|a b|$HOME|");
      // No command: root's login shell, here reading its commands from stdin.
      const shell = await home.run(["store", "debug"], { stdin: "echo in-the-store; exit 4\n" });
      equal(shell.code, 4, shell.stderr);
      match(shell.stdout, /in-the-store/);
      const took = performance.now() - t0;
      assert(took < 30_000, `store debug waited ${Math.round(took)} ms (for the dead daemon?)`);
      await env.reviveStoreDaemon(c);
    });
  } finally {
    console.error(`  timings:\n    ${timings.join("\n    ")}`);
    await env.cleanup();
  }
}

/** The machine user's login shell, from its passwd entry inside the machine. */
export async function loginShellOf(home: TestHome, machine: string): Promise<string> {
  const pw = await execIn(home, machine, [
    "sh",
    "-c",
    'getent passwd "$(id -un)" || grep "^$(id -un):" /etc/passwd',
  ]);
  equal(pw.code, 0, pw.stderr);
  const want = pw.stdout.trim().split(":").at(-1)!;
  assert(want.startsWith("/"), `a login shell in ${pw.stdout}`);
  return want;
}

/**
 * Every file and folder in codchi's own folders of `home` (config, data without the shared
 * store's `/nix` or disk, runtime), as absolute paths.
 */
async function stateListing(home: TestHome): Promise<string[]> {
  const store = [`${home.dataDir}/nix`, `${home.dataDir}/store`];
  const all = [
    ...await filesBelow(home.configDir),
    ...await filesBelow(home.dataDir),
    ...await filesBelow(`${home.root}/run/codchi`),
  ];
  return all.filter((p) => !store.some((s) => p === s || p.startsWith(`${s}/`))).sort();
}
