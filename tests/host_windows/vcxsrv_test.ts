import { deepEqual, equal } from "node:assert/strict";
import { vcxsrvArgv, vcxsrvCandidates, xPort } from "../../src/host/windows/vcxsrv.ts";

Deno.test("VcXsrv argv", () => {
  deepEqual(vcxsrvArgv("C:\\Program Files\\VcXsrv\\vcxsrv.exe"), [
    "C:\\Program Files\\VcXsrv\\vcxsrv.exe",
    ":0",
    "-multiwindow",
    "-clipboard",
    "-wgl",
    "-ac",
  ]);
  deepEqual(vcxsrvArgv("v.exe", { display: 2, noAccessControl: false }).slice(1), [
    ":2",
    "-multiwindow",
    "-clipboard",
    "-wgl",
  ]);
  equal(xPort(2), 6002);
});

Deno.test("VcXsrv candidates", () => {
  deepEqual(vcxsrvCandidates({ ProgramFiles: "C:\\Program Files", USERPROFILE: "C:\\Users\\a" }), [
    "C:\\Program Files\\VcXsrv\\vcxsrv.exe",
    "C:\\Users\\a\\scoop\\apps\\vcxsrv\\current\\vcxsrv.exe",
  ]);
});
