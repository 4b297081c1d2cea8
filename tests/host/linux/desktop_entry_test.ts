import assert from "node:assert/strict";
import { ConfigError } from "../../../src/errors.ts";
import {
  escapeValue,
  expandExec,
  group,
  joinList,
  listValue,
  literalArg,
  parseDesktopFile,
  parseExec,
  quoteExecArg,
  renderDesktopFile,
  renderExec,
  splitList,
  stringValue,
  unescapeValue,
} from "../../../src/host/linux/desktop_entry.ts";

const SAMPLE = `# comment
[Desktop Entry]
Type=Application
Name=Text Editor
Name[de]=Texteditor
Name[sr@latin]=Uređivač
Comment=Edit\\stext\\nfiles
Exec=gedit --new-window %U
Keywords=text;edit\\;plain;
Actions=new;

[Desktop Action new]
Name=New Window
Exec=gedit --new-window
`;

Deno.test("parse: groups, locale keys, escapes, lists", () => {
  const f = parseDesktopFile(SAMPLE);
  assert.deepEqual(f.groups.map((g) => g.name), ["Desktop Entry", "Desktop Action new"]);
  const main = group(f, "Desktop Entry")!;
  assert.equal(stringValue(main, "Name"), "Text Editor");
  assert.deepEqual(main.keys.filter((k) => k.key === "Name").map((k) => k.locale), [
    undefined,
    "de",
    "sr@latin",
  ]);
  assert.equal(stringValue(main, "Comment"), "Edit text\nfiles");
  assert.deepEqual(listValue(main, "Keywords"), ["text", "edit;plain"]);
});

Deno.test("parse: malformed input is rejected with a line number", () => {
  assert.throws(() => parseDesktopFile("Name=x\n"), /line 1/);
  assert.throws(() => parseDesktopFile("[A]\nnot a key\n"), /line 2/);
  assert.throws(() => parseDesktopFile("[A]\n[A]\n"), /twice/);
  assert.throws(() => parseDesktopFile("[A]\nbad key=1\n"), /invalid key/);
  // Typed, with the fix: the entry comes from the machine, not from a bug in codchi.
  assert.throws(() => parseDesktopFile("Name=x\n"), (e) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.hint ?? "", /\.desktop file in the machine's modules/);
    return true;
  });
});

Deno.test("render round-trips", () => {
  const f = parseDesktopFile(SAMPLE);
  assert.deepEqual(parseDesktopFile(renderDesktopFile(f)), f);
});

Deno.test("string escapes round-trip", () => {
  for (const s of [" lead", "a\\b", "tab\there", "multi\nline", "plain"]) {
    assert.equal(unescapeValue(escapeValue(s)), s);
  }
  assert.deepEqual(splitList(joinList(["a;b", "c\\d", "e"])), ["a;b", "c\\d", "e"]);
});

Deno.test("Exec: quoting rules and field codes", () => {
  const args = parseExec(String.raw`foo "a b" "say \\"hi\\"" --x=%f 100%% %U "50%%"`);
  assert.deepEqual(args.map((a) => a.parts), [
    [{ text: "foo" }],
    [{ text: "a b" }],
    [{ text: 'say "hi"' }],
    [{ text: "--x=" }, { code: "f" }],
    [{ text: "100%" }],
    [{ code: "U" }],
    [{ text: "50%" }],
  ]);
  assert.throws(() => parseExec('foo "open'), /unterminated/);
  assert.throws(() => parseExec('foo "open'), ConfigError);
});

Deno.test("Exec: rendering literal args round-trips through the parser", () => {
  const weird = [
    "/opt/my apps/codchi",
    "exec",
    "m",
    "--",
    'quote"d',
    "back\\slash",
    "dollar$HOME",
    "`tick`",
    "100%",
    "semi;colon",
    "",
    "tilde~",
    "new\nline",
  ];
  const raw = renderExec(weird.map(literalArg));
  assert.deepEqual(expandExec(raw), weird);
});

Deno.test("quoteExecArg quotes only when needed", () => {
  assert.equal(quoteExecArg("plain-arg"), "plain-arg");
  assert.equal(quoteExecArg("a b"), '"a b"');
  assert.equal(quoteExecArg("%"), "%%");
  assert.equal(quoteExecArg(""), '""');
});

Deno.test("expandExec substitutes field codes like a launcher", () => {
  assert.deepEqual(
    expandExec("app %F --icon-arg %i %c", { files: ["/a", "/b"], icon: "x", name: "App" }),
    ["app", "/a", "/b", "--icon-arg", "--icon", "x", "App"],
  );
  assert.deepEqual(expandExec("app %u"), ["app"]);
});
