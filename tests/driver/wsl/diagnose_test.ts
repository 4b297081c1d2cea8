/** doctor's WSL probes (driver/wsl/diagnose.ts): wsl.exe, its version, usbipd-win. */
import { deepEqual, equal } from "node:assert/strict";
import { diagnoseWsl, parseWslVersion } from "../../../src/driver/wsl/diagnose.ts";
import type { RunOpts } from "../../../src/process.ts";
import { output, scriptedRunner } from "../../support/scripted_runner.ts";

Deno.test("parseWslVersion: the first dotted version, also from NUL-padded (UTF-16) text", () => {
  equal(parseWslVersion("WSL version: 2.3.26.0\nKernel version: 5.15.153.1-2\n"), "2.3.26.0");
  equal(parseWslVersion("W\0S\0L\0 \0v\0e\0r\0s\0i\0o\0n\0:\0 \x002\0.\x000\0.\x009\0"), "2.0.9");
  equal(parseWslVersion("Invalid command line option: --version"), undefined);
});

Deno.test("wsl.exe not found: nothing spawned; usbipd looked up on the ;-separated PATH", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codchi-diag-" });
  try {
    await Deno.writeTextFile(`${dir}/usbipd.exe`, "");
    const runner = scriptedRunner(() => output(0));
    const d = await diagnoseWsl({ runner, env: { PATH: `/nonexistent;${dir}` } });
    deepEqual(runner.calls, []);
    deepEqual(d, {
      kind: "wsl",
      wslPath: undefined,
      wslVersion: undefined,
      usbipdPath: `${dir}/usbipd.exe`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CODCHI_WSL_EXE is asked `--version` once with WSL_UTF8; an old one gives no version", async () => {
  const runner = scriptedRunner(() => output(0, "WSL version: 2.0.9.0\n"));
  const opts: RunOpts[] = [];
  const d = await diagnoseWsl({
    runner: {
      ...runner,
      run: (argv, o) => {
        opts.push(o ?? {});
        return runner.run(argv, o);
      },
    },
    env: { PATH: "", CODCHI_WSL_EXE: "/opt/wsl.exe", CODCHI_USBIPD_EXE: "/opt/usbipd.exe" },
  });
  deepEqual(runner.calls, [["/opt/wsl.exe", "--version"]]);
  deepEqual(opts[0].env, { WSL_UTF8: "1" });
  equal(opts[0].check, false);
  deepEqual(d, {
    kind: "wsl",
    wslPath: "/opt/wsl.exe",
    wslVersion: "2.0.9.0",
    usbipdPath: "/opt/usbipd.exe",
  });
  const inbox = await diagnoseWsl({
    runner: scriptedRunner(() => output(1, "Invalid command line option: --version 1.2.3")),
    env: { CODCHI_WSL_EXE: "/opt/wsl.exe" },
  });
  equal(inbox.wslVersion, undefined);
});
