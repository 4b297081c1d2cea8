import { deepEqual, equal, ok } from "node:assert/strict";
import type { DesktopApp } from "../../../src/host/windows/desktop_entry.ts";
import {
  execArguments,
  machineTitle,
  planShortcuts,
  safeFileName,
  shortcutFolder,
  staleFiles,
} from "../../../src/host/windows/shortcuts.ts";

const LOCAL = "C:\\Users\\ana\\AppData\\Local";
const ROAMING = "C:\\Users\\ana\\AppData\\Roaming";
const PROGRAMS = `${ROAMING}\\Microsoft\\Windows\\Start Menu\\Programs`;
const launcher = {
  codchi: `${LOCAL}\\codchi\\bin\\codchi.exe`,
  codchiw: `${LOCAL}\\codchi\\bin\\codchiw.exe`,
};
const apps: DesktopApp[] = [
  { id: "org.gnome.gedit", name: "Text Editor", argv: ["gedit"], terminal: false, icon: "gedit" },
  { id: "htop", name: "htop", argv: ["htop", "-d", "10"], terminal: true },
  { id: "code", name: "Code: OSS?", argv: ["code", "--new-window"], terminal: false },
  { id: "editor2", name: "Text Editor", argv: ["xed"], terminal: false },
];

const plan = () =>
  planShortcuts({
    machine: "java",
    apps,
    icons: new Map([["org.gnome.gedit", `${LOCAL}\\codchi\\icons\\java\\org.gnome.gedit.ico`]]),
    launcher,
    programsDir: PROGRAMS,
    env: { LOCALAPPDATA: LOCAL, APPDATA: ROAMING },
    workingDir: "C:\\Users\\ana",
  });

Deno.test("one .lnk per app in the machine's folder", () => {
  const files = plan();
  equal(files.length, 4);
  const folder = shortcutFolder(PROGRAMS, "java");
  equal(folder, `${PROGRAMS}\\Codchi - java`);
  equal(machineTitle("java"), "Codchi - java");
  for (const f of files) ok(f.path.startsWith(folder + "\\") && f.path.endsWith(".lnk"), f.path);
  deepEqual(files.map((f) => f.path.slice(folder.length + 1)), [
    "Code_ OSS_.lnk",
    "htop.lnk",
    "Text Editor (editor2).lnk",
    "Text Editor (org.gnome.gedit).lnk",
  ]);
});

Deno.test("terminal apps start codchi.exe, GUI apps the console-less codchiw.exe", () => {
  const byName = new Map(plan().map((f) => [f.path.replace(/^.*\\/, ""), f.link]));
  const htop = byName.get("htop.lnk")!;
  equal(htop.target, launcher.codchi);
  equal(htop.arguments, "exec java -- htop -d 10");
  equal(htop.targetEnv, "%LOCALAPPDATA%\\codchi\\bin\\codchi.exe");
  equal(htop.iconLocation, launcher.codchi); // no icon of its own
  const gedit = byName.get("Text Editor (org.gnome.gedit).lnk")!;
  equal(gedit.target, launcher.codchiw);
  equal(gedit.iconLocation, `${LOCAL}\\codchi\\icons\\java\\org.gnome.gedit.ico`);
  equal(gedit.iconEnv, "%LOCALAPPDATA%\\codchi\\icons\\java\\org.gnome.gedit.ico");
  equal(gedit.relativePath, "..\\..\\..\\..\\..\\..\\Local\\codchi\\bin\\codchiw.exe");
  equal(gedit.workingDir, "C:\\Users\\ana");
});

Deno.test("arguments are quoted for Windows", () => {
  equal(execArguments("m", ["sh", "-c", 'echo "a b"']), 'exec m -- sh -c "echo \\"a b\\""');
  equal(
    execArguments("m", ["x"], ["run", "-A", "C:\\my src\\main.ts"]),
    'run -A "C:\\my src\\main.ts" exec m -- x',
  );
});

Deno.test("file names Windows accepts", () => {
  equal(safeFileName('a<b>c:d"e/f\\g|h?i*j'), "a_b_c_d_e_f_g_h_i_j");
  equal(safeFileName("dots... "), "dots");
  equal(safeFileName("CON"), "CON_");
  equal(safeFileName(""), "app");
  equal(safeFileName("x".repeat(300)).length, 100);
});

Deno.test("stale files are those the last export wrote and this one does not", () => {
  deepEqual(
    staleFiles(["C:\\a\\X.lnk", "C:\\a\\y.lnk", "C:\\a\\z.ico"], ["c:\\a\\x.lnk", "C:\\a\\z.ico"]),
    [
      "C:\\a\\y.lnk",
    ],
  );
});
