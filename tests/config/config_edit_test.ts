/** setConfigKey: the tray's switches written into config.json: validated, atomic, the rest kept. */
import { deepEqual, equal, rejects } from "node:assert/strict";
import { setConfigKey } from "../../src/config/config_edit.ts";
import { ConfigError } from "../../src/errors.ts";

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const read = async (f: string) => JSON.parse(await Deno.readTextFile(f));

Deno.test("setConfigKey: no file yet: only the key (and the version) is written", () =>
  withDir(async (dir) => {
    const file = `${dir}/codchi/config.json`;
    const cfg = await setConfigKey(file, ["windows", "vpnkit"], true);
    equal(cfg.windows.vpnkit, true);
    equal(cfg.windows.vcxsrv.enable, true, "the parsed result has the defaults");
    deepEqual(await read(file), { version: 1, windows: { vpnkit: true } });
    deepEqual([...Deno.readDirSync(`${dir}/codchi`)].map((e) => e.name), ["config.json"]);
  }));

Deno.test("setConfigKey: the user's other keys stay as written; nested objects are made", () =>
  withDir(async (dir) => {
    const file = `${dir}/config.json`;
    await Deno.writeTextFile(
      file,
      JSON.stringify({ hostProxy: true, windows: { vpnkit: true }, nix: { stallMinutes: 5 } }),
    );
    await setConfigKey(file, ["windows", "vcxsrv", "enable"], false);
    deepEqual(await read(file), {
      hostProxy: true,
      windows: { vpnkit: true, vcxsrv: { enable: false } },
      nix: { stallMinutes: 5 },
    });
    await setConfigKey(file, ["windows", "vpnkit"], false);
    equal((await read(file)).windows.vpnkit, false);
  }));

Deno.test("setConfigKey: a broken file or a bad value is a ConfigError; the file is untouched", () =>
  withDir(async (dir) => {
    const file = `${dir}/config.json`;
    for (const bad of ['{"windows": {"vpnkit": tru', '{"unknown": 1}', '{"windows": 3}']) {
      await Deno.writeTextFile(file, bad);
      await rejects(setConfigKey(file, ["windows", "vpnkit"], true), ConfigError, bad);
      equal(await Deno.readTextFile(file), bad, "never rewritten");
    }
    await Deno.writeTextFile(file, "{}");
    await rejects(setConfigKey(file, ["windows", "vpnkit"], "yes"), ConfigError);
    await rejects(setConfigKey(file, ["windows", "vcxsrv"], true), ConfigError);
    equal(await Deno.readTextFile(file), "{}");
    deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["config.json"], "no temp file left");
  }));
