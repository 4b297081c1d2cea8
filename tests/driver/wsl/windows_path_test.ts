/** The host's Windows PATH as a WSL machine gets it (src/driver/wsl/windows_path.ts). */
import { equal } from "node:assert/strict";
import { windowsPathForWsl } from "../../../src/driver/wsl/windows_path.ts";

Deno.test("drive paths are translated and joined with ':', in order, each once", () => {
  const env = {
    Path: "C:\\Windows\\system32;C:\\Windows;" +
      "C:\\Users\\Ada\\AppData\\Local\\Programs\\Microsoft VS Code\\bin;C:\\Windows\\;" +
      "D:\\tools\\;C:\\Windows\\system32",
  };
  equal(
    windowsPathForWsl(env),
    "/mnt/c/Windows/system32:/mnt/c/Windows:" +
      "/mnt/c/Users/Ada/AppData/Local/Programs/Microsoft VS Code/bin:/mnt/d/tools",
  );
});

Deno.test("what WSL cannot translate is dropped: UNC, relative, empty, a Linux PATH", () => {
  const env = {
    PATH: "/usr/local/bin:/usr/bin:/bin", // the Linux side's own (a test host): not Windows
    Path: '\\\\server\\share\\bin;.\\bin;;"C:\\Program Files\\Git\\cmd";relative;E:',
  };
  equal(windowsPathForWsl(env), "/mnt/c/Program Files/Git/cmd:/mnt/e");
});

Deno.test("the variable's name is matched in any case; no PATH gives nothing", () => {
  equal(windowsPathForWsl({ pAtH: "C:\\x" }), "/mnt/c/x");
  equal(windowsPathForWsl({}), "");
  equal(windowsPathForWsl({ Path: "" }), "");
});
