/** Driver choice in one place: CODCHI_DRIVER, config.json, OS, installed binaries. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { chooseDriver } from "../../src/driver/select.ts";
import { selectDriverName } from "../../src/driver/mod.ts";
import { UsageError } from "../../src/errors.ts";

const none = { lxc: false, incus: false };

Deno.test("chooseDriver: CODCHI_DRIVER beats config.json beats the OS and PATH", () => {
  assert.deepEqual(
    chooseDriver({
      os: "linux",
      envDriver: "incus",
      configDriver: "lxd",
      has: { lxc: true, incus: false },
    }),
    { name: "incus", reason: "CODCHI_DRIVER" },
  );
  assert.deepEqual(
    chooseDriver({ os: "linux", configDriver: "incus", has: { lxc: true, incus: false } }),
    {
      name: "incus",
      reason: "config.json",
    },
  );
  assert.equal(chooseDriver({ os: "windows", has: { lxc: true, incus: true } }).name, "wsl");
  assert.equal(chooseDriver({ os: "windows", envDriver: "lxd", has: none }).name, "lxd");
  const both = chooseDriver({ os: "linux", has: { lxc: true, incus: true } });
  assert.equal(both.name, "lxd");
  // Side by side, the reason says so and how to pick the other one.
  assert.match(both.reason, /both lxc and incus.*CODCHI_DRIVER=incus/);
  assert.equal(
    chooseDriver({ os: "linux", has: { lxc: true, incus: false } }).reason,
    "lxc found on PATH",
  );
  assert.equal(chooseDriver({ os: "linux", has: { lxc: false, incus: true } }).name, "incus");
  const fallback = chooseDriver({ os: "linux", has: none });
  assert.equal(fallback.name, "lxd");
  assert.match(fallback.reason, /neither lxc nor incus/);
  // empty CODCHI_DRIVER means unset
  assert.equal(
    chooseDriver({ os: "linux", envDriver: "", has: { lxc: false, incus: true } }).name,
    "incus",
  );
});

Deno.test("chooseDriver: an unknown CODCHI_DRIVER is a usage error naming the choices", () => {
  assert.throws(
    () => chooseDriver({ os: "linux", envDriver: "docker", has: none }),
    (e: unknown) => e instanceof UsageError && /lxd, incus, wsl/.test(e.hint ?? ""),
  );
});

Deno.test("selectDriverName looks at real files (an executable one only)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "incus"), "#!/bin/sh\n", { mode: 0o755 });
    await Deno.writeTextFile(join(dir, "lxc"), "not executable", { mode: 0o644 });
    await Deno.mkdir(join(dir, "sub"));
    assert.deepEqual(selectDriverName("linux", { PATH: dir }), {
      name: "incus",
      reason: "incus found on PATH",
    });
    assert.equal(selectDriverName("linux", { PATH: dir, CODCHI_DRIVER: "lxd" }).name, "lxd");
    assert.equal(selectDriverName("linux", { PATH: dir }, "lxd").name, "lxd");
    assert.equal(selectDriverName("windows", { PATH: dir }).name, "wsl");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
