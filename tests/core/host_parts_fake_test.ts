/**
 * Core use cases at the host's edges, through the fake driver: recover, the store commands, a
 * WSL-like driver that owns the machine's disk, the host CA and proxy handed to a machine, USB
 * lists, and uninstall.
 */
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { journalFile } from "../../src/config/journal_files.ts";
import { machinePaths } from "../../src/config/paths.ts";
import { CONTRACT } from "../../src/contract.ts";
import { MACHINE_CA_PATH, readHostCaBundle } from "../../src/core/host_ca.ts";
import { duplicateMachine, initMachine } from "../../src/core/lifecycle.ts";
import { recoverMachine, recoverStore, storeShell } from "../../src/core/store.ts";
import { uninstall } from "../../src/core/uninstall.ts";
import { changeUsb, listUsb } from "../../src/core/usb.ts";
import {
  InterruptedError,
  NotFoundError,
  NotImplementedError,
  ToolError,
  UsageError,
} from "../../src/errors.ts";
import { TOKEN_SCOPE } from "../../src/secrets/types.ts";
import { type FakeHost, fakeHost, ScriptedPrompter } from "../support/fake_core.ts";

async function init(h: FakeHost, name = "a", build = true) {
  return await initMachine(h.ctx, {
    name,
    url: "github:acme/dev",
    modulePaths: ["nixosModules.default"],
    input: { dontPrompt: true, build },
    runInit: true,
  });
}

const text = (b?: Uint8Array) => new TextDecoder().decode(b);

// ---------------------------------------------------------------- recover and store

Deno.test("recover: a new container for the machine, home and config kept", async () => {
  await using h = await fakeHost();
  await init(h);
  const home = `${machinePaths(h.paths, "a").data}/keep.txt`;
  await Deno.writeTextFile(home, "k");
  await h.driver.stop("a");
  h.driver.calls.length = 0;
  await recoverMachine(h.ctx, "a");
  deepEqual(h.driver.calls, ["recover a"]);
  equal(await Deno.readTextFile(home), "k");
  equal(h.driver.machines.get("a")!.starts, 0, "a fresh container");
  await rejects(Deno.lstat(journalFile(h.paths, "a")), Deno.errors.NotFound);
});

Deno.test("recover: a failure removes only the half-made container, never home or config", async () => {
  await using h = await fakeHost();
  await init(h);
  await h.driver.stop("a");
  const before = await h.files();
  h.driver.failOn(/^recover a$/, () => new ToolError("lxc", "image gone"));
  await rejects(recoverMachine(h.ctx, "a"), ToolError);
  deepEqual(h.driver.calls.slice(-3), ["recover a", "states", "remove a"]);
  deepEqual(
    (await h.files()).filter((f) => !f.includes("/locks/")),
    before.filter((f) => !f.includes("/locks/")),
  );
});

Deno.test("recover: an unknown machine is NotFound; a driver without recover is NotImplemented", async () => {
  await using h = await fakeHost({ driver: { recover: false } });
  await rejects(recoverMachine(h.ctx, "a"), NotFoundError);
  await init(h, "a", false);
  const before = h.driver.calls.length; // init -N: states, then the module's flake is read
  await rejects(
    recoverMachine(h.ctx, "a"),
    (e) => e instanceof NotImplementedError && /store recover/.test(e.hint ?? ""),
  );
  deepEqual(h.driver.calls.slice(before), [], "recover touched nothing");
});

Deno.test("store debug goes straight to the driver's shell (no wait for a healthy daemon); recover", async () => {
  await using h = await fakeHost();
  equal(await storeShell(h.ctx), 0);
  equal(await storeShell(h.ctx, ["journalctl", "-u", "codchi-nix-daemon"]), 0);
  await recoverStore(h.ctx);
  deepEqual(h.driver.calls, [
    "store shell",
    "store shell journalctl -u codchi-nix-daemon",
    "store recover",
  ]);
});

// ---------------------------------------------------------------- a WSL-like driver

Deno.test("duplicate on a driver that owns the machine's disk: the core does not copy it", async () => {
  await using h = await fakeHost({ driver: { name: "wsl", managesMachineData: true } });
  await init(h);
  await Deno.writeTextFile(`${machinePaths(h.paths, "a").data}/disk.vhdx`, "disk");
  await duplicateMachine(h.ctx, "a", "b");
  ok(h.driver.calls.includes("duplicate a b"));
  deepEqual(await h.files(machinePaths(h.paths, "b").data), []);
});

// ---------------------------------------------------------------- host CA and proxy

