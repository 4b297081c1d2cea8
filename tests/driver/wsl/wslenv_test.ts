import { deepEqual, equal, throws } from "node:assert/strict";
import { windowsPathInWsl, wslCallEnv } from "../../../src/driver/wsl/wslenv.ts";

Deno.test("wslCallEnv: every variable named in WSLENV, paths with /up, WSL_UTF8 always", () => {
  deepEqual(wslCallEnv({ A: "1", P: "C:\\x" }, new Set(["P"])), {
    A: "1",
    P: "C:\\x",
    WSL_UTF8: "1",
    WSLENV: "A/u:P/up",
  });
  deepEqual(wslCallEnv(), { WSL_UTF8: "1" });
  equal(wslCallEnv({ A: "1" }, new Set(), "USERPROFILE/p:A/l").WSLENV, "USERPROFILE/p:A/u");
  throws(() => wslCallEnv({ "A B": "x" }));
});

Deno.test("windowsPathInWsl: drives become /mnt/<drive>", () => {
  equal(windowsPathInWsl("C:\\Users\\me\\AppData"), "/mnt/c/Users/me/AppData");
  equal(windowsPathInWsl("D:\\"), "/mnt/d");
  equal(windowsPathInWsl("/already/linux"), "/already/linux");
});
