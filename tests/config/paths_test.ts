/** computePaths for Linux (XDG) and Windows (node:path win32), and machinePaths. */
import assert from "node:assert/strict";
import { computePaths, hostOs, machinePaths } from "../../src/config/paths.ts";
import { pathApi } from "../../src/config/path_api.ts";
import { PrerequisiteError } from "../../src/errors.ts";

Deno.test("linux: XDG variables set", () => {
  const p = computePaths("linux", {
    HOME: "/home/u",
    XDG_CONFIG_HOME: "/cfg",
    XDG_DATA_HOME: "/dat",
    XDG_RUNTIME_DIR: "/run/user/1000",
  });
  assert.equal(p.os, "linux");
  assert.equal(p.configDir, "/cfg/codchi");
  assert.equal(p.configFile, "/cfg/codchi/config.json");
  assert.equal(p.machinesDir, "/cfg/codchi/machines");
  assert.equal(p.locksDir, "/cfg/codchi/locks");
  assert.equal(p.dataDir, "/dat/codchi");
  assert.equal(p.storeDir, "/dat/codchi/nix");
  assert.equal(p.machineDataRoot, "/dat/codchi/machine");
  assert.equal(p.runtimeDir, "/run/user/1000/codchi");
  assert.equal(p.applicationsDir, "/dat/applications");
  assert.equal(p.menusDir, "/cfg/menus/applications-merged");
  assert.equal(p.autostartDir, "/cfg/autostart");
  assert.equal(p.iconsDir, "/dat/icons/hicolor");
});

Deno.test("linux: XDG unset, empty or relative falls back to the defaults under HOME", () => {
  for (
    const env of [
      { HOME: "/home/u" },
      { HOME: "/home/u", XDG_CONFIG_HOME: "", XDG_DATA_HOME: "", XDG_RUNTIME_DIR: "" },
      {
        HOME: "/home/u",
        XDG_CONFIG_HOME: "rel/cfg",
        XDG_DATA_HOME: "./dat",
        XDG_RUNTIME_DIR: "run",
      },
    ]
  ) {
    const p = computePaths("linux", env);
    assert.equal(p.configDir, "/home/u/.config/codchi", JSON.stringify(env));
    assert.equal(p.dataDir, "/home/u/.local/share/codchi");
    assert.equal(p.runtimeDir, "/home/u/.local/share/codchi/run");
    assert.equal(p.applicationsDir, "/home/u/.local/share/applications");
    assert.equal(p.autostartDir, "/home/u/.config/autostart");
  }
});

Deno.test("linux: dataDir from config.json moves the data, never the config", () => {
  const p = computePaths("linux", { HOME: "/home/u" }, "/big/disk");
  assert.equal(p.dataDir, "/big/disk");
  assert.equal(p.storeDir, "/big/disk/nix");
  assert.equal(p.configDir, "/home/u/.config/codchi");
  assert.equal(p.applicationsDir, "/home/u/.local/share/applications");
});

Deno.test("linux: a missing HOME is an error", () => {
  for (const env of [{}, { HOME: "" }]) {
    assert.throws(
      () => computePaths("linux", env),
      (e) =>
        e instanceof PrerequisiteError && /HOME is not set/.test(e.message) &&
        e.exitCode === 9 && /set HOME/.test(e.hint ?? ""),
    );
  }
});

Deno.test("windows: APPDATA / LOCALAPPDATA", () => {
  const p = computePaths("windows", {
    USERPROFILE: "C:\\Users\\u",
    APPDATA: "D:\\Roam",
    LOCALAPPDATA: "E:\\Local",
  });
  assert.equal(p.os, "windows");
  assert.equal(p.home, "C:\\Users\\u");
  assert.equal(p.configDir, "D:\\Roam\\codchi");
  assert.equal(p.configFile, "D:\\Roam\\codchi\\config.json");
  assert.equal(p.machinesDir, "D:\\Roam\\codchi\\machines");
  assert.equal(p.dataDir, "E:\\Local\\codchi");
  assert.equal(p.storeDir, "E:\\Local\\codchi\\store");
  assert.equal(p.secretsFile, "E:\\Local\\codchi\\secrets.dpapi.json");
  assert.equal(p.applicationsDir, "D:\\Roam\\Microsoft\\Windows\\Start Menu\\Programs");
  assert.equal(
    p.autostartDir,
    "D:\\Roam\\Microsoft\\Windows\\Start Menu\\Programs\\Startup",
  );
  assert.equal(
    p.menusDir,
    "E:\\Local\\Microsoft\\Windows Terminal\\Fragments\\codchi",
  );
  for (const v of Object.values(p)) {
    if (typeof v === "string" && v !== "windows") assert.ok(!v.includes("/"), v);
  }
});