Deno.test("host CA: handed to an LXD and a WSL machine right after start (when the host has one)", async () => {
  const bundle = await readHostCaBundle("linux");
  for (const name of ["lxd", "wsl"] as const) {
    await using h = await fakeHost({ driver: { name }, config: { hostCertificates: true } });
    await init(h);
    const file = h.driver.machines.get("a")!.files.get(MACHINE_CA_PATH);
    if (bundle === undefined) {
      equal(file, undefined);
      continue;
    }
    equal(text(file?.data), bundle);
    equal(file?.mode, 0o644);
    const i = h.driver.calls.indexOf("start a");
    ok(
      h.driver.calls[i + 1].startsWith("exec a root sh -c"),
      `after start: ${h.driver.calls[i + 1]}`,
    );
  }
  {
    await using h = await fakeHost({
      driver: { name: "wsl" },
      config: { hostCertificates: false },
    });
    await init(h);
    equal(h.driver.machines.get("a")!.files.get(MACHINE_CA_PATH), undefined, "off: nothing");
  }
});

Deno.test("host proxy: opt-in; the host's proxy variables reach the machine's proxy file", async () => {
  {
    await using h = await fakeHost({ env: { https_proxy: "http://127.0.0.1:3128" } });
    await init(h);
    equal(h.driver.machines.get("a")!.files.get(CONTRACT.proxyFile), undefined, "off by default");
  }
  await using h = await fakeHost({
    env: { https_proxy: "http://127.0.0.1:3128", NO_PROXY: "localhost" },
    config: { hostProxy: true },
  });
  await init(h);
  const proxy = text(h.driver.machines.get("a")!.files.get(CONTRACT.proxyFile)?.data);
  ok(proxy.includes("https_proxy='http://127.0.0.1:3128'"), proxy);
  ok(proxy.includes("HTTPS_PROXY='http://127.0.0.1:3128'"), proxy);
  ok(proxy.includes("no_proxy='localhost'"), proxy);
  equal(proxy.includes("http_proxy="), false);
});

// ---------------------------------------------------------------- USB

const DEVICES = [{ id: "1d6b:0002", bus: "1-1", name: "hub" }, {
  id: "0781:5581",
  bus: "2-3",
  name: "stick",
}];

Deno.test("usb attach: saved in machine.json, applied at once to a running machine", async () => {
  await using h = await fakeHost({ driver: { usb: DEVICES } });
  await init(h);
  deepEqual((await listUsb(h.ctx)).map((d) => d.id), ["1d6b:0002", "0781:5581"]);
  const r = await changeUsb(h.ctx, "a", "2-3", "attach");
  deepEqual(r, { machine: "a", usb: ["0781:5581"], applied: true });
  deepEqual(h.driver.machines.get("a")!.usb, ["0781:5581"]);
  const cfg = JSON.parse(await Deno.readTextFile(machinePaths(h.paths, "a").file));
  deepEqual(cfg.usb, ["0781:5581"]);
  // Stopped: saved only; the next start carries it.
  await h.driver.stop("a");
  const d = await changeUsb(h.ctx, "a", "0781:5581", "detach");
  deepEqual(d, { machine: "a", usb: [], applied: false });
  equal("usb" in JSON.parse(await Deno.readTextFile(machinePaths(h.paths, "a").file)), false);
});

Deno.test("usb: a bad device or a driver without USB is a typed error; nothing saved", async () => {
  await using h = await fakeHost({ driver: { usb: DEVICES } });
  await init(h);
  const before = await Deno.readTextFile(machinePaths(h.paths, "a").file);
  await rejects(changeUsb(h.ctx, "a", "9-9", "attach"), UsageError);
  equal(await Deno.readTextFile(machinePaths(h.paths, "a").file), before);
  await using none = await fakeHost();
  await rejects(listUsb(none.ctx), NotImplementedError);
});

// ---------------------------------------------------------------- uninstall

Deno.test("uninstall: every machine deleted, then the store, tokens and codchi's folders", async () => {
  await using h = await fakeHost();
  await init(h, "a");
  await init(h, "b", false);
  await h.secrets.set(TOKEN_SCOPE, "github.com", "tok");
  h.driver.calls.length = 0;
  const removed = await uninstall(h.ctx, { sure: true });
  deepEqual(h.driver.machines.size, 0);
  equal(h.driver.calls.at(-1), "uninstall");
  ok(h.driver.calls.indexOf("remove a") < h.driver.calls.indexOf("uninstall"));
  deepEqual(await h.secrets.list(TOKEN_SCOPE), []);
  ok(removed.some((r) => r.startsWith("machine a ")));
  ok(removed.some((r) => r.startsWith("machine b ")));
  ok(removed.includes(h.paths.configDir));
  await rejects(Deno.lstat(h.paths.configDir), Deno.errors.NotFound);
  await rejects(Deno.lstat(h.paths.dataDir), Deno.errors.NotFound);
});

Deno.test("uninstall: no terminal and not sure is a UsageError; declined is Interrupted", async () => {
  await using h = await fakeHost();
  await init(h);
  const before = await h.files();
  await rejects(uninstall(h.ctx, { sure: false }), UsageError);
  await using asked = await fakeHost({
    prompter: new ScriptedPrompter(true, { confirm: [false] }),
  });
  await rejects(uninstall(asked.ctx, { sure: false }), InterruptedError);
  deepEqual(await h.files(), before);
  equal(h.driver.machines.has("a"), true);
});
