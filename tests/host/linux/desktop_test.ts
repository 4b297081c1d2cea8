import assert from "node:assert/strict";
import {
  appEntryName,
  type AppsFolder,
  type ExportInput,
  manifestOf,
  planExport,
  staleFiles,
  translateExec,
} from "../../../src/host/linux/desktop.ts";
import {
  expandExec,
  group,
  parseDesktopFile,
  renderExec,
  stringValue,
} from "../../../src/host/linux/desktop_entry.ts";
import { isOwnedPath, parseManifest } from "../../../src/host/linux/desktop_io.ts";
import { ConfigError } from "../../../src/errors.ts";

const targets = {
  applicationsDir: "/h/.local/share/applications",
  iconsDir: "/h/.local/share/icons/hicolor",
  menusDir: "/h/.config/menus/applications-merged",
  desktopDirectoriesDir: "/h/.local/share/desktop-directories",
};

function app(id: string, text: string) {
  return { id, file: parseDesktopFile(text) };
}

const folder: AppsFolder = {
  iconsRoot: "/apps/icons",
  iconFiles: [
    "hicolor/48x48/apps/editor.png",
    "hicolor/scalable/apps/editor.svg",
    "pix.xpm",
  ],
  apps: [
    app(
      "editor",
      "[Desktop Entry]\nType=Application\nName=Editor\nName[de]=Bearbeiter\nIcon=editor\n" +
        "Exec=editor --name %c %i %F\nCategories=Development;TextEditor;Bogus;\nTryExec=editor\n" +
        "MimeType=text/plain;\nDBusActivatable=true\nActions=win;\n\n" +
        "[Desktop Action win]\nName=New window\nExec=editor --new-window\n",
    ),
    app("hidden", "[Desktop Entry]\nType=Application\nName=H\nExec=h\nNoDisplay=true\n"),
    app("link", "[Desktop Entry]\nType=Link\nName=L\nURL=https://x\n"),
    app("pix", "[Desktop Entry]\nType=Application\nName=Pix\nExec=pix %u\nIcon=pix\n"),
    app("themed", "[Desktop Entry]\nType=Application\nName=Themed\nExec=t\nIcon=firefox\n"),
  ],
};

const input: ExportInput = { machine: "dev", codchi: "/opt/co dchi/codchi", targets, folder };

Deno.test("planExport: entries, icons, directory and menu", () => {
  const plan = planExport(input);
  const paths = plan.files.map((f) => f.path);
  assert.ok(paths.includes(`${targets.applicationsDir}/codchi.dev.editor.desktop`));
  assert.ok(paths.includes(`${targets.applicationsDir}/codchi-terminal.dev.desktop`));
  assert.ok(!paths.some((p) => p.includes("hidden") || p.includes(".link.")));
  assert.ok(paths.includes(`${targets.iconsDir}/48x48/apps/codchi.dev.editor.png`));
  assert.ok(paths.includes(`${targets.iconsDir}/scalable/apps/codchi.dev.editor.svg`));
  assert.ok(paths.includes("/h/.local/share/icons/codchi.dev.pix.xpm"));
  assert.ok(paths.includes(`${targets.menusDir}/codchi-dev.menu`));
  assert.ok(paths.includes(`${targets.desktopDirectoriesDir}/codchi-dev.directory`));
  assert.equal(plan.files[plan.files.length - 1].path, `${targets.menusDir}/codchi-dev.menu`);
  assert.deepEqual(plan.shared.map((f) => f.path), [
    `${targets.desktopDirectoriesDir}/codchi.directory`,
  ]);
});

Deno.test("translated entry: name, icon, exec, dropped keys", () => {
  const plan = planExport(input);
  const f = plan.files.find((f) => f.path.endsWith(appEntryName("dev", "editor")))!;
  assert.ok("text" in f);
  const main = group(parseDesktopFile(f.text), "Desktop Entry")!;
  assert.equal(stringValue(main, "Name"), "Editor (dev)");
  assert.equal(
    main.keys.find((k) => k.key === "Name" && k.locale === "de")?.value,
    "Bearbeiter (dev)",
  );
  assert.equal(stringValue(main, "Icon"), "codchi.dev.editor");
  assert.equal(stringValue(main, "Categories"), "Development;TextEditor;X-Codchi;");
  for (const gone of ["TryExec", "MimeType", "DBusActivatable"]) {
    assert.equal(stringValue(main, gone), undefined, gone);
  }
  const exec = main.keys.find((k) => k.key === "Exec")!.value;
  assert.deepEqual(expandExec(exec, { files: ["/a b", "/c"] }), [
    "/opt/co dchi/codchi",
    "exec",
    "dev",
    "--",
    "editor",
    "--name",
    "Editor",
    "--icon",
    "editor",
    "/a b",
    "/c",
  ]);
  const action = group(parseDesktopFile(f.text), "Desktop Action win")!;
  assert.deepEqual(expandExec(action.keys.find((k) => k.key === "Exec")!.value), [
    "/opt/co dchi/codchi",
    "exec",
    "dev",
    "--",
    "editor",
    "--new-window",
  ]);
});

