/** The session push: argv/stdin layout, the push script run for real by sh, fingerprints. */
import { deepEqual, equal, notEqual, ok } from "node:assert/strict";
import {
  listensOnPath,
  PUSH_SCRIPT,
  sessionFingerprint,
  sessionPushCommand,
  socketDirArgv,
} from "../../../src/driver/lxd/session.ts";
import type { SessionFile } from "../../../src/driver/types.ts";

const owner = { uid: Deno.uid() ?? 0, gid: Deno.gid() ?? 0 };
const file = (path: string, data: Uint8Array | string, mode = 0o600): SessionFile => ({
  path,
  data: typeof data === "string" ? new TextEncoder().encode(data) : data,
  mode,
  owner,
});

Deno.test("sessionPushCommand: paths, sizes, modes and owners in argv; bytes only on stdin", () => {
  const files = [file("/mnt/codchi/a", "secret-cookie"), file("/mnt/codchi/b", "x\n", 0o644)];
  const { argv, stdin } = sessionPushCommand(files);
  deepEqual(argv.slice(0, 4), ["/bin/sh", "-c", PUSH_SCRIPT, "codchi-session"]);
  deepEqual(argv.slice(4), [
    "/mnt/codchi/a",
    "13",
    "0600",
    `${owner.uid}:${owner.gid}`,
    "/mnt/codchi/b",
    "2",
    "0644",
    `${owner.uid}:${owner.gid}`,
  ]);
  ok(!argv.join(" ").includes("secret-cookie"));
  equal(new TextDecoder().decode(stdin), "secret-cookiex\n");
});

Deno.test("the push script splits stdin exactly (binary, newlines, empty files) with modes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codchi-push-" });
  try {
    const bin = new Uint8Array(300).map((_, i) => (i * 7) % 256); // NULs and newlines inside
    const files = [
      file(`${dir}/one`, bin),
      file(`${dir}/empty`, ""),
      file(`${dir}/conf`, "a = b\n\n", 0o644),
    ];
    const { argv, stdin } = sessionPushCommand(files);
    const script = argv[2].replaceAll("/mnt/codchi", `${dir}/sock`);
    const child = new Deno.Command(argv[0], {
      args: ["-c", script, ...argv.slice(3)],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const w = child.stdin.getWriter();
    await w.write(stdin);
    await w.close();
    const out = await child.output();
    equal(out.code, 0, new TextDecoder().decode(out.stderr));
    deepEqual(await Deno.readFile(`${dir}/one`), bin);
    equal((await Deno.readFile(`${dir}/empty`)).length, 0);
    equal(await Deno.readTextFile(`${dir}/conf`), "a = b\n\n");
    equal((await Deno.stat(`${dir}/one`)).mode! & 0o777, 0o600);
    equal((await Deno.stat(`${dir}/conf`)).mode! & 0o777, 0o644);
    equal((await Deno.stat(`${dir}/sock`)).mode! & 0o777, 0o755);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sessionFingerprint changes with bytes, mode and extra; stable otherwise", async () => {
  const a = await sessionFingerprint([file("/p", "c1")]);
  equal(a, await sessionFingerprint([file("/p", "c1")]));
  notEqual(a, await sessionFingerprint([file("/p", "c2")]));
  notEqual(a, await sessionFingerprint([file("/p", "c1", 0o644)]));
  notEqual(a, await sessionFingerprint([file("/p", "c1")], "{}"));
  notEqual(await sessionFingerprint([]), await sessionFingerprint([], '{"codchi-x11":{}}'));
});

Deno.test("path-socket proxies need the socket folder, created by a push with parents", () => {
  ok(listensOnPath({ type: "proxy", listen: "unix:/mnt/codchi/pulse-native" }));
  ok(!listensOnPath({ type: "proxy", listen: "unix:@/tmp/.X11-unix/X0" }));
  ok(!listensOnPath({ type: "gpu" }));
  deepEqual(socketDirArgv("lxc", "codchi-m"), [
    "lxc",
    "file",
    "push",
    "-q",
    "-p",
    "--mode",
    "0644",
    "-",
    "codchi-m/mnt/codchi/.codchi",
  ]);
});
