import { deepEqual, equal, ok } from "node:assert/strict";
import {
  compareVersions,
  MIN_WSL_VERSION,
  parseListVerbose,
  parseVersionBlock,
  wslVersion,
} from "../../../src/driver/wsl/parse.ts";

Deno.test("list --verbose: rows, default mark, header skipped", () => {
  const text = "  NAME          STATE           VERSION\n" +
    "* Ubuntu        Stopped         2\n" +
    "  codchistore   Running         2\n" +
    "  codchi-java   Installing      2\n\n";
  deepEqual(parseListVerbose(text), [
    { name: "Ubuntu", state: "Stopped", version: 2, isDefault: true },
    { name: "codchistore", state: "Running", version: 2, isDefault: false },
    { name: "codchi-java", state: "Installing", version: 2, isDefault: false },
  ]);
  deepEqual(parseListVerbose(""), []);
});

Deno.test("--version: the block and the WSL version", () => {
  const text =
    "WSL version: 2.0.14.0\nKernel version: 5.15.133.1-1\nWindows version: 10.0.22631.2861\n";
  equal(parseVersionBlock(text).get("kernel version"), "5.15.133.1-1");
  deepEqual(wslVersion(text), [2, 0, 14, 0]);
  equal(wslVersion("Invalid command line option: --version\n"), undefined);
  ok(compareVersions([2, 0, 14, 0], MIN_WSL_VERSION) >= 0);
  ok(compareVersions([2, 0, 9, 0], MIN_WSL_VERSION) < 0);
  ok(compareVersions([1, 2, 5], MIN_WSL_VERSION) < 0);
});

Deno.test("the WSL version is the first dotted number, in any display language", () => {
  deepEqual(wslVersion("WSL-Version: 2.4.11.0\nKernelversion: 5.15.167.4-1\n"), [2, 4, 11, 0]);
  deepEqual(wslVersion("Version WSL : 2.0.14.0\nVersion du noyau : 5.15.133.1-1"), [2, 0, 14, 0]);
  deepEqual(wslVersion("WSL \u7248\u672c: 2.5.10.0\n\u5185\u6838\u7248\u672c: 6.6.87.2-1"), [
    2,
    5,
    10,
    0,
  ]);
  equal(wslVersion("Invalid command line option: --version"), undefined);
});
