import { deepStrictEqual as assertEquals, equal, match, rejects, throws } from "node:assert/strict";
import {
  checkRemoteUrl,
  chooseRemote,
  instanceRemotes,
  onRemote,
  parseRemotes,
  remoteAddArgv,
  remoteFailure,
  remoteNameProblem,
  remoteUrlProblem,
} from "../../../src/driver/lxd/remote.ts";
import * as A from "../../../src/driver/lxd/argv.ts";
import {
  projectCreateArgv,
  projectDeleteArgv,
  projectShowArgv,
} from "../../../src/driver/lxd/project.ts";
import { socketDirArgv } from "../../../src/driver/lxd/session.ts";
import {
  configSyncEntries,
  remoteDiskProblem,
  remoteMachineDisks,
  remoteStoreDisks,
  remoteStoreMachineDisks,
  remoteStoreView,
  rootPoolArgv,
  storeDeviceMachine,
  volumeCopyArgv,
  volumeCreateArgv,
  volumeDeleteArgv,
  volumeListArgv,
} from "../../../src/driver/lxd/remote_layout.ts";
import { addRemote, removeRemote } from "../../../src/driver/lxd/remote_client.ts";
import { ConflictError, UsageError } from "../../../src/errors.ts";
import type { Output, Runner, RunOpts } from "../../../src/process.ts";

Deno.test("remote names: letters, digits, - and _; never `local`, a colon or a flag", () => {
  for (const good of ["build", "lo", "Team_1", "a-b", "x".repeat(63)]) {
    equal(remoteNameProblem(good), undefined, good);
  }
  for (const bad of ["", "-x", "a b", "a:b", "a/b", "local", "x".repeat(64), "ü", "$(x)", "a\nb"]) {
    equal(typeof remoteNameProblem(bad), "string", JSON.stringify(bad));
  }
});

Deno.test("remote URLs: https://host[:port] only, no credentials, path or query", () => {
  for (
    const good of ["https://127.0.0.1:8443", "https://build.example.org", "https://[::1]:8443/"]
  ) {
    equal(remoteUrlProblem(good), undefined, good);
  }
  for (
    const bad of [
      "",
      "127.0.0.1:8443",
      "http://127.0.0.1:8443",
      "unix:///var/lib/lxd/unix.socket",
      "https://u:p@h:8443",
      "https://h:8443/1.0",
      "https://h?x=1",
      "https://h#x",
    ]
  ) {
    equal(typeof remoteUrlProblem(bad), "string", bad);
  }
  throws(() => checkRemoteUrl("http://h"), UsageError);
});

Deno.test("chooseRemote: the environment, then config.json; a bad name says where it came from", () => {
  equal(chooseRemote({}), undefined);
  assertEquals(chooseRemote({ config: "a" }), { name: "a", source: "config" });
  assertEquals(chooseRemote({ env: "b", config: "a" }), { name: "b", source: "env" });
  throws(() => chooseRemote({ env: "a b" }), /CODCHI_LXD_REMOTE/);
  throws(() => chooseRemote({ config: "local" }), /config\.json remote/);
});

