/** Pure pieces of `codchi clone`: the URL git clones, the checkout, the owner, the store's view. */
import assert from "node:assert/strict";
import { checkoutArgv, chownArgv, cloneDir, cloneUrl } from "../../src/core/clone.ts";
import { parseModuleUrl } from "../../src/nix/mod.ts";
import { machineOwnerInStore, storeView } from "../../src/driver/lxd/mounts.ts";
import { computePaths } from "../../src/config/paths.ts";
import { UsageError } from "../../src/errors.ts";

Deno.test("cloneUrl: the https URL of a remote source, never a local folder", () => {
  assert.equal(cloneUrl(parseModuleUrl("github:acme/app")), "https://github.com/acme/app");
  assert.equal(
    cloneUrl(parseModuleUrl("https://127.0.0.1:8443/team/app.git", { tag: "v1" })),
    "https://127.0.0.1:8443/team/app.git",
  );
  assert.equal(
    cloneUrl(parseModuleUrl("gitlab:acme/app", { auth: true })),
    "https://gitlab.com/acme/app",
  );
  assert.throws(() => cloneUrl(parseModuleUrl("projects/app")), UsageError);
});

Deno.test("cloneDir: shorthand URLs, and folders that are not plain relative paths", () => {
  assert.equal(cloneDir("github:acme/tool"), "tool");
  assert.equal(cloneDir("https://127.0.0.1:8443/team/app.git"), "app");
  for (const dir of ["-o", "a//b", "./a", "a/./b", "a\\b", "a\nb"]) {
    assert.throws(() => cloneDir("https://x/y", dir), UsageError, JSON.stringify(dir));
  }
});

Deno.test("checkoutArgv: exactly that commit, detached, never read as a path", () => {
  const c = "0123456789abcdef0123456789abcdef01234567";
  assert.deepEqual(checkoutArgv("/data/machine/m/app", c), [
    "git",
    "-C",
    "/data/machine/m/app",
    "-c",
    "advice.detachedHead=false",
    "checkout",
    "--quiet",
    "--detach",
    c,
    "--",
  ]);
});

Deno.test("chownArgv and who the machine user is to the LXD store", () => {
  assert.deepEqual(chownArgv("/data/machine/m/app", { uid: 1000, gid: 100 }), [
    "chown",
    "-R",
    "1000:100",
    "/data/machine/m/app",
  ]);
  // A root host: both containers map root to root and share LXD's id range.
  assert.deepEqual(machineOwnerInStore({ uid: 0, gid: 0 }), { uid: 1000, gid: 100 });
  // Any other host user is the store's root and the machine's codchi.
  assert.deepEqual(machineOwnerInStore({ uid: 1234, gid: 1234 }), { uid: 0, gid: 0 });
  const paths = computePaths("linux", { HOME: "/home/u" });
  assert.deepEqual(storeView(paths, { uid: 1234, gid: 1234 }).machineOwner, { uid: 0, gid: 0 });
  assert.equal(storeView(paths).machineHome("m"), "/data/machine/m");
});
