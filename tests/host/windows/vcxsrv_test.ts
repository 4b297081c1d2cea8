import { deepEqual, equal, ok } from "node:assert/strict";
import {
  VCXSRV_INSTALL_HINT,
  VCXSRV_MISSING_NOTE,
  vcxsrvArgv,
  vcxsrvCandidates,
  vcxsrvDisplayEnv,
  vcxsrvPlan,
  xPort,
} from "../../../src/host/windows/vcxsrv.ts";
import { DISPLAY_VAR } from "../../../src/contract.ts";

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

Deno.test("vcxsrvPlan: off, use the running one, start the installed one, else WSLg with a hint", () => {
  deepEqual(vcxsrvPlan({ enabled: false, listening: true, exe: "v.exe" }), { kind: "off" });
  deepEqual(vcxsrvPlan({ enabled: true, listening: true, exe: "v.exe" }), { kind: "use" });
  deepEqual(vcxsrvPlan({ enabled: true, listening: false, exe: "v.exe" }), {
    kind: "start",
    exe: "v.exe",
  });
  const wslg = vcxsrvPlan({ enabled: true, listening: false });
  equal(wslg.kind, "wslg");
  ok(wslg.kind === "wslg" && wslg.note.includes(VCXSRV_INSTALL_HINT));
  ok(!VCXSRV_MISSING_NOTE.includes("\n"), "one line");
});

Deno.test("vcxsrvDisplayEnv: the contract's variable, as the WSL module reads it (:n)", () => {
  deepEqual(vcxsrvDisplayEnv(), { [DISPLAY_VAR]: ":0" });
  deepEqual(vcxsrvDisplayEnv(3), { [DISPLAY_VAR]: ":3" });
});