Deno.test("onRemote: every builder's argv names the remote at its instance, image, project or pool", () => {
  const R = "lo";
  const on = (argv: string[]) => onRemote(argv, R);
  const b = "lxc" as const;
  assertEquals(on(A.listArgv(b)), ["lxc", "list", "-q", "--format", "json", "lo:codchi"]);
  assertEquals(on(A.imageInfoArgv(b, "codchi-m")), ["lxc", "image", "info", "-q", "lo:codchi-m"]);
  assertEquals(on(A.imageImportArgv(b, "/t/m.tar", "a")), [
    "lxc",
    "image",
    "import",
    "-q",
    "/t/m.tar",
    "lo:",
    "--alias",
    "a",
  ]);
  assertEquals(on(A.imageAliasCreateArgv(b, "a", "ff")).slice(5), ["lo:a", "ff"]);
  assertEquals(on(A.imageListArgv(b)).at(-1), "lo:");
  assertEquals(on(A.imageDeleteArgv(b, "a")).at(-1), "lo:a");
  assertEquals(on(A.initArgv(b, "img", "codchi-m", { "a.b": "c" })), [
    "lxc",
    "init",
    "-q",
    "lo:img",
    "lo:codchi-m",
    "-c",
    "a.b=c",
  ]);
  const dev = { name: "d", type: "disk", options: { source: "v", path: "/p" } };
  assertEquals(on(A.deviceAddArgv(b, "codchi-m", dev)).slice(4, 7), ["-q", "lo:codchi-m", "d"]);
  assertEquals(on(A.deviceRemoveArgv(b, "codchi-m", "d")).slice(5), ["lo:codchi-m", "d"]);
  assertEquals(on(A.deviceSetArgv(b, "codchi-m", "d", { source: "x" })).slice(5), [
    "lo:codchi-m",
    "d",
    "source=x",
  ]);
  assertEquals(on(A.configSetArgv(b, "codchi-m", { k: "v" })).slice(4), ["lo:codchi-m", "k=v"]);
  assertEquals(on(A.startArgv(b, "codchi-m")), ["lxc", "start", "-q", "lo:codchi-m"]);
  assertEquals(on(A.stopArgv(b, "codchi-m", { timeoutS: 5 })).slice(3, 4), ["lo:codchi-m"]);
  assertEquals(on(A.stopArgv(b, "codchi-m", { force: true })).slice(3), ["lo:codchi-m", "--force"]);
  assertEquals(on(A.deleteArgv(b, "codchi-m")).slice(3), ["lo:codchi-m", "--force"]);
  assertEquals(on(A.copyArgv(b, "codchi-a", "codchi-b")).slice(3, 5), [
    "lo:codchi-a",
    "lo:codchi-b",
  ]);
  assertEquals(on(A.filePushArgv(b, "codchi-m", "/etc/x", { mode: 0o600 })).slice(-2), [
    "-",
    "lo:codchi-m/etc/x",
  ]);
  assertEquals(on(socketDirArgv(b, "codchi-m")).at(-1), "lo:codchi-m/mnt/codchi/.codchi");
  // exec: only the instance; the command after `--` is never touched, whatever it looks like.
  const ex = on(A.execArgv(b, "codchi-m", ["list", "lo:x", "--format"], {
    tty: false,
    uid: 1,
    gid: 2,
    cwd: "/",
    env: { A: "b" },
  }));
  assertEquals(ex.slice(0, 4), ["lxc", "exec", "-q", "lo:codchi-m"]);
  assertEquals(ex.slice(ex.indexOf("--")), ["--", "list", "lo:x", "--format"]);
  assertEquals(on(A.systemReadyArgv(b, "codchi-m")).slice(3, 4), ["lo:codchi-m"]);
  assertEquals(on(projectShowArgv(b, "p")), ["lxc", "project", "show", "lo:p"]);
  assertEquals(on(projectCreateArgv(b, "p")).slice(3, 5), ["-q", "lo:p"]);
  assertEquals(on(projectDeleteArgv(b, "p")).at(-1), "lo:p");
  assertEquals(on(volumeCreateArgv(b, "default", "v")).slice(4), ["-q", "lo:default", "v"]);
  assertEquals(on(volumeDeleteArgv(b, "default", "v")).slice(5), ["lo:default", "v"]);
  assertEquals(on(volumeListArgv(b, "default")).at(-1), "lo:default");
  assertEquals(on(volumeCopyArgv(b, "default", "a", "b")).slice(5), [
    "lo:default/a",
    "lo:default/b",
  ]);
  assertEquals(on(rootPoolArgv(b)), [
    "lxc",
    "profile",
    "device",
    "get",
    "lo:default",
    "root",
    "pool",
  ]);
});