Deno.test("windows: defaults from USERPROFILE, then HOMEDRIVE+HOMEPATH; none is an error", () => {
  const p = computePaths("windows", { USERPROFILE: "C:\\Users\\u" });
  assert.equal(p.configDir, "C:\\Users\\u\\AppData\\Roaming\\codchi");
  assert.equal(p.dataDir, "C:\\Users\\u\\AppData\\Local\\codchi");
  const q = computePaths("windows", { HOMEDRIVE: "C:", HOMEPATH: "\\Users\\v" });
  assert.equal(q.home, "C:\\Users\\v");
  assert.equal(q.configDir, "C:\\Users\\v\\AppData\\Roaming\\codchi");
  assert.throws(
    () => computePaths("windows", { HOME: "/home/u" }),
    (e) => e instanceof PrerequisiteError && /USERPROFILE is not set/.test(e.message),
  );
  const o = computePaths("windows", { USERPROFILE: "C:\\Users\\u" }, "F:\\codchi-data");
  assert.equal(o.dataDir, "F:\\codchi-data");
  assert.equal(o.machineDataRoot, "F:\\codchi-data\\machine");
});

Deno.test("machinePaths: per-machine files, lock kept apart, native separators", () => {
  const l = machinePaths(computePaths("linux", { HOME: "/h" }), "java");
  assert.deepEqual(l, {
    dir: "/h/.config/codchi/machines/java",
    file: "/h/.config/codchi/machines/java/machine.json",
    flake: "/h/.config/codchi/machines/java/flake.nix",
    lock: "/h/.config/codchi/machines/java/flake.lock",
    built: "/h/.config/codchi/machines/java/built.json",
    exported: "/h/.config/codchi/machines/java/exported.json",
    profilesDir: "/h/.config/codchi/machines/java/profiles",
    lockFile: "/h/.config/codchi/locks/java.lock",
    data: "/h/.local/share/codchi/machine/java",
    logs: "/h/.local/share/codchi/log/machines/java",
    imageFlakeDir: "/h/.config/codchi/images/java",
  });
  const w = machinePaths(computePaths("windows", { USERPROFILE: "C:\\U" }), "java");
  assert.equal(w.file, "C:\\U\\AppData\\Roaming\\codchi\\machines\\java\\machine.json");
  assert.equal(w.lockFile, "C:\\U\\AppData\\Roaming\\codchi\\locks\\java.lock");
  assert.equal(w.data, "C:\\U\\AppData\\Local\\codchi\\machine\\java");
});

Deno.test("hostOs honours CODCHI_HOST_OS; pathApi matches the OS", () => {
  assert.equal(hostOs({ CODCHI_HOST_OS: "windows" }), "windows");
  assert.equal(hostOs({ CODCHI_HOST_OS: "linux" }), "linux");
  assert.equal(
    hostOs({ CODCHI_HOST_OS: "beos" }),
    Deno.build.os === "windows" ? "windows" : "linux",
  );
  assert.equal(pathApi("windows").sep, "\\");
  assert.equal(pathApi("linux").sep, "/");
});

Deno.test("image cache: $XDG_CACHE_HOME/codchi/images, %LOCALAPPDATA%\\codchi\\cache; dataDir never moves it", () => {
  const a = computePaths("linux", { HOME: "/home/u", XDG_CACHE_HOME: "/c" }, "/big/disk");
  assert.equal(a.cacheDir, "/c/codchi");
  assert.equal(a.imagesDir, "/c/codchi/images");
  const b = computePaths("linux", { HOME: "/home/u", XDG_CACHE_HOME: "rel" });
  assert.equal(b.imagesDir, "/home/u/.cache/codchi/images");
  const w = computePaths(
    "windows",
    { USERPROFILE: "C:\\Users\\u", LOCALAPPDATA: "E:\\L" },
    "F:\\d",
  );
  assert.equal(w.imagesDir, "E:\\L\\codchi\\cache");
  assert.equal(w.cacheDir, "E:\\L\\codchi\\cache");
});

Deno.test("machinePaths: remembered per Paths object, each caller gets its own copy", () => {
  const env = { HOME: "/home/u", USER: "u" };
  const a = computePaths("linux", env);
  const first = machinePaths(a, "m");
  first.file = "/elsewhere"; // a caller's change stays its own
  assert.equal(machinePaths(a, "m").file, "/home/u/.config/codchi/machines/m/machine.json");
  assert.deepEqual(machinePaths(a, "m"), machinePaths(computePaths("linux", env), "m"));
  // Another data folder (a new Paths object): its own paths.
  const b = computePaths("linux", env, "/srv/codchi");
  assert.equal(machinePaths(b, "m").data, "/srv/codchi/machine/m");
  assert.notEqual(machinePaths(a, "m").data, machinePaths(b, "m").data);
});
