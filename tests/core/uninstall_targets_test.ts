/** Which folders `codchi uninstall` removes (pure). */
import { deepEqual, ok } from "node:assert/strict";
import { uninstallTargets } from "../../src/core/uninstall.ts";
import { computePaths } from "../../src/config/paths.ts";
Deno.test("uninstallTargets: a dataDir of config.json not named codchi keeps its other files", () => {
  const own = uninstallTargets(computePaths("linux", { HOME: "/h" }), ["/h/.config/autostart/x"]);
  deepEqual<string[]>(own, [
    "/h/.config/autostart/x",
    "/h/.local/share/codchi/run",
    "/h/.local/share/codchi",
    "/h/.cache/codchi/images",
    "/h/.cache/codchi",
    "/h/.config/codchi",
  ]);
  const big = uninstallTargets(computePaths("linux", { HOME: "/h" }, "/big/disk"));
  ok(!big.includes("/big/disk"));
  for (const p of ["/big/disk/nix", "/big/disk/machine", "/big/disk/secrets.json"]) {
    ok(big.includes(p), p);
  }
  const win = uninstallTargets(computePaths("windows", { USERPROFILE: "C:\\U" }));
  ok(win.includes("C:\\U\\AppData\\Local\\Microsoft\\Windows Terminal\\Fragments\\codchi"));
  ok(win.includes("C:\\U\\AppData\\Roaming\\codchi"));
});
