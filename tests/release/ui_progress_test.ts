/** A download's progress as the CLI shows it: a live bar on a terminal, quarter lines otherwise. */
import { equal, match, ok } from "node:assert/strict";
import { Ui, uiOptions } from "../../src/ui.ts";

function ui(flags: { json?: boolean; quiet?: boolean }, stderrTty: boolean) {
  const out: string[] = [], err: string[] = [];
  const u = new Ui(uiOptions(flags, {}, false, stderrTty), (s) => out.push(s), (s) => err.push(s));
  return { u, out, err };
}

const MiB = 1024 * 1024;

Deno.test("download progress: plain lines at each quarter when stderr is no terminal", () => {
  const { u, out, err } = ui({}, false);
  u.step("Downloading codchi-lxd-store.tar.xz (8.00 MiB)");
  for (let d = 0; d <= 8 * MiB; d += MiB / 2) u.progress(d, 8 * MiB, "B");
  const lines = err.join("").split("\n").filter((l) => l);
  equal(lines.length, 5, lines.join("\n"));
  match(lines[1], /\[#####-+\] {2}2\.00 MiB \/ 8\.00 MiB \(25%\)/);
  match(lines[4], /8\.00 MiB \/ 8\.00 MiB \(100%\)/);
  ok(!err.join("").includes("\r"), "no carriage returns in a log");
  equal(out.length, 0, "stdout untouched");
});

Deno.test("download progress: one redrawn line on a terminal; nothing with -q; --json keeps stdout clean", () => {
  const live = ui({}, true);
  live.u.step("Downloading x");
  live.u.progress(MiB, 4 * MiB, "B");
  ok(live.err.at(-1)!.startsWith("\r\x1b[2KDownloading x  ["), JSON.stringify(live.err.at(-1)));
  const quiet = ui({ quiet: true }, true);
  quiet.u.step("Downloading x");
  quiet.u.progress(MiB, 4 * MiB, "B");
  equal(quiet.err.length + quiet.out.length, 0);
  const json = ui({ json: true }, true);
  json.u.step("Downloading x");
  json.u.progress(4 * MiB, 4 * MiB, "B");
  equal(json.out.length, 0);
});
