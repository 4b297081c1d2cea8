import { deepEqual, equal, ok } from "node:assert/strict";
import {
  configSetArgv,
  copyArgv,
  deleteArgv,
  deviceAddArgv,
  diskDevice,
  execArgv,
  filePushArgv,
  imageImportArgv,
  initArgv,
  listArgv,
  LOGIN_SCRIPT,
  loginArgv,
  rawIdmap,
  stopArgv,
} from "../../../src/driver/lxd/argv.ts";

Deno.test("list: one quiet JSON list filtered to codchi names", () => {
  deepEqual(listArgv("lxc"), ["lxc", "list", "-q", "--format", "json", "codchi"]);
  equal(listArgv("incus")[0], "incus");
});

Deno.test("every builder passes -q", () => {
  const all = [
    listArgv("lxc"),
    imageImportArgv("lxc", "/x.tar", "a"),
    initArgv("lxc", "img", "c", {}),
    deviceAddArgv("lxc", "c", diskDevice({ name: "d", source: "/s", path: "/p" })),
    configSetArgv("lxc", "c", { a: "b" }),
    stopArgv("lxc", "c"),
    deleteArgv("lxc", "c"),
    copyArgv("lxc", "a", "b"),
    filePushArgv("lxc", "c", "/etc/x", { mode: 0o600 }),
    execArgv("lxc", "c", ["true"], { tty: false }),
  ];
  for (const a of all) ok(a.includes("-q"), a.join(" "));
});

Deno.test("init sets config keys up front, raw.idmap with its newline intact", () => {
  const idmap = rawIdmap({ uid: 1000, gid: 1000 }, { uid: 0, gid: 0 });
  equal(idmap, "uid 1000 0\ngid 1000 0");
  deepEqual(initArgv("lxc", "codchi-store-x", "codchistore", { "raw.idmap": idmap }), [
    "lxc",
    "init",
    "-q",
    "codchi-store-x",
    "codchistore",
    "-c",
    "raw.idmap=uid 1000 0\ngid 1000 0",
  ]);
});

Deno.test("disk devices: read-only only when asked", () => {
  deepEqual(
    deviceAddArgv("lxc", "c", diskDevice({ name: "d", source: "/h", path: "/p", readonly: true })),
    [
      "lxc",
      "config",
      "device",
      "add",
      "-q",
      "c",
      "d",
      "disk",
      "source=/h",
      "path=/p",
      "readonly=true",
    ],
  );
  ok(!diskDevice({ name: "d", source: "/h", path: "/p" }).options.readonly);
});

Deno.test("exec: argv after --, never joined; tty flag; user env", () => {
  const argv = ["printf", "%s\n", "a b", "$(id)", "-n"];
  const a = execArgv("lxc", "codchi-m", argv, {
    tty: false,
    cwd: "/home/codchi",
    env: { HOME: "/home/codchi" },
  });
  deepEqual(a.slice(a.indexOf("--") + 1), argv);
  ok(a.includes("-T"));
  ok(execArgv("lxc", "c", [], { tty: true }).includes("-t"));
  deepEqual(a.slice(a.indexOf("--cwd"), a.indexOf("--cwd") + 2), ["--cwd", "/home/codchi"]);
  deepEqual(a.slice(a.indexOf("--env"), a.indexOf("--env") + 2), ["--env", "HOME=/home/codchi"]);
});

Deno.test("login wrapper passes argv as positional parameters", () => {
  deepEqual(loginArgv(["echo", "a b"]), ["/bin/sh", "-lc", LOGIN_SCRIPT, "codchi", "echo", "a b"]);
  ok(LOGIN_SCRIPT.includes('exec "$@"'));
});

Deno.test("file push reads stdin and sets mode and owner", () => {
  deepEqual(filePushArgv("incus", "codchi-m", "/etc/codchi-env", { mode: 0o600, uid: 1000 }), [
    "incus",
    "file",
    "push",
    "-q",
    "--mode",
    "0600",
    "--uid",
    "1000",
    "--gid",
    "0",
    "-",
    "codchi-m/etc/codchi-env",
  ]);
});

Deno.test("stop: bounded clean stop or forced", () => {
  deepEqual(stopArgv("lxc", "c", { timeoutS: 5 }), ["lxc", "stop", "-q", "c", "--timeout", "5"]);
  deepEqual(stopArgv("lxc", "c", { force: true }), ["lxc", "stop", "-q", "c", "--force"]);
});