Deno.test("onRemote: nothing changes without a remote; an argv it does not know is an error", () => {
  const argv = A.startArgv("incus", "codchi-m");
  assertEquals(onRemote(argv, undefined), argv);
  throws(() => onRemote(["lxc", "launch", "img", "x"], "lo"), /does not know/);
  throws(() => onRemote(["lxc", "start", "-q"], "lo"), /no argument/);
});

/** `lxc remote list --format json` as LXD 5.0.2 prints it (image servers, the local socket). */
const LISTED = JSON.stringify({
  images: {
    Addr: "https://images.linuxcontainers.org",
    AuthType: "",
    Project: "",
    Protocol: "simplestreams",
    Public: true,
    Global: false,
    Static: false,
  },
  local: { Addr: "unix://", AuthType: "", Protocol: "", Public: false, Static: true },
  lo: { Addr: "https://127.0.0.1:8443", AuthType: "tls", Protocol: "lxd", Public: false },
});

Deno.test("parseRemotes/instanceRemotes: the servers machines can run on", () => {
  const all = parseRemotes(LISTED);
  assertEquals(all.map((r) => r.name), ["images", "lo", "local"]);
  assertEquals(instanceRemotes(all), [
    { name: "lo", url: "https://127.0.0.1:8443", protocol: "lxd", imageServer: false },
  ]);
});

Deno.test("remote layout: /nix, profiles and home are volumes; the machine's /nix read-only", () => {
  const m = remoteMachineDisks("codchi-a-1", "pool1", "web");
  assertEquals(m.map((d) => [d.name, d.options.source, d.options.path, d.options.readonly]), [
    ["codchi-nix", "codchi-a-1-nix", "/nix", "true"],
    ["codchi-profiles", "codchi-a-1-prof-web", "/nix/var/nix/profiles", undefined],
    ["codchi-home", "codchi-a-1-home-web", "/home/codchi", undefined],
  ]);
  for (const d of [...m, ...remoteStoreDisks("p", "pool1")]) equal(d.options.pool, "pool1");
  const s = remoteStoreMachineDisks("p", "pool1", "web");
  const view = remoteStoreView();
  // The store sees each machine's volumes where its view says they are.
  assertEquals(s.map((d) => d.options.path), [view.profilesDir("web"), view.machineHome("web")]);
  assertEquals(s.map((d) => storeDeviceMachine(d.name)), ["web", "web"]);
  equal(storeDeviceMachine("codchi-nix"), undefined);
});

Deno.test("remoteDiskProblem: a missing volume, another volume, or any host bind is named", () => {
  const want = remoteMachineDisks("p", "default", "web");
  const devs = (ds: typeof want) => Object.fromEntries(ds.map((d) => [d.name, d.options]));
  equal(remoteDiskProblem(want, devs(want)), undefined);
  match(remoteDiskProblem(want, {})!, /\/nix is not mounted/);
  const other = devs(remoteMachineDisks("p", "default", "db"));
  match(remoteDiskProblem(want, other)!, /\/home\/codchi is default:p-home-db/);
  const bound = { ...devs(want), x: { type: "disk", source: "/srv", path: "/srv" } };
  match(remoteDiskProblem(want, bound)!, /x binds \/srv/);
  // The root disk (path /) is the instance's own.
  equal(
    remoteDiskProblem(want, { ...devs(want), root: { type: "disk", path: "/", pool: "d" } }),
    undefined,
  );
});

Deno.test("configSyncEntries: only flake files and driver flakes go to the remote store", () => {
  assertEquals(
    configSyncEntries(
      [{
        name: "web",
        files: ["machine.json", "flake.nix", "flake.lock", "built.json", "secrets"],
      }],
      ["driver-flake-0123abcd", "locks", "machines", "driver-flake-x.tmp-1"],
    ),
    ["driver-flake-0123abcd", "machines/web/flake.lock", "machines/web/flake.nix"],
  );
});

