/**
 * The LXD driver against the real LXD of the test bed (scripts/test-lxd.sh): store, daemon
 * shared into machines, builds in the store seen by the machine, exact argv, one-spawn status,
 * GC safety, clean failure. Every test removes its containers.
 */
import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { posix } from "node:path";
import { machinePaths } from "../../src/config/paths.ts";
import { InterruptedError } from "../../src/errors.ts";
import {
  cleanUp,
  containerNames,
  freshHost,
  imageAliases,
  lxc,
  machineFlake,
  removeLeftovers,
  testbedReady,
} from "./helpers.ts";
import { MACHINE_USER, USER_RUNTIME_DIR } from "../../src/contract.ts";

const ignore = !testbedReady();
if (ignore) console.error("LXD test bed not set up: run scripts/test-lxd.sh");
// The store sees the test driver flake at /opt/codchi (a host folder in CODCHI_DRIVER_FLAKE is
// for the CLI, which copies it into the config folder).
const BED_FLAKE = Deno.env.get("CODCHI_DRIVER_FLAKE");
const DRIVER_FLAKE = BED_FLAKE && !BED_FLAKE.startsWith("/")
  ? BED_FLAKE
  : "path:/opt/codchi/driver-flake";
const enc = new TextEncoder();
const TTY_EXEC = new URL("./tty_exec.ts", import.meta.url).pathname;
const opts = { ignore, sanitizeOps: false, sanitizeResources: false };

/** Arguments a shell would mangle in every way it can. */
const NASTY = [
  "a b",
  "  lead and trail  ",
  "it's",
  '"double"',
  "$(touch /tmp/pwned)",
  "`id`",
  "$HOME",
  "*",
  "back\\slash",
  "line1\nline2",
  "tab\there",
  "ünïcødé ✓ 日本",
  "-n",
  "--help",
  "-",
  ";",
  "|",
  "&&",
  "",
];

