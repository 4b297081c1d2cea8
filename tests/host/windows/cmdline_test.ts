import { deepEqual, equal } from "node:assert/strict";
import { joinArgs, quoteArg } from "../../../src/host/windows/cmdline.ts";

/** CommandLineToArgvW's splitting rules, written from its documentation, for the round trip. */
function splitLikeWindows(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === " " || line[i] === "\t") i++;
    if (i >= line.length) break;
    let arg = "";
    let quoted = false;
    for (; i < line.length; i++) {
      const c = line[i];
      if (!quoted && (c === " " || c === "\t")) break;
      if (c === "\\") {
        let n = 0;
        while (line[i] === "\\") n++, i++;
        if (line[i] === '"') {
          arg += "\\".repeat(Math.floor(n / 2));
          if (n % 2 === 1) arg += '"';
          else quoted = !quoted;
        } else {
          arg += "\\".repeat(n);
          i--;
        }
      } else if (c === '"') {
        if (quoted && line[i + 1] === '"') {
          arg += '"';
          i++;
        } else quoted = !quoted;
      } else arg += c;
    }
    out.push(arg);
  }
  return out;
}

Deno.test("plain arguments stay bare", () => {
  equal(joinArgs(["exec", "java", "--", "idea-community"]), "exec java -- idea-community");
});

Deno.test("blanks, quotes and backslashes are quoted so Windows splits them back", () => {
  const cases = [
    ["a b"],
    [""],
    ['say "hi"'],
    ["C:\\Program Files\\x\\"],
    ["trailing\\\\"],
    ['\\"'],
    ["tab\there", "ünï cödé ✓", "$HOME `x`", "100%"],
  ];
  for (const argv of cases) deepEqual(splitLikeWindows(joinArgs(argv)), argv);
  equal(quoteArg("C:\\a b\\"), '"C:\\a b\\\\"');
  equal(quoteArg('a"b'), '"a\\"b"');
});
