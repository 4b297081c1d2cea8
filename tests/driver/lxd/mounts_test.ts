import { deepEqual, equal, ok } from "node:assert/strict";
import { computePaths } from "../../../src/config/paths.ts";
import {
  foreignStoreMounts,
  machineConfig,
  machineDisks,
  machineHostDirs,
  storeConfig,
  storeDisks,
  storeView,
  viewOf,
} from "../../../src/driver/lxd/mounts.ts";

const paths = computePaths("linux", { HOME: "/home/u" });

Deno.test("store disks: config, data, nix and the machines as GC roots", () => {
  deepEqual(
    storeDisks(paths).map((d) => [d.source, d.path]),
    [
      ["/home/u/.config/codchi", "/config"],
      ["/home/u/.local/share/codchi", "/data"],
      ["/home/u/.local/share/codchi/nix", "/nix"],
      ["/home/u/.config/codchi/machines", "/nix/var/nix/gcroots/codchi-machines"],
    ],
  );
});

Deno.test("machine disks: store and db read-only, whole daemon-socket folder, profiles, home, logs", () => {
  const d = Object.fromEntries(machineDisks(paths, "m").map((x) => [x.path, x]));
  equal(d["/nix/store"].source, "/home/u/.local/share/codchi/nix/store");
  equal(d["/nix/store"].readonly, true);
  equal(d["/nix/var/nix/db"].readonly, true);
  equal(
    d["/nix/var/nix/daemon-socket"].source,
    "/home/u/.local/share/codchi/nix/var/nix/daemon-socket",
  );
  ok(!d["/nix/var/nix/daemon-socket"].readonly);
  equal(d["/nix/var/nix/profiles"].source, "/home/u/.config/codchi/machines/m/profiles");
  equal(d["/home/codchi"].source, "/home/u/.local/share/codchi/machine/m");
  equal(d["/var/log/codchi"].source, "/home/u/.local/share/codchi/log/machines/m");
  equal(machineHostDirs(paths, "m").length, 6);
});

Deno.test("idmaps: store root is the host user; machine user is the host user (root: root)", () => {
  equal(storeConfig({ uid: 1000, gid: 1001 })["raw.idmap"], "uid 1000 0\ngid 1001 0");
  equal(machineConfig({ uid: 1000, gid: 1001 }, "m")["raw.idmap"], "uid 1000 1000\ngid 1001 100");
  equal(machineConfig({ uid: 0, gid: 0 }, "m")["raw.idmap"], "uid 0 0\ngid 0 0");
  equal(machineConfig({ uid: 0, gid: 0 }, "m")["security.nesting"], "true");
});

Deno.test("store view of host paths", () => {
  const v = storeView(paths);
  equal(v.configDir, "/config");
  equal(v.profilesDir("m"), "/config/machines/m/profiles");
  equal(v.machineHome("m"), "/data/machine/m");
  equal(viewOf("/a", "/x", "/b/c"), undefined);
  equal(viewOf("/a", "/x", "/a"), "/x");
});

Deno.test("foreignStoreMounts: a store mounting another user's folders is named", () => {
  const ours = Object.fromEntries(
    storeDisks(paths).map((d) => [d.name, { type: "disk", source: d.source, path: d.path }]),
  );
  equal(foreignStoreMounts(paths, ours), undefined);
  equal(foreignStoreMounts(paths, undefined), undefined, "no devices yet: nothing to say");
  equal(
    foreignStoreMounts(paths, { ...ours, "codchi-config": { ...ours["codchi-config"] } }),
    undefined,
  );
  const other = computePaths("linux", { HOME: "/home/v" });
  const theirs = Object.fromEntries(
    storeDisks(other).map((d) => [d.name, { type: "disk", source: d.source, path: d.path }]),
  );
  const why = foreignStoreMounts(paths, theirs) ?? "";
  ok(why.includes("/config is /home/v/.config/codchi, not /home/u/.config/codchi"), why);
  ok(why.includes("/nix is /home/v/.local/share/codchi/nix"), why);
  ok(
    foreignStoreMounts(paths, {
      ...ours,
      "codchi-config": { source: "/home/u/.config/codchi/" },
    }) ===
      undefined,
    "a trailing slash is the same folder",
  );
});