Deno.test("an icon the folder lacks keeps its theme name", () => {
  const plan = planExport(input);
  const f = plan.files.find((f) => f.path.endsWith("codchi.dev.themed.desktop"))!;
  assert.ok("text" in f);
  assert.equal(stringValue(group(parseDesktopFile(f.text), "Desktop Entry"), "Icon"), "firefox");
});

Deno.test("terminal entry: Terminal=true without a terminal, the terminal's argv with one", () => {
  const t1 = planExport(input).files.find((f) => f.path.endsWith("codchi-terminal.dev.desktop"))!;
  assert.ok("text" in t1);
  const g1 = group(parseDesktopFile(t1.text), "Desktop Entry")!;
  assert.equal(stringValue(g1, "Terminal"), "true");
  assert.equal(stringValue(g1, "Name"), "Terminal (dev)");
  const t2 = planExport({
    ...input,
    terminal: { command: "wezterm", prefix: ["wezterm", "start", "--"], source: "known" },
  }).files.find((f) => f.path.endsWith("codchi-terminal.dev.desktop"))!;
  assert.ok("text" in t2);
  const g2 = group(parseDesktopFile(t2.text), "Desktop Entry")!;
  assert.equal(stringValue(g2, "Terminal"), "false");
  assert.deepEqual(expandExec(g2.keys.find((k) => k.key === "Exec")!.value), [
    "wezterm",
    "start",
    "--",
    "/opt/co dchi/codchi",
    "exec",
    "dev",
  ]);
});

Deno.test("translateExec: codes per spec", () => {
  const t = (raw: string) =>
    expandExec(renderExec(translateExec(raw, { name: "N a", icon: "ic" })));
  assert.deepEqual(t("a %k %d %D %n %N %v %m b"), ["a", "b"]);
  assert.deepEqual(t("a --title=%c"), ["a", "--title=N a"]);
  assert.deepEqual(t('a "100%%"'), ["a", "100%"]);
  assert.deepEqual(t("a %i"), ["a", "--icon", "ic"]);
  assert.deepEqual(
    expandExec(renderExec(translateExec("a --file=%f", { name: "x" })), { files: ["/f"] }),
    ["a", "--file=/f"],
  );
});

Deno.test("stale files and manifests", () => {
  const before = manifestOf(planExport(input));
  const after = manifestOf(planExport({ ...input, folder: { ...folder, apps: [folder.apps[0]] } }));
  const stale = staleFiles(before, after);
  assert.ok(stale.some((p) => p.endsWith("codchi.dev.pix.desktop")));
  assert.ok(stale.some((p) => p.endsWith("codchi.dev.pix.xpm")));
  assert.ok(!stale.some((p) => p.endsWith("codchi.dev.editor.desktop")));
  assert.deepEqual(staleFiles(undefined, after), []);
  assert.deepEqual(parseManifest(JSON.parse(JSON.stringify(after))), after);
  assert.throws(() => parseManifest({ version: 2 }), ConfigError);
});

Deno.test("isOwnedPath only allows codchi files in target folders", () => {
  assert.ok(isOwnedPath(`${targets.applicationsDir}/codchi.dev.x.desktop`, targets));
  assert.ok(isOwnedPath("/h/.local/share/icons/hicolor/48x48/apps/codchi.dev.x.png", targets));
  assert.ok(!isOwnedPath(`${targets.applicationsDir}/firefox.desktop`, targets));
  assert.ok(!isOwnedPath(`${targets.applicationsDir}/../codchi.x`, targets));
  assert.ok(!isOwnedPath("/etc/codchi.conf", targets));
});
