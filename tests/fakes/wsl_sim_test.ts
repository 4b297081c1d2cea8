/** Unit tests of the wsl.exe simulator's pure parts (argv parsing, WSLENV, faults, texts). */
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { parseArgs, shellCommandLine } from "./wsl_sim/args.ts";
import {
  linuxEnvFromWslEnv,
  parseWslEnv,
  processPath,
  windowsToLinuxPath,
} from "./wsl_sim/wslenv.ts";
import { decideFault, faultConfig, unitRandom } from "./wsl_sim/faults.ts";
import { encodeWsl, failureText, noDistros, verboseTable, versionText } from "./wsl_sim/text.ts";
import { localeOf } from "./wsl_sim/resw.ts";

Deno.test("sim args: management verbs and exec forms", () => {
  deepEqual(parseArgs(["--list", "--verbose"]), {
    ok: true,
    call: { op: "list", running: false, quiet: false, verbose: true },
  });
  deepEqual(parseArgs(["--import", "d", "C:\\x", "r.tar", "--version", "2"]), {
    ok: true,
    call: { op: "import", distro: "d", dir: "C:\\x", tar: "r.tar", version: 2, vhd: false },
  });
  deepEqual(parseArgs(["-d", "x", "--user", "root", "--cd", "/t", "--exec", "-e", "--", "y"]), {
    ok: true,
    call: {
      op: "exec",
      distro: "x",
      user: "root",
      cwd: "/t",
      mode: "exec",
      argv: ["-e", "--", "y"],
    },
  });
  deepEqual(parseArgs(["-d", "x", "--", "echo", "--exec"]), {
    ok: true,
    call: { op: "exec", distro: "x", mode: "shell", argv: ["echo", "--exec"] },
  });
  equal(parseArgs(["--manage", "x", "--set-sparse", "maybe"]).ok, false);
  equal(parseArgs(["-d"]).ok, false);
  equal(parseArgs(["--frobnicate"]).ok, false);
});

Deno.test("sim args: the shell command line of `--` quotes only what has whitespace", () => {
  equal(shellCommandLine(["echo", "a b", "$HOME", `"q"`]), `echo "a b" $HOME "q"`);
});

Deno.test("sim WSLENV: flags, directions and path translation", () => {
  deepEqual(parseWslEnv("A:B/up:C/w")[1], {
    name: "B",
    path: true,
    list: false,
    toLinuxOnly: true,
    toWindowsOnly: false,
  });
  equal(windowsToLinuxPath("C:\\Users\\me", "d"), "/mnt/c/Users/me");
  equal(windowsToLinuxPath("\\\\wsl$\\d\\etc\\x", "d"), "/etc/x");
  equal(windowsToLinuxPath("/srv/x", "d", true), "/mnt/host/srv/x");
  // UtilParseWslEnv: /p and /l alike, untranslatable elements skipped, an empty result and
  // unknown flags drop the variable, a named but unset variable arrives empty.
  deepEqual(
    linuxEnvFromWslEnv({
      WSLENV: "A:B/w:L/l:P/p:U/p:X/z:M",
      A: "1",
      B: "2",
      L: "C:\\a;D:\\b",
      P: "C:\\a;D:\\b",
      U: "\\\\srv\\x",
      X: "3",
    }, "d"),
    {
      WSLENV: "A:B/w:L/l:P/p:U/p:X/z:M",
      A: "1",
      L: "/mnt/c/a:/mnt/d/b",
      P: "/mnt/c/a:/mnt/d/b",
      M: "",
    },
  );
});

Deno.test("sim PATH: the Windows PATH is appended unless wsl.conf turns it off", () => {
  const linux = "/usr/bin:/bin";
  const win = "C:\\Windows\\system32;\\\\server\\share;relative;D:\\My Tools\\";
  // Default (no [interop] appendWindowsPath) and true: appended after Linux's, translated.
  equal(
    processPath(linux, win, undefined, "d"),
    `${linux}:/mnt/c/Windows/system32:/mnt/d/My Tools`,
  );
  equal(processPath(linux, win, "True", "d"), `${linux}:/mnt/c/Windows/system32:/mnt/d/My Tools`);
  // appendWindowsPath = false (codchi's machines): Linux's only.
  equal(processPath(linux, win, "false", "d"), linux);
  equal(processPath(linux, undefined, undefined, "d"), linux);
});

Deno.test("sim faults: scripted, persistent, restricted, seeded", () => {
  const seq = faultConfig({ WSL_SIM_FAIL_SEQ: "ok,rpc" });
  deepEqual([0, 1, 2].map((n) => decideFault(seq, "list", n)), [undefined, "rpc", undefined]);
  const persist = faultConfig({ WSL_SIM_FAIL_PERSIST: "catastrophic", WSL_SIM_FAIL_OPS: "exec" });
  equal(decideFault(persist, "exec", 99), "catastrophic");
  equal(decideFault(persist, "list", 0), undefined);
  throws(() => faultConfig({ WSL_SIM_FAIL_SEQ: "boom" }));
  const rate = faultConfig({ WSL_SIM_FAIL_RATE: "0.3", WSL_SIM_SEED: "5" });
  const hits = Array.from({ length: 1000 }, (_, n) => decideFault(rate, "list", n)).filter((k) =>
    k
  );
  ok(hits.length > 230 && hits.length < 370, `${hits.length}`);
  equal(unitRandom(5, 17), unitRandom(5, 17));
});

Deno.test("sim text: UTF-16LE with CRLF, and the verbose table", () => {
  deepEqual([...encodeWsl("a\n", false)], [0x61, 0, 0x0d, 0, 0x0a, 0]);
  deepEqual([...encodeWsl("a\n", true)], [0x61, 0x0d, 0x0a]);
  equal(
    verboseTable([{ name: "kali-linux", state: "Stopped", version: 2, isDefault: true }]),
    "  NAME          STATE           VERSION\n* kali-linux    Stopped         2\n",
  );
});

Deno.test("sim text: no-distros per release, labels per display language", () => {
  const en = { locale: localeOf("en-US"), version: "2.5.10.0" };
  const text = failureText(noDistros(en), en);
  ok(text.startsWith("Windows Subsystem for Linux has no installed distributions.\n"));
  ok(!text.includes("Error code"), "WslClient.cpp leaves the code out");
  const old = { locale: localeOf("en"), version: "2.0.14.0" };
  ok(failureText(noDistros(old), old).endsWith("Error code: Wsl/WSL_E_DEFAULT_DISTRO_NOT_FOUND\n"));
  const de = { locale: localeOf("de-DE"), version: "2.0.14.0" };
  ok(failureText({ message: "x", code: "Wsl/E" }, de).endsWith("Fehlercode: Wsl/E\n"));
  ok(versionText(de).startsWith("WSL-Version: 2.0.14.0\nKernelversion: "));
  throws(() => localeOf("xx"));
});
