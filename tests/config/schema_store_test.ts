/** zod schemas (defaults, strictness) and the JSON store (atomic writes, error messages). */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  BuiltSchema,
  defaultGlobalConfig,
  GlobalConfigSchema,
  MachineConfigSchema,
  ModuleSchema,
} from "../../src/config/schema.ts";
import {
  fileHash,
  parseJson,
  readJson,
  sha256,
  writeFileAtomic,
  writeJson,
} from "../../src/config/store.ts";
import { ConfigError } from "../../src/errors.ts";

Deno.test("config.json defaults", () => {
  assert.deepEqual(defaultGlobalConfig(), {
    version: 1,
    tray: { autostart: true },
    hostCertificates: true,
    hostProxy: false,
    windows: { vcxsrv: { enable: true }, vpnkit: false },
    nix: { substituters: [], trustedPublicKeys: [], stallMinutes: 30 },
  });
  const c = GlobalConfigSchema.parse({ version: 1, driver: "incus", tray: {} });
  // wsl-vpnkit is opt-in; turning it on leaves VcXsrv at its default.
  assert.deepEqual(GlobalConfigSchema.parse({ windows: { vpnkit: true } }).windows, {
    vcxsrv: { enable: true },
    vpnkit: true,
  });
  assert.equal(c.driver, "incus");
  assert.equal(c.tray.autostart, true);
});

Deno.test("config.json is strict at every level", () => {
  // Every key is documented optional: `{}` is a valid config.json.
  assert.equal(GlobalConfigSchema.parse({}).version, 1);
  for (
    const bad of [
      { version: 2 },
      { version: 1, dataDir: "relative/data" },
      { version: 1, dataDir: "./data" },
      { version: 1, dataDir: "/tmp/a\nb" },
      { version: 1, extra: 1 },
      { version: 1, tray: { autostart: true, x: 1 } },
      { version: 1, windows: { vcxsrv: { enable: true, path: "x" } } },
      { version: 1, windows: { vpnkit: "yes" } },
      { version: 1, windows: { vpnkit: { enable: true } } },
      { version: 1, driver: "docker" },
      { version: 1, dataDir: "" },
      { version: 1, hostCertificates: "true" },
    ]
  ) {
    assert.equal(GlobalConfigSchema.safeParse(bad).success, false, JSON.stringify(bad));
  }
});

Deno.test("machine.json: defaults, module sources, strictness", () => {
  const m = MachineConfigSchema.parse({ version: 1, name: "m", createdAt: "t" });
  assert.equal(m.nixpkgsFrom, "local");
  assert.deepEqual(m.modules, []);
  const mod = {
    name: "app",
    source: { kind: "git", host: "example.org", path: "/a/b", ref: "main" },
    modulePath: "codchiModules.dev",
  };
  assert.ok(ModuleSchema.safeParse(mod).success);
  assert.ok(
    ModuleSchema.safeParse({
      ...mod,
      source: { kind: "local", path: "src/app", scheme: "path" },
    }).success,
  );
  assert.ok(
    ModuleSchema.safeParse({
      ...mod,
      source: { kind: "forge", forge: "sourcehut", owner: "~me", repo: "r", ref: "v1.2" },
    }).success,
  );
  for (
    const bad of [
      { ...mod, name: "1app" },
      { ...mod, modulePath: "packages.x" },
      { ...mod, modulePath: "nixosModules.a.b" },
      { ...mod, source: { kind: "svn", path: "x" } },
      { ...mod, source: { ...mod.source, token: "secret" } },
      { ...mod, extra: true },
      // Hand-edited paths that would leave their roots.
      { ...mod, source: { kind: "local", path: "/src", scheme: "path" } },
      { ...mod, source: { kind: "local", path: "../../../etc", scheme: "path" } },
      { ...mod, source: { kind: "local", path: "a/../../b", scheme: "git" } },
      { ...mod, source: { ...mod.source, path: "/a/../b" } },
      { ...mod, source: { ...mod.source, path: "a/b" } },
      { ...mod, source: { ...mod.source, host: "evil.org/../x" } },
      { ...mod, source: { ...mod.source, ref: "a..b" } },
      { ...mod, source: { kind: "forge", forge: "github", owner: "..", repo: "r" } },
      { ...mod, source: { kind: "forge", forge: "github", owner: "o", repo: "r/x" } },
      // Refs Nix's forge fetchers refuse are never stored as forge refs.
      { ...mod, source: { kind: "forge", forge: "github", owner: "o", repo: "r", ref: "fix#12" } },
      { ...mod, source: { kind: "forge", forge: "github", owner: "o", repo: "r", ref: "_wip" } },
      { ...mod, source: { kind: "forge", forge: "github", owner: "o", repo: "r", rev: "abc" } },
    ]
  ) {
    assert.equal(ModuleSchema.safeParse(bad).success, false, JSON.stringify(bad));
  }
  for (const name of ["../../../../escaped", "M", "a/b", ""]) {
    assert.equal(
      MachineConfigSchema.safeParse({ version: 1, name, createdAt: "t" }).success,
      false,
      name,
    );
  }
  assert.equal(
    MachineConfigSchema.safeParse({ version: 1, name: "m", createdAt: "t", secrets: {} }).success,
    false,
  );
  assert.equal(BuiltSchema.safeParse({ version: 1, flakeHash: "a" }).success, false);
});

