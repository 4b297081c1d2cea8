/**
 * A real PulseAudio server (null sink, its own socket and cookie in a temp dir) reached through a
 * plain socket forwarder like LXD's proxy device: the client config from pulse.ts is all a client
 * needs; the cookie it names is what lets it in (the server runs as another user when we are root).
 */
import assert from "node:assert/strict";
import { pulseClientConf } from "../../src/host/linux/pulse.ts";
import { Background, sh, sineWav, waitFor } from "./helpers.ts";

/** Forwards a unix socket to another, bytes only (no ancillary data), as LXD's proxy does. */
function socketProxy(listen: string, connect: string) {
  const listener = Deno.listen({ transport: "unix", path: listen });
  const conns = new Set<Deno.Conn>();
  const done = (async () => {
    for await (const a of listener) {
      conns.add(a);
      (async () => {
        let b: Deno.Conn | undefined;
        try {
          b = await Deno.connect({ transport: "unix", path: connect });
          conns.add(b);
          await Promise.allSettled([a.readable.pipeTo(b.writable), b.readable.pipeTo(a.writable)]);
        } catch {
          // a side went away
        } finally {
          for (const c of [a, b]) {
            try {
              c?.close();
            } catch {
              // closed already
            }
          }
        }
      })();
    }
  })().catch(() => {});
  return {
    async stop() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch {
          // closed already
        }
      }
      await done;
    },
  };
}

Deno.test("pulse client config: a client reaches the host server through a proxy and plays", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codchi-pulse-" });
  await Deno.chmod(dir, 0o755);
  const asRoot = Deno.uid() === 0;
  const serverDir = `${dir}/server`;
  await Deno.mkdir(`${serverDir}/run`, { recursive: true });
  await Deno.mkdir(`${serverDir}/home`, { recursive: true });
  const native = `${serverDir}/native`;
  const cookie = `${serverDir}/cookie`;
  const serverEnv = {
    HOME: `${serverDir}/home`,
    XDG_RUNTIME_DIR: `${serverDir}/run`,
    PULSE_RUNTIME_PATH: `${serverDir}/run`,
    PULSE_STATE_PATH: `${serverDir}/home`,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
  };
  const pulseArgv = [
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
    "module-null-sink sink_name=codchi_test",
    "-L",
    "module-always-sink",
  ];
  // As root, run the server as `nobody`: then only the cookie (not the peer's uid) lets us in.
  if (asRoot) await sh(["chown", "-R", "nobody:nogroup", serverDir]);
  const argv = asRoot
    ? [
      "setpriv",
      "--reuid=nobody",
      "--regid=nogroup",
      "--clear-groups",
      "env",
      "-i",
      ...Object.entries(serverEnv).map(([k, v]) => `${k}=${v}`),
      ...pulseArgv,
    ]
    : pulseArgv;
  const server = new Background(argv, asRoot ? undefined : serverEnv);
  const proxySock = `${dir}/proxy-native`;
  let proxy: ReturnType<typeof socketProxy> | undefined;
  try {
    assert.ok(
      await waitFor(async () => await Deno.stat(native).then(() => true, () => false), 15000),
      "pulseaudio did not create its socket",
    );
    proxy = socketProxy(proxySock, native);

    // The machine's view: a client.conf from pulse.ts, the host's cookie, nothing else.
    const machineCookie = `${dir}/machine-cookie`;
    await Deno.writeFile(machineCookie, await Deno.readFile(cookie));
    const conf = `${dir}/client.conf`;
    await Deno.writeTextFile(
      conf,
      pulseClientConf({ server: `unix:${proxySock}`, cookieFile: machineCookie }),
    );
    const clientHome = `${dir}/client-home`;
    await Deno.mkdir(clientHome);
    const clientEnv = { HOME: clientHome, PULSE_CLIENTCONFIG: conf, PATH: serverEnv.PATH };
    const client = (args: string[], env = clientEnv) => sh(args, { env, clearEnv: true });

    const info = await client(["pactl", "info"]);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /Server Name: pulseaudio/);
    assert.match(info.stdout, /Default Sink: codchi_test/);

    // Play a short tone; while it plays, the host server lists the client.
    const wav = `${dir}/tone.wav`;
    await Deno.writeFile(wav, sineWav(1.5));
    const play = new Deno.Command("paplay", {
      args: ["--client-name=codchi-probe", "--device=codchi_test", wav],
      env: clientEnv,
      clearEnv: true,
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let listed = "";
    const seen = await waitFor(async () => {
      listed = (await client(["pactl", "list", "clients"])).stdout;
      return listed.includes("codchi-probe");
    }, 10000);
    const played = await play.output();
    assert.ok(seen, `the server never listed the client:\n${listed}`);
    assert.equal(played.code, 0, new TextDecoder().decode(played.stderr));

    if (asRoot) {
      // The cookie is what authorises the proxied client: a wrong one is refused.
      const wrong = `${dir}/wrong-cookie`;
      await Deno.writeFile(wrong, crypto.getRandomValues(new Uint8Array(256)));
      const badConf = `${dir}/bad.conf`;
      await Deno.writeTextFile(
        badConf,
        pulseClientConf({ server: `unix:${proxySock}`, cookieFile: wrong }),
      );
      const refused = await client(["pactl", "info"], {
        ...clientEnv,
        PULSE_CLIENTCONFIG: badConf,
      });
      assert.notEqual(refused.code, 0, refused.stdout);
      assert.match(refused.stderr, /denied|refused|Connection failure/i, refused.stderr);
    }
  } finally {
    await proxy?.stop();
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
