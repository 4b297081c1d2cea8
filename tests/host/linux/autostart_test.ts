import assert from "node:assert/strict";
import { autostartEntry, planAutostart } from "../../../src/host/linux/autostart.ts";
import { expandExec, group, parseDesktopFile } from "../../../src/host/linux/desktop_entry.ts";

Deno.test("autostart entry runs `codchi tray`", () => {
  const text = autostartEntry("/opt/my tools/codchi");
  const main = group(parseDesktopFile(text), "Desktop Entry")!;
  assert.deepEqual(expandExec(main.keys.find((k) => k.key === "Exec")!.value), [
    "/opt/my tools/codchi",
    "tray",
  ]);
  assert.deepEqual(planAutostart("/a", false, "/c"), { path: "/a/codchi-tray.desktop" });
  assert.equal(planAutostart("/a", true, "/c").text, autostartEntry("/c"));
});
