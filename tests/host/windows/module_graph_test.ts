import { deepEqual } from "node:assert/strict";
import type { HostIntegration } from "../../../src/driver/types.ts";
import type { HostApps } from "../../../src/host/mod.ts";
import type { WindowsHostApps, WindowsHostIntegration } from "../../../src/host/windows/mod.ts";

// The Windows integration must fit the driver contract both ways (checked by `deno check`).
const _toContract = (w: WindowsHostIntegration): HostIntegration => w;
const _fromContract = (h: HostIntegration): WindowsHostIntegration => h;
const _toHostApps = (w: WindowsHostApps): HostApps => w;
const _fromHostApps = (h: HostApps): WindowsHostApps => h;

const entries = [
  "src/host/windows/mod.ts",
  "src/host/windows/tray_run.ts",
  "src/host/windows/vcxsrv_run.ts",
  "src/host/windows/ffi/shell_link.ts",
  "src/secrets/dpapi.ts",
];

Deno.test("the Windows modules import no npm package (deno.exe under Wine may not resolve them)", async () => {
  for (const entry of entries) {
    const url = new URL(`../../../${entry}`, import.meta.url);
    const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json", url.pathname] })
      .output();
    const info = JSON.parse(new TextDecoder().decode(out.stdout));
    const external = (info.modules as { specifier: string }[])
      .map((m) => m.specifier)
      .filter((s) => !s.startsWith("file:") && !s.startsWith("node:"));
    deepEqual(external, [], entry);
  }
});