Deno.test(
  "lxd: store, machine, build, exec, status, duplicate, export, gc, remove",
  opts,
  async (t) => {
    await removeLeftovers();
    const { home, paths, runner, driver } = await freshHost();
    const machines = ["t-one", "t-two"];
    try {
      await t.step("store comes up and its daemon answers", async () => {
        const t0 = performance.now();
        await driver.store.ensureRunning();
        console.error(`  store install+start+daemon: ${Math.round(performance.now() - t0)} ms`);
        const st = await driver.states();
        deepEqual(st.store, { installed: true, running: true });
        const ping = await driver.store.run(["nix", "store", "ping"]);
        match(ping.text + ping.errText, /Version: 2\./);
        // Idempotent and cheap when up: one list, no start.
        const before = runner.spawns;
        await driver.store.ensureRunning();
        equal(runner.spawns - before, 1);
      });

      const mp = machinePaths(paths, "t-one");
      let system = "";
      await t.step("the store builds the machine's system into its profiles folder", async () => {
        await Deno.mkdir(mp.profilesDir, { recursive: true });
        await Deno.writeTextFile(
          mp.flake,
          machineFlake(
            DRIVER_FLAKE,
            `{ lib, config, ... }: {
            codchi.apps.eyes = { name = "Eyes"; exec = "xeyes"; };
            codchi.secrets.env.TOKEN.description = "a token";
          }`,
          ),
        );
        const view = driver.store.view;
        await driver.store.run([
          "nix",
          "build",
          "--no-link",
          "--profile",
          `${view.profilesDir("t-one")}/system`,
          `path:${view.configDir}/machines/t-one#nixosConfigurations.default.config.system.build.toplevel`,
        ]);
        system = await Deno.readLink(posix.join(mp.profilesDir, "system-1-link"));
        match(system, /^\/nix\/store\/[a-z0-9]{32}-codchi-system-codchi-test$/);
        ok((await Deno.stat(posix.join(paths.storeDir, system.slice(5), "activate"))).isFile);
      });

      await t.step("install + start: systemd ready, env file pushed", async () => {
        await driver.install("t-one");
        const t0 = performance.now();
        await driver.start("t-one", {
          envFile: enc.encode("export CODCHI_TOKEN='s3cr3t value'\n"),
          vars: { CODCHI_MACHINE_NAME: "t-one" },
        });
        console.error(
          `  machine start (boot to systemd ready): ${Math.round(performance.now() - t0)} ms`,
        );
        const out = await driver.exec("t-one", ["systemctl", "is-system-running"], {
          capture: true,
        });
        match(out.text, /^(running|degraded)/);
        const secret = runner.calls.flat().some((a) => a.includes("s3cr3t"));
        equal(secret, false, "the secret never appears in argv");
      });

      await t.step("the store's daemon answers from inside the machine", async () => {
        const out = await driver.exec("t-one", ["nix", "store", "ping"], { capture: true });
        equal(out.code, 0, out.errText);
        match(out.text + out.errText, /Store URL: daemon/);
      });

      await t.step("the machine sees and activates the profile the store built", async () => {
        const seen = await driver.exec(
          "t-one",
          ["readlink", "-f", "/nix/var/nix/profiles/system"],
          {
            capture: true,
          },
        );
        equal(seen.text.trim(), system);
        const sw = await driver.exec(
          "t-one",
          ["/nix/var/nix/profiles/system/bin/switch-to-configuration", "switch"],
          { capture: true, user: "root" },
        );
        equal(sw.code, 0, sw.errText);
        const active = await driver.exec("t-one", ["readlink", "/run/current-system"], {
          capture: true,
        });
        equal(active.text.trim(), system);
        const app = await driver.exec(
          "t-one",
          ["cat", "/run/current-system/sw/share/codchi/applications/eyes.desktop"],
          { capture: true },
        );
        match(app.text, /^Exec=xeyes$/m);
      });

      await t.step("exec: argv exact, without a TTY", async () => {
        const out = await driver.exec("t-one", ["printf", "%s\\0", ...NASTY], { capture: true });
        equal(out.code, 0, out.errText);
        deepEqual(out.text.split("\0").slice(0, -1), NASTY);
        const pwned = await driver.exec("t-one", ["test", "-e", "/tmp/pwned"], { capture: true });
        equal(pwned.code, 1);
      });

      await t.step("exec: argv exact, with a TTY (under a real pty)", async () => {
        const args = NASTY.filter((a) => !a.includes("\n"));
        const ttyExec = (argv: string[]) =>
          runner.run(["script", "-qec", `deno run -A ${TTY_EXEC}`, "/dev/null"], {
            env: { CODCHI_TTY_TEST: JSON.stringify({ home, machine: "t-one", argv }) },
            check: false,
          });
        // The words reach printf through sh's "$@" (argv kept exact); the short wait before the
        // command ends lets the pty relays (lxc's, script's) drain under load, where a command
        // that ends at once has lost its output.
        const out = await ttyExec(["sh", "-c", 'printf "[%s]" "$@"; sleep 0.3', "sh", ...args]);
        equal(out.code, 0, out.errText);
        const got = out.text.replaceAll("\r\n", "\n").replaceAll("\0", "").replace(/^\^@/, "");
        equal(got, args.map((a) => `[${a}]`).join(""));
        match((await ttyExec(["tty"])).text, /\/dev\/pts\/\d+/);
      });

      await t.step(
        "exec: a login session of codchi with env file, user systemd, groups, stdin, exit code",
        async () => {
          const script = [
            'echo "user=$(id -un) groups=$(id -Gn)"',
            'echo "home=$HOME pwd=$(pwd) rt=$XDG_RUNTIME_DIR"',
            'echo "token=$CODCHI_TOKEN machine=$CODCHI_MACHINE_NAME"',
            'echo "usersd=$(systemctl --user is-system-running)"',
            'echo "stdin=$(cat)"',
            "exit 7",
          ].join("\n");
          const out = await driver.exec("t-one", ["sh", "-c", script], {
            capture: true,
            stdin: "from stdin",
          });
          equal(out.code, 7, out.errText);
          // The user as codchi's NixOS module makes it (nix/contract.json): group, wheel.
          const u = MACHINE_USER;
          match(out.text, new RegExp(`^user=${u.name} groups=${u.group} .*\\bwheel\\b`, "m"));
          match(
            out.text,
            new RegExp(`^home=${u.home} pwd=${u.home} rt=${USER_RUNTIME_DIR}$`, "m"),
          );
          match(out.text, /^token=s3cr3t value machine=t-one$/m);
          match(out.text, /^usersd=(running|degraded)$/m);
          match(out.text, /^stdin=from stdin$/m);
          const root = await driver.exec("t-one", ["id", "-u"], { capture: true, user: "root" });
          equal(root.text.trim(), "0");
        },
      );

      await t.step(
        "the home folder is codchi's inside and a plain folder on the host",
        async () => {
          const w = await driver.exec("t-one", ["sh", "-c", "echo hi > ~/hello.txt"], {
            capture: true,
          });
          equal(w.code, 0, w.errText);
          equal(await Deno.readTextFile(posix.join(mp.data, "hello.txt")), "hi\n");
        },
      );

      await t.step("pushFile writes stdin bytes with mode and owner", async () => {
        const data = enc.encode("x=1\n'quoted' $(nothing)\n");
        await driver.pushFile("t-one", "/etc/codchi-test", data, 0o640, { uid: 0, gid: 100 });
        const out = await driver.exec("t-one", ["stat", "-c", "%a %U %G", "/etc/codchi-test"], {
          capture: true,
        });
        equal(out.text.trim(), "640 root users");
        const back = await driver.exec("t-one", ["cat", "/etc/codchi-test"], { capture: true });
        deepEqual(back.stdout, data);
      });

      await t.step("duplicate: the copy gets its own folders and boots", async () => {
        const two = machinePaths(paths, "t-two");
        await Deno.mkdir(two.profilesDir, { recursive: true });
        await Deno.copyFile(posix.join(mp.data, "hello.txt"), posix.join(two.data, "hello.txt"))
          .catch(async () => {
            await Deno.mkdir(two.data, { recursive: true });
            await Deno.copyFile(
              posix.join(mp.data, "hello.txt"),
              posix.join(two.data, "hello.txt"),
            );
          });
        await driver.duplicate("t-one", "t-two");
        const src = await lxc("config", "device", "get", "codchi-t-two", "codchi-home", "source");
        equal(src.text.trim(), two.data);
        await driver.start("t-two", { envFile: enc.encode(""), vars: {} });
        const out = await driver.exec("t-two", ["cat", "hello.txt"], { capture: true });
        equal(out.text, "hi\n");
      });

      await t.step("states(): one spawn for every container", async () => {
        const before = runner.spawns;
        const st = await driver.states();
        equal(runner.spawns - before, 1);
        deepEqual([...st.machines.keys()].sort(), ["t-one", "t-two"]);
        ok(st.machines.get("t-one")!.running);
      });

      await t.step("exportTree: a tar stream of the machine's folders, home included", async () => {
        const file = posix.join(home, "export.tar");
        const chunks: Uint8Array<ArrayBuffer>[] = [];
        await driver.exportTree("t-one", ["/home/codchi", "/root", "/nonexistent"], (c) => {
          chunks.push(c.slice());
          return Promise.resolve();
        });
        await Deno.writeFile(file, new Uint8Array(await new Blob(chunks).arrayBuffer()));
        const out = await runner.run(["tar", "-tvf", file]);
        match(out.text, /home\/codchi\/hello\.txt/);
        match(out.text, / root\/$/m);
        await Deno.remove(file);
      });

      await t.step("GC safety: the store never collects a machine's system", async () => {
        // Control: a system whose profile lives outside the machines' folders.
        const control = posix.join(paths.configDir, "control");
        await Deno.mkdir(control, { recursive: true });
        await Deno.mkdir(posix.join(paths.dataDir, "elsewhere"), { recursive: true });
        await Deno.writeTextFile(
          posix.join(control, "flake.nix"),
          machineFlake(DRIVER_FLAKE, `{ system.name = "control"; }`),
        );
        await driver.store.run([
          "nix",
          "build",
          "--no-link",
          "--profile",
          "/data/elsewhere/system",
          "path:/config/control#nixosConfigurations.default.config.system.build.toplevel",
        ]);
        const controlPath = await Deno.readLink(
          posix.join(paths.dataDir, "elsewhere/system-1-link"),
        );
        // Drop the automatic roots nix build made: only the gcroots mount of the machines is left.
        await driver.store.run(["sh", "-c", "rm -f /nix/var/nix/gcroots/auto/*"]);
        await driver.store.run(["nix", "store", "gc"]);
        const gone = await driver.store.run(["test", "-e", controlPath], { check: false });
        equal(gone.code, 1, "the control system was collected");
        const still = await driver.exec("t-one", ["test", "-x", `${system}/activate`], {
          capture: true,
        });
        equal(still.code, 0, "the machine's system survived gc");
        await driver.stop("t-one");
        await driver.start("t-one", { envFile: enc.encode(""), vars: {} });
        const again = await driver.exec(
          "t-one",
          ["readlink", "-f", "/nix/var/nix/profiles/system"],
          {
            capture: true,
          },
        );
        equal(again.text.trim(), system);
      });

      await t.step("stop and remove", async () => {
        await driver.stop("t-two");
        await driver.stop("t-two"); // already stopped: fine
        ok(!(await driver.states()).machines.get("t-two")!.running);
        await driver.remove("t-two");
        await driver.remove("t-two"); // gone: fine
        ok(!(await containerNames()).includes("codchi-t-two"));
      });

      await t.step("machine recover: a new container, same home and system", async () => {
        await driver.recover("t-one");
        await driver.start("t-one", { envFile: enc.encode(""), vars: {} });
        const out = await driver.exec("t-one", [
          "sh",
          "-c",
          "cat hello.txt; readlink -f /nix/var/nix/profiles/system",
        ], {
          capture: true,
        });
        equal(out.text, `hi\n${system}\n`);
      });

      await t.step("store recover keeps /nix; machines keep working", async () => {
        await driver.store.recover();
        const out = await driver.exec("t-one", ["nix", "store", "ping"], { capture: true });
        equal(out.code, 0, out.errText);
        ok((await Deno.stat(posix.join(paths.storeDir, system.slice(5)))).isDirectory);
      });

      await t.step("store stop stops the machines first", async () => {
        await driver.store.stop();
        const st = await driver.states();
        equal(st.store.running, false);
        equal(st.machines.get("t-one")!.running, false);
      });
    } finally {
      await cleanUp(home, machines);
    }
  },
);

