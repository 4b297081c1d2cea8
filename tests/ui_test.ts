/** Renderers and the output sink: tables, progress text, JSON vs text, quiet, colour. */
import assert from "node:assert/strict";
import { progressText, renderTable, Ui, type UiOptions } from "../src/ui.ts";
import { registerSecret } from "../src/process.ts";

Deno.test("renderTable aligns columns and never colours unless asked", () => {
  const t = renderTable(["NAME", "STATUS", "HOME"], [
    ["java", "UpToDate", "/h/java"],
    ["a-much-longer-name", "Modified", "/h/x"],
  ]);
  assert.equal(
    t,
    [
      "NAME                STATUS    HOME",
      "java                UpToDate  /h/java",
      "a-much-longer-name  Modified  /h/x",
    ].join("\n"),
  );
  assert.ok(!t.includes("\x1b"));
  assert.ok(renderTable(["A"], [["x"]], true).startsWith("\x1b[1mA\x1b[0m"));
  assert.equal(renderTable(["A", "B"], []), "A  B");
  // missing cells and trailing spaces
  assert.equal(renderTable(["A", "B", "C"], [["x", "", ""]]), "A  B  C\nx");
});

Deno.test("progressText", () => {
  assert.equal(progressText("Building", 3, 10), "Building [3/10]");
  assert.equal(progressText("Downloading", 5, 20, "MiB"), "Downloading [5/20 MiB]");
  assert.equal(progressText("Copying", 7, 0), "Copying [7]");
  assert.equal(progressText("Copying", 7, 0, "paths"), "Copying [7 paths]");
});

function sink(opts: Partial<UiOptions>) {
  const out: string[] = [];
  const err: string[] = [];
  const ui = new Ui(
    { json: false, verbose: 0, quiet: false, color: false, errColor: false, live: false, ...opts },
    (s) => out.push(s),
    (s) => err.push(s),
  );
  return { ui, out, err };
}

Deno.test("Ui: text result for people, JSON only with --json", () => {
  const t = sink({});
  t.ui.result("hello", { a: 1 });
  assert.deepEqual(t.out, ["hello\n"]);
  const j = sink({ json: true });
  j.ui.result("hello", { a: 1 });
  j.ui.print("ignored");
  assert.deepEqual(j.out, ['{\n  "a": 1\n}\n']);
});

Deno.test("Ui: steps, warnings, debug on stderr; quiet and verbose honoured; secrets redacted", () => {
  registerSecret("hunter2-secret");
  const n = sink({});
  n.ui.step("Building hunter2-secret");
  n.ui.warn("careful");
  n.ui.debug("hidden");
  n.ui.progress(1, 2);
  assert.deepEqual(n.err, ["==> Building ***\n", "warning: careful\n"]);
  // Quiet is the error level: nothing but errors, even with verbose (-q wins over -v).
  const q = sink({ quiet: true, verbose: 1 });
  q.ui.step("x");
  q.ui.warn("y");
  q.ui.debug("dbg");
  assert.deepEqual(q.err, []);
  const v = sink({ verbose: 1 });
  v.ui.debug("dbg");
  assert.deepEqual(v.err, ["dbg\n"]);
  const c = sink({ errColor: true });
  c.ui.warn("w");
  assert.ok(c.err[0].includes("\x1b[33m"));
});

Deno.test("Ui: live progress redraws one line and is cleared before other output", () => {
  const l = sink({ live: true });
  l.ui.step("Copying");
  l.ui.progress(1, 4, "paths");
  l.ui.print("done");
  assert.equal(l.err[1], "\r\x1b[2KCopying [1/4 paths]");
  assert.equal(l.err[2], "\r\x1b[2K");
  assert.deepEqual(l.out, ["done\n"]);
  l.ui.progress(2, 4);
  l.ui.done();
  assert.equal(l.err.at(-1), "\r\x1b[2K");
});
