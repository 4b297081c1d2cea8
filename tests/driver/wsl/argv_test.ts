import { deepEqual, equal, throws } from "node:assert/strict";
import {
  checkedSessionArgv,
  execArgv,
  importArgv,
  importInPlaceArgv,
  listArgv,
  NOT_STARTED_EXIT,
  renderVars,
  sessionArgv,
  setSparseArgv,
  shQuote,
  writeFileArgv,
} from "../../../src/driver/wsl/argv.ts";

Deno.test("management argv", () => {
  deepEqual(listArgv(), ["--list", "--verbose"]);
  deepEqual(importArgv("codchistore", "C:\\d\\store", "C:\\i\\store.tar.gz"), [
    "--import",
    "codchistore",
    "C:\\d\\store",
    "C:\\i\\store.tar.gz",
    "--version",
    "2",
  ]);
  deepEqual(importInPlaceArgv("codchi-b", "D:\\b\\ext4.vhdx"), [
    "--import-in-place",
    "codchi-b",
    "D:\\b\\ext4.vhdx",
  ]);
  deepEqual(setSparseArgv("codchistore"), ["--manage", "codchistore", "--set-sparse", "true"]);
});

Deno.test("exec: always --exec, argv appended unchanged, --cd only when given", () => {
  const argv = ["-e", "--", "$(x)", "a b"];
  deepEqual(execArgv("codchi-a", "root", argv), [
    "-d",
    "codchi-a",
    "--user",
    "root",
    "--exec",
    ...argv,
  ]);
  deepEqual(execArgv("codchi-a", "root", ["ls"], "/tmp").slice(4, 6), ["--cd", "/tmp"]);
  throws(() => execArgv("codchi-a", "root", []));
});

Deno.test("session: machinectl for the user, a login shell that execs argv exactly", () => {
  const s = sessionArgv("codchi", ["echo", "x y"], "/w");
  deepEqual(s.slice(0, 4), ["machinectl", "shell", "-q", "codchi@"]);
  deepEqual(s.slice(4, 6), ["/bin/sh", "-lc"]);
  deepEqual(s.slice(-3), ["/w", "echo", "x y"]);
  equal(sessionArgv("root", ["id"])[0], "/bin/sh");
  const c = checkedSessionArgv("root", ["id"]);
  equal(c[0], "/bin/sh");
  equal(c[2].includes(`exit ${NOT_STARTED_EXIT}`), true);
});

Deno.test("file writes carry path and mode, never content; vars are shell-quoted", () => {
  const a = writeFileArgv("/etc/codchi-env", 0o600, "codchi");
  deepEqual(a.slice(-3), ["/etc/codchi-env", "600", "codchi"]);
  equal(shQuote("it's"), `'it'\\''s'`);
  equal(
    renderVars({ A: "x y", B: "$(no)", C: "it's" }),
    `A='x y'\nexport A\nB='$(no)'\nexport B\nC='it'"'"'s'\nexport C\n`,
  );
  throws(() => renderVars({ "bad name": "x" }));
});