Deno.test("parseJson: errors name the file, the key and the fix", () => {
  const f = "/x/config.json";
  const err = (text: string) => {
    try {
      parseJson(f, text, GlobalConfigSchema);
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.exitCode, 5);
      return `${e.message}\n${e.hint}`;
    }
    assert.fail(`accepted ${text}`);
  };
  assert.match(err("{"), /^\/x\/config\.json is not valid JSON/);
  assert.match(err("{"), /codchi never overwrites it/);
  const unk = err('{"version":1,"drivr":"lxd","tray":{"x":1}}');
  assert.match(unk, /unknown key "drivr" at \(top level\)/);
  assert.match(unk, /unknown key "x" at tray/);
  assert.match(unk, /Edit \/x\/config\.json/);
  assert.match(err('{"version":1,"tray":{"autostart":"no"}}'), /key "tray\.autostart"/);
  assert.deepEqual(parseJson(f, '{"version":1}', GlobalConfigSchema), defaultGlobalConfig());
});

Deno.test("readJson: undefined when absent, errors otherwise, never rewrites", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(await readJson(join(dir, "none.json"), GlobalConfigSchema), undefined);
    const f = join(dir, "config.json");
    await Deno.writeTextFile(f, '{"version":1,"bad":true}');
    await assert.rejects(() => readJson(f, GlobalConfigSchema), ConfigError);
    assert.equal(await Deno.readTextFile(f), '{"version":1,"bad":true}');
    // A folder where the file should be is not "absent": the real error surfaces.
    await Deno.mkdir(join(dir, "isdir.json"));
    await assert.rejects(() => readJson(join(dir, "isdir.json"), GlobalConfigSchema));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeJson / writeFileAtomic: content, mode, folders, no temp files left", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const f = join(dir, "a", "b", "machine.json");
    await writeJson(f, { version: 1, name: "m", createdAt: "t" });
    assert.equal(
      await Deno.readTextFile(f),
      '{\n  "version": 1,\n  "name": "m",\n  "createdAt": "t"\n}\n',
    );
    assert.deepEqual(await readJson(f, MachineConfigSchema), {
      version: 1,
      name: "m",
      createdAt: "t",
      nixpkgsFrom: "local",
      modules: [],
    });
    // 50 concurrent writers: the file is always one whole version, and no temp file remains.
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => writeJson(f, { i, pad: "x".repeat(10_000) })),
    );
    const last = JSON.parse(await Deno.readTextFile(f));
    assert.ok(last.i >= 0 && last.i < 50 && last.pad.length === 10_000);
    assert.deepEqual([...Deno.readDirSync(join(dir, "a", "b"))].map((e) => e.name), [
      "machine.json",
    ]);
    const secret = join(dir, "secret.json");
    await writeFileAtomic(secret, "x", 0o600);
    assert.equal((await Deno.stat(secret)).mode! & 0o777, 0o600);
    await writeFileAtomic(join(dir, "bytes"), new Uint8Array([1, 2, 3]));
    assert.deepEqual(await Deno.readFile(join(dir, "bytes")), new Uint8Array([1, 2, 3]));
    // A failed write (target is a folder) leaves no temp file behind.
    await Deno.mkdir(join(dir, "target"));
    await assert.rejects(() => writeFileAtomic(join(dir, "target"), "x"));
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.includes(".tmp")),
      [],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sha256 / fileHash", async () => {
  assert.equal(
    await sha256("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(await fileHash("/nonexistent/codchi/file"), "");
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "f"), "abc");
    assert.equal(await fileHash(join(dir, "f")), await sha256("abc"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
