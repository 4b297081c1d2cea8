import assert from "node:assert/strict";
import {
  chooseTerminal,
  parseGsettingsString,
  parseKdeTerminal,
  prefixFor,
  shellJoin,
  terminalArgv,
} from "../../../src/host/linux/terminal.ts";

const whichOf = (...names: string[]) => (n: string) =>
  names.includes(n) ? `/usr/bin/${n}` : undefined;
const cmd = ["/opt/codchi", "exec", "dev"];

Deno.test("$TERMINAL wins, with its known argv form", () => {
  const c = chooseTerminal({ TERMINAL: "wezterm" }, whichOf("wezterm", "xterm"))!;
  assert.equal(c.source, "TERMINAL");
  assert.deepEqual(terminalArgv(c, cmd), ["wezterm", "start", "--", ...cmd]);
  const u = chooseTerminal({ TERMINAL: "myterm" }, whichOf("myterm"))!;
  assert.deepEqual(terminalArgv(u, cmd), ["myterm", "-e", ...cmd]);
  const withArgs = chooseTerminal({ TERMINAL: "myterm --exec" }, whichOf("myterm"))!;
  assert.deepEqual(withArgs.prefix, ["myterm", "--exec"]);
  // A $TERMINAL that is not installed is skipped.
  assert.equal(chooseTerminal({ TERMINAL: "gone" }, whichOf("xterm"))!.command, "xterm");
});

Deno.test("xdg-terminal-exec, then the desktop's default, then the alternative", () => {
  assert.deepEqual(
    chooseTerminal({}, whichOf("xdg-terminal-exec", "xterm"))!.prefix,
    ["xdg-terminal-exec"],
  );
  const gnome = chooseTerminal(
    { XDG_CURRENT_DESKTOP: "ubuntu:GNOME" },
    whichOf("gnome-terminal", "konsole", "xterm"),
    { gnomeExec: "gnome-terminal", gnomeExecArg: "-x", kdeTerminal: "konsole" },
  )!;
  assert.equal(gnome.source, "desktop");
  assert.deepEqual(gnome.prefix, ["gnome-terminal", "--"]);
  const kde = chooseTerminal({ XDG_CURRENT_DESKTOP: "KDE" }, whichOf("gnome-terminal", "konsole"), {
    gnomeExec: "gnome-terminal",
    kdeTerminal: "konsole",
  })!;
  assert.deepEqual(kde.prefix, ["konsole", "-e"]);
  const custom = chooseTerminal({}, whichOf("odd"), { gnomeExec: "odd", gnomeExecArg: "--run" })!;
  assert.deepEqual(custom.prefix, ["odd", "--run"]);
  const alt = chooseTerminal({}, whichOf("x-terminal-emulator", "xterm"), {
    alternative: "/usr/bin/xfce4-terminal.wrapper",
  })!;
  assert.equal(alt.source, "alternative");
  assert.deepEqual(alt.prefix, ["x-terminal-emulator", "-e"]);
  const alt2 = chooseTerminal({}, whichOf("x-terminal-emulator"), {
    alternative: "/usr/bin/konsole",
  })!;
  assert.deepEqual(alt2.prefix, ["x-terminal-emulator", "-e"]);
  const alt3 = chooseTerminal({}, whichOf("x-terminal-emulator"), {
    alternative: "/usr/bin/gnome-terminal",
  })!;
  assert.deepEqual(alt3.prefix, ["x-terminal-emulator", "--"]);
});

Deno.test("known terminals in order, each with its argv form", () => {
  const forms: Record<string, string[]> = {
    "gnome-terminal": ["gnome-terminal", "--"],
    konsole: ["konsole", "-e"],
    xterm: ["xterm", "-e"],
    kitty: ["kitty"],
    alacritty: ["alacritty", "-e"],
    foot: ["foot"],
    wezterm: ["wezterm", "start", "--"],
    "xfce4-terminal": ["xfce4-terminal", "-x"],
  };
  for (const [name, prefix] of Object.entries(forms)) {
    assert.deepEqual(chooseTerminal({}, whichOf(name))!.prefix, prefix, name);
    assert.deepEqual(prefixFor(name), prefix);
  }
  assert.equal(chooseTerminal({}, whichOf("xterm", "gnome-terminal"))!.command, "gnome-terminal");
  assert.equal(chooseTerminal({}, whichOf()), undefined);
});

Deno.test("terminals that take one command string get it shell-quoted", () => {
  const c = chooseTerminal({}, whichOf("lxterminal"))!;
  assert.ok(c.single);
  assert.deepEqual(terminalArgv(c, ["/my path/codchi", "exec", "dev"]), [
    "lxterminal",
    "-e",
    "'/my path/codchi' exec dev",
  ]);
  assert.equal(shellJoin(["a'b"]), `'a'\\''b'`);
});

Deno.test("settings parsers", () => {
  assert.equal(parseGsettingsString("'gnome-terminal'\n"), "gnome-terminal");
  assert.equal(parseGsettingsString("''"), undefined);
  assert.equal(parseKdeTerminal("[General]\nTerminalApplication=kitty --single\n"), "kitty");
  assert.equal(parseKdeTerminal("[Other]\nTerminalApplication=kitty\n"), undefined);
});
