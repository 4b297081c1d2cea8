import { equal, ok } from "node:assert/strict";
import {
  clipLines,
  errorBoxText,
  isWindowlessLauncher,
  MAX_BOX_LINE,
  MAX_BOX_LINES,
} from "../../../src/host/windows/error_box.ts";
import { errorReport } from "../../../src/cli/report.ts";
import { NotFoundError, ToolError } from "../../../src/errors.ts";

Deno.test("the box names the command, says the error, then its hint, command and exit code", () => {
  const box = errorBoxText(
    errorReport(
      new NotFoundError('There is no machine "java".', "Create it with: codchi init java"),
    )!,
    ["exec", "java", "--", "idea community"],
  );
  equal(box.caption, "codchi exec java failed");
  equal(
    box.text,
    'There is no machine "java".\n\nCreate it with: codchi init java\n\n' +
      'Command: codchi exec java -- "idea community"\nExit code: 3 (NotFoundError)',
  );
});

Deno.test("a bug says so; flags are not command words; no argv still has a caption", () => {
  const bug = errorBoxText(errorReport(new TypeError("x is undefined"))!, ["-v", "status"]);
  equal(bug.caption, "codchi status failed");
  ok(bug.text.startsWith("TypeError: x is undefined"));
  ok(bug.text.includes("This is a bug in codchi"));
  ok(bug.text.endsWith("Exit code: 1 (InternalError)"));
  equal(
    errorBoxText({ type: "UsageError", message: "m", exitCode: 2 }, []).caption,
    "codchi failed",
  );
});

Deno.test("a tool's long output keeps its head and tail, lines are cut", () => {
  const tail = Array.from({ length: 100 }, (_, i) => `line ${i} ${"x".repeat(i === 99 ? 500 : 0)}`);
  const box = errorBoxText(
    errorReport(new ToolError("nix", "nix build failed", tail.join("\n"), 1, "Run with -v"))!,
    ["rebuild", "java"],
  );
  const message = box.text.split("\n\nRun with -v")[0].split("\n");
  equal(message.length, MAX_BOX_LINES);
  equal(message[0], "nix build failed");
  ok(message.some((l) => /^… \(\d+ more lines\)$/.test(l)), "the cut is said");
  ok(message.at(-1)!.startsWith("  | line 99 x"));
  equal(message.at(-1)!.length, MAX_BOX_LINE);
  ok(message.at(-1)!.endsWith("…"));
  equal(clipLines("a\r\nb\n"), "a\nb");
});

Deno.test("only codchiw.exe (any folder, any case) is the console-less launcher", () => {
  ok(isWindowlessLauncher("C:\\Users\\ana\\AppData\\Local\\codchi\\bin\\codchiw.exe"));
  ok(isWindowlessLauncher("C:/scoop/apps/codchi/current/CODCHIW.EXE"));
  ok(!isWindowlessLauncher("C:\\Users\\ana\\AppData\\Local\\codchi\\bin\\codchi.exe"));
  ok(!isWindowlessLauncher("C:\\deno\\deno.exe"));
  ok(!isWindowlessLauncher("/usr/local/bin/codchi"));
});
