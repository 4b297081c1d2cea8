import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { ConfigError } from "../../../src/errors.ts";
import { parseDesktopEntry, splitExec } from "../../../src/host/windows/desktop_entry.ts";

Deno.test("a desktop entry becomes an app", () => {
  const app = parseDesktopEntry(
    "org.gnome.gedit",
    [
      "# comment",
      "[Desktop Entry]",
      "Type=Application",
      "Name=Text Editor",
      "Name[de]=Texteditor",
      "Comment=Edit text files",
      "Exec=gedit --new-window %U",
      "Icon=org.gnome.gedit",
      "Terminal=false",
      "[Desktop Action new]",
      "Exec=gedit --other",
    ].join("\n"),
  );
  deepEqual(app, {
    id: "org.gnome.gedit",
    name: "Text Editor",
    comment: "Edit text files",
    argv: ["gedit", "--new-window"],
    terminal: false,
    icon: "org.gnome.gedit",
  });
});

Deno.test("hidden, NoDisplay and non-applications are skipped", () => {
  equal(parseDesktopEntry("a", "[Desktop Entry]\nName=A\nExec=a\nNoDisplay=true"), undefined);
  equal(parseDesktopEntry("a", "[Desktop Entry]\nName=A\nExec=a\nHidden=true"), undefined);
  equal(parseDesktopEntry("a", "[Desktop Entry]\nType=Link\nName=A\nURL=x"), undefined);
  equal(parseDesktopEntry("a", "[Desktop Entry]\nName=A"), undefined);
});

Deno.test("Exec quoting and field codes", () => {
  deepEqual(splitExec('"/opt/my app/bin" --title "a \\"b\\"" %f'), [
    "/opt/my app/bin",
    "--title",
    'a "b"',
  ]);
  deepEqual(splitExec("sh -c 'x' 100%% %i"), ["sh", "-c", "'x'", "100%"]);
  deepEqual(splitExec('run ""'), ["run", ""]);
  // An unterminated quote is the machine's file, typed with its fix (parseDesktopEntry skips it).
  throws(() => splitExec('"open'), (e) => {
    ok(e instanceof ConfigError);
    match(e.message, /unterminated quote in Exec: "open/);
    match(e.hint ?? "", /\.desktop file in the machine's modules/);
    return true;
  });
});

Deno.test("a malformed Exec (unterminated quote) skips the app instead of failing the export", () => {
  const text = '[Desktop Entry]\nType=Application\nName=Broken\nExec="unterminated %U\n';
  equal(parseDesktopEntry("broken", text), undefined);
  // The same entry with the quote closed is an app.
  equal(parseDesktopEntry("ok", text.replace('"unterminated', '"terminated"'))?.name, "Broken");
});