Deno.test("lxd: a failing image import leaves nothing behind", opts, async () => {
  await removeLeftovers();
  const bad = await Deno.makeTempFile({ suffix: ".tar" });
  await Deno.writeTextFile(bad, "this is not a tarball");
  const aliasesBefore = await imageAliases();
  const { home, driver } = await freshHost({
    env: { ...Deno.env.toObject(), CODCHI_LXD_MACHINE_IMAGE: bad },
  });
  try {
    await rejects(driver.install("t-bad"));
    ok(!(await containerNames()).includes("codchi-t-bad"));
    deepEqual(await imageAliases(), aliasesBefore);
  } finally {
    await Deno.remove(bad);
    await cleanUp(home, ["t-bad"]);
  }
});

Deno.test("lxd: an interrupt during install removes the half-made container", opts, async () => {
  await removeLeftovers();
  const { home, driver } = await freshHost();
  try {
    // Import first, so the signal lands while the container is being made.
    await driver.instances.ensureImage("machine");
    const pending = driver.install("t-int");
    // SIGTERM: the test runner itself owns SIGINT.
    setTimeout(() => Deno.kill(Deno.pid, "SIGTERM"), 300);
    await rejects(pending, InterruptedError);
    ok(!(await containerNames()).includes("codchi-t-int"));
  } finally {
    await cleanUp(home, ["t-int"]);
  }
});