/** A runner that records argv and stdin, answering `remote list` with `listed`. */
function recorder(listed = LISTED): Runner & { calls: { argv: string[]; opts?: RunOpts }[] } {
  const calls: { argv: string[]; opts?: RunOpts }[] = [];
  return {
    calls,
    get spawns() {
      return calls.length;
    },
    run(argv: string[], opts?: RunOpts): Promise<Output> {
      calls.push({ argv, opts });
      const text = argv[2] === "list" ? listed : "";
      return Promise.resolve({
        code: 0,
        stdout: new TextEncoder().encode(text),
        stderr: new Uint8Array(),
        text,
        errText: "",
      });
    },
  };
}

Deno.test("addRemote: bad input fails before any spawn; the token goes on stdin only", async () => {
  const r = recorder();
  const d = { runner: r, bin: "lxc" as const };
  let asked = 0;
  const token = async () => {
    asked++;
    return await Promise.resolve("s3cret-token\n");
  };
  await rejects(addRemote(d, "a b", "https://h:8443", token), UsageError);
  await rejects(addRemote(d, "x", "http://h:8443", token), UsageError);
  equal(r.calls.length, 0);
  equal(asked, 0);
  await rejects(addRemote(d, "lo", "https://h:8443", token), ConflictError);
  equal(asked, 0, "a name already taken is refused before the token is read");
  await rejects(
    addRemote(d, "new", "https://h:8443", () => Promise.resolve("  ")),
    /No trust token/,
  );
  r.calls.length = 0;
  // The added remote is read back from the list (here: the recorded one stays without it).
  await rejects(addRemote(d, "new", "https://h:8443", token), /was not added/);
  const add = r.calls.find((c) => c.argv[2] === "add")!;
  assertEquals(add.argv, remoteAddArgv("lxc", "new", "https://h:8443"));
  for (const c of r.calls) equal(c.argv.join(" ").includes("s3cret"), false);
  equal(new TextDecoder().decode(add.opts?.stdin as Uint8Array), "s3cret-token\n");
});

Deno.test("removeRemote: never the one in use; an unknown one is not found", async () => {
  const r = recorder();
  await rejects(removeRemote({ runner: r, bin: "lxc", inUse: "lo" }, "lo"), ConflictError);
  await rejects(removeRemote({ runner: r, bin: "lxc" }, "nope"), /no remote "nope"/);
  await removeRemote({ runner: r, bin: "incus" }, "lo");
  assertEquals(r.calls.at(-1)!.argv, ["incus", "remote", "remove", "lo"]);
});

Deno.test("remoteFailure: the client's unreachable and untrusted errors, nothing else", () => {
  // The texts LXD 5.0 and Incus 6.0 print (seen on this host: a closed loopback port, a client
  // whose trust entry was removed).
  const refused = 'Error: Get "https://127.0.0.1:9/1.0": Unable to connect to: 127.0.0.1:9 ' +
    "([dial tcp 127.0.0.1:9: connect: connection refused])\n";
  const down = remoteFailure("lxc", "build", refused);
  equal(down?.exitCode, 9);
  match(down!.message, /^Cannot reach the remote "build" \(Get "https:\/\/127\.0\.0\.1:9/);
  match(down!.hint ?? "", /core\.https_address/);
  const untrusted = remoteFailure("incus", "build", "Error: not authorized\n");
  equal(untrusted?.exitCode, 9);
  match(untrusted!.message, /"build" does not trust this client.*\(not authorized\)/);
  match(untrusted!.hint ?? "", /incus config trust add .*incus remote remove build/);
  match(
    remoteFailure("lxc", "b", "Error: Get x: x509: certificate signed by unknown authority")!
      .message,
    /does not trust/,
  );
  // A command run in a machine that prints the same words is not the client's error.
  equal(remoteFailure("lxc", "b", "fatal: unable to access: Unable to connect to: x\n"), undefined);
  equal(remoteFailure("lxc", "b", "git: connection refused; not authorized\n"), undefined);
  equal(remoteFailure("lxc", "b", "Error: Instance not found\n"), undefined);
});
