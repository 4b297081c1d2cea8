/**
 * Issue 5 end to end on the real LXD, through the REAL CLI with an isolated HOME: a host Xvfb
 * that requires authorisation (xeyes from the machine shows up on it, also after the host's
 * cookie changed), a headless weston (wayland-info lists its globals), a PulseAudio server with a
 * null sink (paplay plays, the server lists the client; a restart without the server still
 * works), desktop entries (valid, Exec runs the app in the machine, stale ones go, delete removes
 * all), the tray on a real session bus (the menu lists the machine, Stop stops it) and the home
 * folder as a plain host folder. Screenshots go to .testbed/artifacts/.
 *
 * Run with `flock /tmp/codchi-lxd.lock` (scripts/test-host-lxd.sh does).
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import dbus from "dbus-next";
import { makeHome, REPO, testbedEnv } from "../support/cli.ts";
import { Background, freeDisplay, sineWav, startAuthXvfb } from "../real_desktop/helpers.ts";
import { TestWatcher } from "../real_desktop/sni_watcher.ts";
import { flatten, type Layout, withBus } from "../real_desktop/tray_bus.ts";
import {
  ARTIFACTS,
  have,
  lxc,
  prepareMachine,
  removeCodchiContainers,
  run,
  screenshotPng,
  spawnCount,
  testbedReady,
  waitFor,
  writeLocalModule,
} from "./e2e_helpers.ts";

const bed = testbedEnv();
const M = "gui";
const CTN = `codchi-${M}`;
const TOOLS = [
  "Xvfb",
  "xauth",
  "xwininfo",
  "xwd",
  "weston",
  "pulseaudio",
  "pactl",
  "dbus-daemon",
  "desktop-file-validate",
  "gio",
];
const missing = TOOLS.filter((t) => !have(t));
if (missing.length) console.warn(`host_gui_test: missing ${missing.join(", ")}: skipped`);

const APPS_WITH_MARKER = `{
    codchi.apps.eyes = { name = "Eyes"; exec = "xeyes"; comment = "xeyes from the machine"; };
    codchi.apps.marker = { name = "Marker"; exec = "touch /home/codchi/.marker-ran"; };
  }`;
const APPS_WITHOUT_MARKER = `{
    codchi.apps.eyes = { name = "Eyes"; exec = "xeyes"; comment = "xeyes from the machine"; };
  }`;

/** An Xvfb on display `n` that only accepts clients with the cookie in its auth file. */
function startXvfb(n: number, dir: string, tag: string) {
  return startAuthXvfb(n, `${dir}/Xauthority-${tag}`, "640x480x24");
}

/** A PulseAudio server (as `nobody`: only the cookie lets root in) with a null sink. */
async function startPulse(dir: string, name = "pulse-server") {
  const sdir = `${dir}/${name}`;
  await Deno.mkdir(`${sdir}/home`, { recursive: true });
  await Deno.mkdir(`${sdir}/run`, { recursive: true });
  const native = `${sdir}/native`;
  const cookie = `${sdir}/cookie`;
  const asRoot = Deno.uid() === 0;
  if (asRoot) {
    await Deno.chmod(dir, 0o711); // nobody must reach its folder
    await run(["chown", "-R", "nobody:nogroup", sdir]);
  }
  const env = [
    `HOME=${sdir}/home`,
    `XDG_RUNTIME_DIR=${sdir}/run`,
    `PULSE_RUNTIME_PATH=${sdir}/run`,
    `PULSE_STATE_PATH=${sdir}/home`,
    `PATH=${Deno.env.get("PATH")}`,
  ];
  const argv = [
    ...(asRoot ? ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] : []),
    "env",
    "-i",
    ...env,
    "pulseaudio",
    "-n",
    "--daemonize=no",
    "--exit-idle-time=-1",
    "--use-pid-file=no",
    "--system=no",
    "--log-target=stderr",
    "-L",
    `module-native-protocol-unix socket=${native} auth-cookie=${cookie} auth-anonymous=0`,
    "-L",
    "module-null-sink sink_name=codchi_e2e",
    "-L",
    "module-always-sink",
  ];
  const server = new Background(argv);
  ok(
    await waitFor(() => Deno.stat(native).then(() => true, () => false), 15000),
    "pulseaudio did not create its socket",
  );
  await waitFor(() => Deno.stat(cookie).then(() => true, () => false), 5000);
  const clientEnv = {
    PULSE_SERVER: `unix:${native}`,
    PULSE_COOKIE: cookie,
    HOME: `${dir}/pulse-client-home`,
    PATH: Deno.env.get("PATH") ?? "",
  };
  return { native, cookie, server, clientEnv };
}

