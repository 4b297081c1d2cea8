/**
 * LXD's call wrapper (`Lxc`): every call is aimed at the project (and remote) exactly once,
 * project calls at the remote only; `call` turns the client's known failures into typed errors,
 * `raw` and `spawn` hand the output back as it is.
 */
import assert from "node:assert/strict";
import { PrerequisiteError, TimeoutError, ToolError } from "../../../src/errors.ts";
import { execArgv, listArgv } from "../../../src/driver/lxd/argv.ts";
import { Lxc } from "../../../src/driver/lxd/lxc.ts";
import { projectShowArgv } from "../../../src/driver/lxd/project.ts";
import { onRemote, remoteFailure } from "../../../src/driver/lxd/remote.ts";
import { output, scriptedRunner } from "../../support/scripted_runner.ts";

const SOCKET = 'Error: Get "http://unix.socket/1.0": dial unix /var/lib/lxd/unix.socket: ' +
  "connect: permission denied";
const UNREACHABLE = 'Error: Get "https://10.0.0.1:8443/1.0": Unable to connect to: 10.0.0.1:8443';

function wrapper(answer: (argv: string[]) => ReturnType<typeof output>, remote?: string) {
  const runner = scriptedRunner(answer);
  const lxc = new Lxc({
    bin: "lxc",
    project: "codchi-u-1234",
    runner,
    remote: remote
      ? {
        name: remote,
        on: (a) => onRemote(a, remote),
        failure: (e) => remoteFailure("lxc", remote, e),
      }
      : undefined,
  });
  return { lxc, runner };
}

Deno.test("Lxc: calls go to the project (and remote); project calls to the remote only", async () => {
  const { lxc, runner } = wrapper(() => output(0, "[]"), "build");
  assert.equal(lxc.remote, "build");
  assert.deepEqual(await lxc.listed(), []);
  await lxc.call(execArgv("lxc", "codchi-m", ["true"], { tty: false }));
  await lxc.raw(listArgv("lxc"));
  await lxc.server(projectShowArgv("lxc", "codchi-u-1234"));
  const aimed = lxc.aim(listArgv("lxc"));
  await lxc.spawn(aimed);
  assert.deepEqual(runner.calls, [
    ["lxc", "--project", "codchi-u-1234", ...onRemote(listArgv("lxc"), "build").slice(1)],
    [
      "lxc",
      "--project",
      "codchi-u-1234",
      ...onRemote(execArgv("lxc", "codchi-m", ["true"], { tty: false }), "build").slice(1),
    ],
    ["lxc", "--project", "codchi-u-1234", ...onRemote(listArgv("lxc"), "build").slice(1)],
    onRemote(projectShowArgv("lxc", "codchi-u-1234"), "build"),
    aimed, // spawn runs an aimed argv as it is: not aimed twice
  ]);
  assert.ok(runner.calls[0].includes("build:codchi"), runner.calls[0].join(" "));
  assert.equal(lxc.serverArgv(["lxc", "list"]).includes("--project"), false);
  // Without a remote, nothing names one.
  const local = wrapper(() => output(0, "[]"));
  assert.deepEqual(local.lxc.aim(listArgv("lxc")), [
    "lxc",
    "--project",
    "codchi-u-1234",
    ...listArgv("lxc").slice(1),
  ]);
});

Deno.test("Lxc.call: the daemon's socket, a remote and a timeout are typed; raw is as it is", async () => {
  const socket = wrapper(() => output(1, "", SOCKET)).lxc;
  await assert.rejects(socket.call(listArgv("lxc"), { check: false }), PrerequisiteError);
  assert.equal((await socket.raw(listArgv("lxc"))).code, 1);
  const far = wrapper(() => output(1, "", UNREACHABLE), "build").lxc;
  await assert.rejects(
    far.call(listArgv("lxc"), { check: false }),
    /Cannot reach the remote "build"/,
  );
  // The same words from the local client are a plain tool failure (there is no remote).
  const near = wrapper(() => output(1, "", UNREACHABLE)).lxc;
  await assert.rejects(near.call(listArgv("lxc")), ToolError);
  assert.equal((await near.call(listArgv("lxc"), { check: false })).code, 1);
  const slow = wrapper(() => output(124, "", "")).lxc;
  await assert.rejects(slow.call(listArgv("lxc"), { timeoutMs: 1000 }), TimeoutError);
});
