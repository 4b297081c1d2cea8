import { deepEqual, equal } from "node:assert/strict";
import { envForm, ownBinDir, stableLauncher } from "../../../src/host/windows/launcher.ts";
import { launcherFor } from "../../../src/host/windows/mod.ts";

const LOCAL = "C:\\Users\\ana\\AppData\\Local";

Deno.test("scoop's version folder becomes its `current` junction", () => {
  deepEqual(stableLauncher("C:\\Users\\ana\\scoop\\apps\\codchi\\0.4.2\\codchi.exe", LOCAL), {
    codchi: "C:\\Users\\ana\\scoop\\apps\\codchi\\current\\codchi.exe",
    codchiw: "C:\\Users\\ana\\scoop\\apps\\codchi\\current\\codchiw.exe",
  });
});

Deno.test("winget's package and link folders are kept (not versioned)", () => {
  const pkg =
    `${LOCAL}\\Microsoft\\WinGet\\Packages\\Codchi.Codchi_Microsoft.Winget.Source_8wekyb3d8bbwe`;
  equal(stableLauncher(`${pkg}\\codchi.exe`, LOCAL).codchiw, `${pkg}\\codchiw.exe`);
  const links = `${LOCAL}\\Microsoft\\WinGet\\Links`;
  equal(stableLauncher(`${links}\\codchi.exe`, LOCAL).codchi, `${links}\\codchi.exe`);
});

Deno.test("a versioned folder elsewhere is replaced by codchi's own copy", () => {
  deepEqual(stableLauncher("D:\\tools\\codchi-v0.4.2\\codchi.exe", LOCAL).copyFrom, undefined);
  const l = stableLauncher("D:\\tools\\codchi\\v0.4.2\\codchi.exe", LOCAL);
  equal(l.codchi, `${ownBinDir(LOCAL)}\\codchi.exe`);
  equal(l.copyFrom, "D:\\tools\\codchi\\v0.4.2");
});

Deno.test("a plain folder is used as it is", () => {
  equal(
    stableLauncher("C:\\Program Files\\codchi\\codchi.exe", LOCAL).codchi,
    "C:\\Program Files\\codchi\\codchi.exe",
  );
});

Deno.test("environment forms of paths below the app data folders", () => {
  const env = { LOCALAPPDATA: LOCAL, APPDATA: "C:\\Users\\ana\\AppData\\Roaming" };
  equal(
    envForm(`${LOCAL}\\codchi\\bin\\codchi.exe`, env),
    "%LOCALAPPDATA%\\codchi\\bin\\codchi.exe",
  );
  equal(envForm("c:\\users\\ana\\appdata\\roaming\\x", env), "%APPDATA%\\x");
  equal(envForm("D:\\x", env), undefined);
  equal(envForm(LOCAL + "Low\\x", env), undefined);
});

Deno.test("selfArgv picks the launcher: codchi.exe alone, or an interpreter with its arguments", () => {
  equal(
    launcherFor(["C:\\Program Files\\codchi\\codchi.exe"], LOCAL).codchiw,
    "C:\\Program Files\\codchi\\codchiw.exe",
  );
  deepEqual(launcherFor(["C:\\deno\\deno.exe", "run", "-A", "C:\\src\\main.ts"], LOCAL), {
    codchi: "C:\\deno\\deno.exe",
    codchiw: "C:\\deno\\deno.exe",
    prefixArgs: ["run", "-A", "C:\\src\\main.ts"],
  });
});