/** Whether the container runs (one lxc call). */
async function running(): Promise<boolean> {
  const out = await lxc("list", "--format", "json", CTN);
  return (JSON.parse(out.stdout) as { name: string; status: string }[])
    .some((c) => c.name === CTN && c.status === "Running");
}

async function devices(): Promise<string[]> {
  const out = await lxc("config", "device", "list", CTN);
  return out.stdout.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("codchi-"))
    .filter((l) => !/^codchi-(store|daemon|db|profiles|home|logs)$/.test(l)).sort();
}

/** Files (relative names) whose name starts with `codchi` under `dir`. */
async function codchiFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (e.name.startsWith("codchi")) out.push(p.slice(dir.length + 1));
    }
  };
  await walk(dir).catch(() => {});
  return out.sort();
}

Deno.test({
  name: "host e2e: X11 with a changing cookie, Wayland, sound, shortcuts, tray and files",
  ignore: !testbedReady(bed) || missing.length > 0,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    await removeCodchiContainers();
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const tmp = await Deno.makeTempDir({ prefix: "codchi-e2e-gui-" });
    const home = await makeHome(bed);
    const data = `${home.root}/data`;
    const n = freeDisplay(120 + Math.floor(Math.random() * 60));
    const wlName = "wayland-codchi-e2e";
    const self = `${home.root}/bin/codchi`;
    // Started one by one: whatever came up is stopped again when a later one fails.
    let xvfb: Awaited<ReturnType<typeof startXvfb>> | undefined;
    let weston: Background | undefined;
    let pulse: Awaited<ReturnType<typeof startPulse>> | undefined;
    try {
      await setUp();
    } catch (e) {
      await xvfb?.x.stop();
      await weston?.stop();
      await pulse?.server.stop();
      await home.cleanup();
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
      throw e;
    }
    async function setUp() {
      xvfb = await startXvfb(n, tmp, "1");
      await Deno.writeTextFile(
        `${tmp}/weston.ini`,
        "[core]\nshell=fullscreen-shell.so\nidle-time=0\n[input-method]\npath=\n",
      );
      weston = new Background(
        [
          "weston",
          `--config=${tmp}/weston.ini`,
          "--backend=headless-backend.so",
          `--socket=${wlName}`,
        ],
        { XDG_RUNTIME_DIR: home.env.XDG_RUNTIME_DIR, PATH: Deno.env.get("PATH") ?? "" },
      );
      pulse = await startPulse(tmp);
      ok(
        await waitFor(
          () => Deno.stat(`${home.env.XDG_RUNTIME_DIR}/${wlName}`).then(() => true, () => false),
          15000,
        ),
        "weston did not come up",
      );
      // The user's session as codchi sees it, and a `codchi` for the desktop entries' Exec lines.
      await Deno.mkdir(`${home.root}/bin`);
      await Deno.writeTextFile(
        self,
        `#!/bin/sh\nexec "${Deno.execPath()}" run -A --quiet "${REPO}/main.ts" "$@"\n`,
      );
      await Deno.chmod(self, 0o755);
      Object.assign(home.env, {
        DISPLAY: `:${n}`,
        XAUTHORITY: xvfb.auth,
        WAYLAND_DISPLAY: wlName,
        PULSE_SERVER: `unix:${pulse.native}`,
        PULSE_COOKIE: pulse.cookie,
        CODCHI_SELF: self,
        CODCHI_TRACE: "1",
      });
    }
    const hostX = () => ({ DISPLAY: `:${n}`, XAUTHORITY: home.env.XAUTHORITY, HOME: tmp });
    const spawnCli = (args: string[]) =>
      new Deno.Command(self, {
        args,
        env: home.env,
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    const xeyesShown = async (tag: string) => {
      const child = spawnCli(["exec", M, "--", "xeyes"]);
      try {
        const found = await waitFor(
          async () => {
            const tree = await run(["xwininfo", "-root", "-tree"], { env: hostX() });
            return /"xeyes"/.test(tree.stdout);
          },
          20000,
          200,
        );
        if (!found) {
          const ls = await lxc("exec", CTN, "--", "ls", "-la", "/mnt/codchi");
          console.log(`/mnt/codchi in the machine:\n${ls.stdout}${ls.stderr}`);
        }
        ok(found, "no xeyes window on the host display");
        await new Promise((r) => setTimeout(r, 500)); // let it draw
        const png = await screenshotPng(hostX());
        await Deno.writeFile(`${ARTIFACTS}/host_gui-xeyes-${tag}.png`, png);
        ok(png.length > 1000);
      } finally {
        await lxc("exec", CTN, "--", "pkill", "-x", "xeyes");
        const out = await child.output();
        ok(out.code !== 0 || out.code === 0); // ended once xeyes was killed
      }
    };
    try {
      await prepareMachine(home, M, APPS_WITH_MARKER);
      const build = await home.run(["rebuild", M]);
      equal(build.code, 0, build.stderr);

      await t.step("the machine got X11, Wayland and sound devices", async () => {
        const have = await devices();
        for (const d of ["codchi-pulse", "codchi-wayland", "codchi-x11"]) {
          ok(have.includes(d), `${d} missing: ${have}`);
        }
      });

      await t.step("xeyes opens on the host's Xvfb (authorisation required)", async () => {
        await xeyesShown("cookie1");
        const denied = await home.run([
          "exec",
          M,
          "--",
          "env",
          "XAUTHORITY=/nonexistent",
          "xdpyinfo",
        ]);
        ok(denied.code !== 0, "the X server let a client in without the cookie");
      });

      await t.step("after the host's cookie changed, exec pushes the new one", async () => {
        const same = await home.run(["exec", M, "--", "true"]);
        equal(same.code, 0, same.stderr);
        const unchangedSpawns = spawnCount(same.traces);
        await xvfb?.x.stop();
        xvfb = await startXvfb(n, tmp, "2");
        home.env.XAUTHORITY = xvfb.auth;
        const t0 = performance.now();
        const changed = await home.run(["exec", M, "--", "xdpyinfo"]);
        const changedMs = performance.now() - t0;
        equal(changed.code, 0, changed.stderr);
        match(changed.stdout, /dimensions:\s+640x480/);
        const changedSpawns = spawnCount(changed.traces);
        const t1 = performance.now();
        const again = await home.run(["exec", M, "--", "true"]);
        const againMs = performance.now() - t1;
        console.log(
          `exec spawns: cookie unchanged ${unchangedSpawns}, changed ${changedSpawns} ` +
            `(${Math.round(changedMs)} ms CLI), unchanged again ${spawnCount(again.traces)} ` +
            `(${Math.round(againMs)} ms CLI)`,
        );
        equal(unchangedSpawns, 1, same.traces.join("\n"));
        equal(changedSpawns, 2, changed.traces.join("\n"));
        equal(spawnCount(again.traces), 1);
        const list = await lxc("exec", CTN, "--", "xauth", "-f", "/mnt/codchi/Xauthority", "list");
        match(list.stdout, new RegExp(`MIT-MAGIC-COOKIE-1\\s+${xvfb.cookie}`));
        match(list.stdout, /^#ffff#/m); // FamilyWild
        await xeyesShown("cookie2");
      });

      await t.step("wayland-info in the machine lists weston's globals", async () => {
        const r = await home.run(["exec", M, "--", "wayland-info"]);
        equal(r.code, 0, r.stderr);
        match(r.stdout, /interface: 'wl_compositor'/);
        match(r.stdout, /interface: 'wl_shm'/);
      });

      await t.step("paplay in the machine plays on the host server", async () => {
        await Deno.writeFile(`${data}/codchi/machine/${M}/tone.wav`, sineWav(3, 8000));
        const child = spawnCli(["exec", M, "--", "paplay", "--client-name=codchi-e2e", "tone.wav"]);
        let listed = false;
        let sinkInput = false;
        const done = child.output();
        await waitFor(
          async () => {
            const c = await run(["pactl", "list", "clients"], { env: pulse!.clientEnv });
            const s = await run(["pactl", "list", "sink-inputs"], { env: pulse!.clientEnv });
            listed ||= c.stdout.includes('application.name = "codchi-e2e"');
            sinkInput ||= /Sink: \d+/.test(s.stdout) && s.stdout.includes("codchi-e2e");
            return listed && sinkInput;
          },
          10000,
          150,
        );
        const out = await done;
        equal(out.code, 0, new TextDecoder().decode(out.stderr));
        ok(listed, "the host server never listed the machine's client");
        ok(sinkInput, "no sink input (stream) on the host server");
      });

      await t.step("desktop entries: valid, Exec runs in the machine, stale ones go", async () => {
        const apps = `${data}/applications`;
        const entries = await codchiFiles(apps);
        deepEqual(entries, [
          `codchi-terminal.${M}.desktop`,
          `codchi.${M}.eyes.desktop`,
          `codchi.${M}.marker.desktop`,
        ]);
        const dirs = (await codchiFiles(`${data}/desktop-directories`)).map((f) =>
          `${data}/desktop-directories/${f}`
        );
        for (const f of [...entries.map((e) => `${apps}/${e}`), ...dirs]) {
          const v = await run(["desktop-file-validate", f]);
          equal(v.code, 0, `${f}: ${v.stdout}${v.stderr}`);
          // Hints (e.g. no registered main category for X-Codchi) are fine; nothing worse.
          ok(!/(error|warning):/.test(v.stdout + v.stderr), `${f}: ${v.stdout}${v.stderr}`);
        }
        const marker = await Deno.readTextFile(`${apps}/codchi.${M}.marker.desktop`);
        match(marker, /^Name=Marker \(gui\)$/m);
        match(
          marker,
          new RegExp(`^Exec=${self} exec ${M} -- touch /home/codchi/.marker-ran$`, "m"),
        );
        ok((await codchiFiles(`${data}/icons`)).length > 0, "no icons exported");
        // GLib runs the Exec line as a desktop would.
        const launched = await run(["gio", "launch", `${apps}/codchi.${M}.marker.desktop`], {
          env: home.env,
        });
        equal(launched.code, 0, launched.stderr);
        ok(
          await waitFor(
            () =>
              Deno.stat(`${data}/codchi/machine/${M}/.marker-ran`).then(() => true, () => false),
            20000,
          ),
          "the entry's Exec did not run the app in the machine",
        );
        await writeLocalModule(home, M, APPS_WITHOUT_MARKER);
        const rb = await home.run(["rebuild", M]);
        equal(rb.code, 0, rb.stderr);
        deepEqual(await codchiFiles(apps), [
          `codchi-terminal.${M}.desktop`,
          `codchi.${M}.eyes.desktop`,
        ]);
      });

      await t.step(
        "status --json shows the home folder; files there are plain host files",
        async () => {
          const st = await home.run(["status", "--json"]);
          equal(st.code, 0, st.stderr);
          const rows = JSON.parse(st.stdout);
          const row = (Array.isArray(rows) ? rows : rows.machines).find((r: { name: string }) =>
            r.name === M
          );
          equal(row.home, `${data}/codchi/machine/${M}`);
          const r = await home.run(["exec", M, "--", "sh", "-c", "echo hi > made-in-machine"]);
          equal(r.code, 0, r.stderr);
          const info = await Deno.stat(`${row.home}/made-in-machine`);
          equal(await Deno.readTextFile(`${row.home}/made-in-machine`), "hi\n");
          console.log(
            `file made in the machine: host owner uid ${info.uid} gid ${info.gid} ` +
              `(codchi runs as uid ${Deno.uid()})`,
          );
          if (Deno.uid() !== 0) equal(info.uid, Deno.uid());
        },
      );

      await t.step(
        "the tray lists the machine and its Stop stops it",
        () =>
          withBus(async (address) => {
            const bus = dbus.sessionBus({ busAddress: address });
            const watcher = new TestWatcher();
            let tray: Deno.ChildProcess | undefined;
            try {
              await bus.requestName("org.kde.StatusNotifierWatcher", dbus.NameFlag.DO_NOT_QUEUE);
              bus.export("/StatusNotifierWatcher", watcher);
              tray = new Deno.Command(self, {
                args: ["tray"],
                env: { ...home.env, DBUS_SESSION_BUS_ADDRESS: address },
                clearEnv: true,
                stdin: "null",
                stdout: "null",
                stderr: "piped",
              }).spawn();
              ok(
                await waitFor(() => watcher.registered.includes("org.codchi.Tray"), 30000),
                "the tray did not register",
              );
              const menuObj = await bus.getProxyObject("org.codchi.Tray", "/MenuBar");
              const menu = menuObj.getInterface("com.canonical.dbusmenu");
              const layout = async () =>
                flatten(((await menu.GetLayout(0, -1, [])) as [number, Layout])[1]);
              ok(
                await waitFor(async () =>
                  (await layout()).some((i) => i.label === `${M} (running)`)
                ),
                (await layout()).map((i) => i.label).join(" | "),
              );
              const stop = (await layout()).find((i) => i.label === "Stop" && i.enabled)!;
              ok(stop, "no enabled Stop item");
              await menu.Event(stop.id, "clicked", new dbus.Variant("s", ""), 0);
              ok(
                await waitFor(async () => !(await running()), 60000, 300),
                "the machine still runs",
              );
              ok(
                await waitFor(
                  async () => (await layout()).some((i) => i.label.startsWith(`${M} (stopped`)),
                  15000,
                ),
                (await layout()).map((i) => i.label).join(" | "),
              );
              const quit = (await layout()).find((i) => i.label === "Quit")!;
              await menu.Event(quit.id, "clicked", new dbus.Variant("s", ""), 0);
              const st = await tray.output();
              tray = undefined;
              equal(st.code, 0, new TextDecoder().decode(st.stderr));
            } finally {
              try {
                tray?.kill("SIGTERM");
                await tray?.output();
              } catch { /* gone */ }
              bus.disconnect();
            }
          }),
      );

      await t.step("a restart without the host's sound server still works", async () => {
        await pulse?.server.stop();
        pulse = undefined;
        if (await running()) await lxc("stop", CTN);
        const r = await home.run(["exec", M, "--", "sh", "-c", 'echo "pulse=$PULSE_SERVER"']);
        equal(r.code, 0, r.stderr);
        match(r.stdout, /^pulse=$/m);
        const have = await devices();
        ok(!have.includes("codchi-pulse"), `${have}`);
        ok(have.includes("codchi-x11") && have.includes("codchi-wayland"), `${have}`);
      });

      await t.step("a sound server started later reaches the running machine", async () => {
        pulse = await startPulse(tmp, "pulse-server-2");
        home.env.PULSE_SERVER = `unix:${pulse.native}`;
        home.env.PULSE_COOKIE = pulse.cookie;
        ok(await running());
        const r = await home.run([
          "exec",
          M,
          "--",
          "paplay",
          "--client-name=codchi-late",
          "tone.wav",
        ]);
        equal(r.code, 0, r.stderr);
        ok((await devices()).includes("codchi-pulse"));
        console.log(`exec after the session changed: ${spawnCount(r.traces)} spawns`);
        const again = await home.run(["exec", M, "--", "true"]);
        equal(spawnCount(again.traces), 1, again.traces.join("\n"));
      });

      await t.step("delete removes every exported file", async () => {
        const r = await home.run(["delete", M, "--i-am-really-sure"]);
        equal(r.code, 0, r.stderr);
        for (const d of ["applications", "icons", "desktop-directories"]) {
          deepEqual(await codchiFiles(`${data}/${d}`), [], d);
        }
        deepEqual(await codchiFiles(`${home.root}/config/menus`), []);
      });
    } finally {
      await removeCodchiContainers();
      await xvfb?.x.stop();
      await weston?.stop();
      await pulse?.server.stop();
      await home.cleanup();
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  },
});
