/**
 * Desktop export against the real tools: desktop-file-validate, GLib's launcher (`gio launch`),
 * xmllint and pyxdg's menu parser; stale removal and full removal on a real folder tree.
 */
import assert from "node:assert/strict";
import { computePaths } from "../../src/config/paths.ts";
import { applyAutostart, planAutostart } from "../../src/host/linux/autostart.ts";
import { type DesktopTargets, planExport } from "../../src/host/linux/desktop.ts";
import { expandExec, group, parseDesktopFile } from "../../src/host/linux/desktop_entry.ts";
import { applyExport, readAppsFolder, removeExport } from "../../src/host/linux/desktop_io.ts";
import { have, sh, waitFor } from "./helpers.ts";

const PNG = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  ),
  (c) => c.charCodeAt(0),
);
const SVG =
  `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect width="16" height="16"/></svg>\n`;

/** A fake HOME, a fake store (`nix/`) and a machine apps folder whose files link into it. */
async function fixture() {
  const root = await Deno.makeTempDir({ prefix: "codchi-desktop-" });
  const home = `${root}/home`;
  const env = {
    HOME: home,
    XDG_CONFIG_HOME: `${home}/.config`,
    XDG_DATA_HOME: `${home}/.local/share`,
  };
  const paths = computePaths("linux", env);
  const nixRoot = `${root}/nix`;
  const pkg = `${nixRoot}/store/abc-editor`;
  await Deno.mkdir(`${pkg}/share/applications`, { recursive: true });
  await Deno.mkdir(`${pkg}/share/icons/hicolor/48x48/apps`, { recursive: true });
  await Deno.writeFile(`${pkg}/share/icons/hicolor/48x48/apps/editor.png`, PNG);
  await Deno.writeTextFile(
    `${pkg}/share/applications/editor.desktop`,
    [
      "[Desktop Entry]",
      "Type=Application",
      "Name=Editor",
      "Name[de]=Bearbeiter",
      "GenericName=Text Editor",
      "Comment=Edit files; all of them",
      "Keywords=text;edit;",
      "Icon=editor",
      `Exec=/nix/store/abc-editor/bin/editor --title "My \\\\"Editor\\\\"" --new %F`,
      "TryExec=/nix/store/abc-editor/bin/editor",
      "Categories=Development;TextEditor;Unregistered;",
      "MimeType=text/plain;",
      "StartupWMClass=Editor",
      "Actions=new-window;",
      "",
      "[Desktop Action new-window]",
      "Name=New Window",
      "Exec=/nix/store/abc-editor/bin/editor --new-window %u",
    ].join("\n"),
  );
  const apps = `${root}/profile/sw/share/codchi`;
  await Deno.mkdir(`${apps}/applications`, { recursive: true });
  await Deno.mkdir(`${apps}/icons/hicolor/scalable/apps`, { recursive: true });
  // Links as in a NixOS profile: absolute targets into /nix/store.
  await Deno.symlink(
    "/nix/store/abc-editor/share/applications/editor.desktop",
    `${apps}/applications/editor.desktop`,
  );
  await Deno.symlink(
    "/nix/store/abc-editor/share/icons/hicolor/48x48",
    `${apps}/icons/hicolor/48x48`,
  );
  await Deno.writeTextFile(`${apps}/icons/hicolor/scalable/apps/viewer.svg`, SVG);
  await Deno.writeTextFile(
    `${apps}/applications/viewer.desktop`,
    "[Desktop Entry]\nType=Application\nName=Viewer\nIcon=viewer\nExec=viewer %u\nCategories=Graphics;\n",
  );
  await Deno.writeTextFile(
    `${apps}/applications/shell tool.desktop`,
    "[Desktop Entry]\nType=Application\nName=Shell Tool\nExec=sh -c \"echo \\\\$HOME; printf '%%s' x\"\nTerminal=true\n",
  );
  // A fake codchi in a folder with a space: writes its argv, NUL-separated, to $ARGV_OUT.
  const bin = `${root}/my bin`;
  await Deno.mkdir(bin);
  const codchi = `${bin}/codchi`;
  await Deno.writeTextFile(
    codchi,
    `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a"; done > "$ARGV_OUT"\n`,
  );
  await Deno.chmod(codchi, 0o755);
  const targets: DesktopTargets = paths;
  return { root, home, env, paths, targets, nixRoot, apps, codchi };
}

async function exportMachine(
  f: Awaited<ReturnType<typeof fixture>>,
  machine: string,
  previous?: Parameters<typeof applyExport>[1],
) {
  const folder = await readAppsFolder(f.apps, { nixRoot: f.nixRoot });
  const plan = planExport({ machine, codchi: f.codchi, targets: f.targets, folder });
  return await applyExport(plan, previous, f.targets, f.nixRoot);
}

async function exists(p: string) {
  return await Deno.lstat(p).then(() => true, () => false);
}

Deno.test("exported entries and directory files pass desktop-file-validate", async () => {
  const f = await fixture();
  try {
    const manifest = await exportMachine(f, "dev");
    const checked = manifest.files.filter((p) => /\.(desktop|directory)$/.test(p));
    checked.push(`${f.paths.desktopDirectoriesDir}/codchi.directory`);
    assert.ok(checked.length >= 5, `files: ${checked.join(", ")}`);
    const r = await sh(["desktop-file-validate", ...checked]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /error|warning/, r.stdout + r.stderr);
    // Icons were copied from the store through the links.
    assert.ok(await exists(`${f.paths.iconsDir}/48x48/apps/codchi.dev.editor.png`));
    assert.ok(await exists(`${f.paths.iconsDir}/scalable/apps/codchi.dev.viewer.svg`));
  } finally {
    await Deno.remove(f.root, { recursive: true });
  }
});

Deno.test("an entry's Exec runs exactly the intended argv (spec parser and gio launch)", async () => {
  const f = await fixture();
  try {
    await exportMachine(f, "dev");
    const entry = `${f.paths.applicationsDir}/codchi.dev.editor.desktop`;
    const file = parseDesktopFile(await Deno.readTextFile(entry));
    const exec = group(file, "Desktop Entry")!.keys.find((k) => k.key === "Exec")!.value;
    const files = ["/tmp/a file.txt", "/tmp/b$c.txt"];
    const want = [
      "exec",
      "dev",
      "--",
      "/nix/store/abc-editor/bin/editor",
      "--title",
      'My "Editor"',
      "--new",
      ...files,
    ];
    const out = `${f.root}/argv`;
    const read = async () => (await Deno.readTextFile(out)).split("\0").slice(0, -1);

    // 1. Our own parser of the spec, then a real exec of the argv.
    const argv = expandExec(exec, { files });
    assert.equal(argv[0], f.codchi);
    const r = await sh(argv, { env: { ARGV_OUT: out } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await read(), want);

    // 2. GLib's launcher, an independent implementation of the same spec.
    await Deno.remove(out);
    const g = await sh(["gio", "launch", entry, ...files], { env: { ARGV_OUT: out } });
    assert.equal(g.code, 0, g.stderr);
    assert.ok(await waitFor(() => exists(out)), "gio launch did not run the fake codchi");
    await waitFor(async () => (await read()).length >= want.length, 3000);
    assert.deepEqual(await read(), want);

    // 3. An app whose Exec uses shell characters keeps them as one literal argument.
    await Deno.remove(out);
    const tool = `${f.paths.applicationsDir}/codchi.dev.shell tool.desktop`;
    const toolFile = parseDesktopFile(await Deno.readTextFile(tool));
    const toolExec = group(toolFile, "Desktop Entry")!.keys.find((k) => k.key === "Exec")!.value;
    assert.deepEqual(expandExec(toolExec).slice(1), [
      "exec",
      "dev",
      "--",
      "sh",
      "-c",
      "echo $HOME; printf '%s' x",
    ]);
  } finally {
    await Deno.remove(f.root, { recursive: true });
  }
});

Deno.test("the menu is valid XML and real menu parsing shows Codchi → machine with its entries", async () => {
  const f = await fixture();
  try {
    await exportMachine(f, "dev");
    const menu = `${f.paths.menusDir}/codchi-dev.menu`;
    // Well-formed XML by a real parser: xmllint, else Python's expat.
    const parser = have("xmllint") ? ["xmllint", "--noout", menu] : [
      "/usr/bin/python3",
      "-c",
      "import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])",
      menu,
    ];
    const parsed = await sh(parser);
    assert.equal(parsed.code, 0, parsed.stderr);
    // pyxdg resolves the merged menu, .directory names and desktop file IDs like a desktop would.
    const probe = await sh(["/usr/bin/python3", "-c", "import xdg.Menu"]);
    if (probe.code !== 0) {
      console.warn("python3-xdg missing: skipping the menu-resolution part");
      return;
    }
    const sys = `${f.root}/etc-xdg/menus`;
    await Deno.mkdir(sys, { recursive: true });
    await Deno.writeTextFile(
      `${sys}/applications.menu`,
      `<!DOCTYPE Menu PUBLIC "-//freedesktop//DTD Menu 1.0//EN"
 "http://www.freedesktop.org/standards/menu-spec/1.0/menu.dtd">
<Menu><Name>Applications</Name><DefaultAppDirs/><DefaultDirectoryDirs/><DefaultMergeDirs/></Menu>
`,
    );
    const script = `
import json, xdg.Menu
def walk(m):
    out = {"name": m.Name, "label": m.getName(), "entries": [], "menus": []}
    for e in m.getEntries():
        if isinstance(e, xdg.Menu.Menu): out["menus"].append(walk(e))
        elif isinstance(e, xdg.Menu.MenuEntry): out["entries"].append(e.DesktopFileID)
    return out
print(json.dumps(walk(xdg.Menu.parse())))
`;
    const r = await sh(["/usr/bin/python3", "-c", script], {
      env: { ...f.env, XDG_CONFIG_DIRS: `${f.root}/etc-xdg`, XDG_DATA_DIRS: `${f.root}/none` },
    });
    assert.equal(r.code, 0, r.stderr);
    const tree = JSON.parse(r.stdout);
    const top = tree.menus.find((m: { name: string }) => m.name === "Codchi");
    assert.ok(top, r.stdout);
    assert.equal(top.label, "Codchi");
    const sub = top.menus.find((m: { name: string }) => m.name === "codchi-dev");
    assert.equal(sub.label, "dev");
    assert.deepEqual([...sub.entries].sort(), [
      "codchi-terminal.dev.desktop",
      "codchi.dev.editor.desktop",
      "codchi.dev.shell tool.desktop",
      "codchi.dev.viewer.desktop",
    ]);
  } finally {
    await Deno.remove(f.root, { recursive: true });
  }
});

Deno.test("re-export removes stale entries; removal removes everything", async () => {
  const f = await fixture();
  try {
    const m1 = await exportMachine(f, "dev");
    const other = await exportMachine(f, "other");
    await Deno.remove(`${f.apps}/applications/viewer.desktop`);
    const m2 = await exportMachine(f, "dev", m1);
    assert.ok(!(await exists(`${f.paths.applicationsDir}/codchi.dev.viewer.desktop`)));
    assert.ok(!(await exists(`${f.paths.iconsDir}/scalable/apps/codchi.dev.viewer.svg`)));
    assert.ok(await exists(`${f.paths.applicationsDir}/codchi.dev.editor.desktop`));
    const menu = await Deno.readTextFile(`${f.paths.menusDir}/codchi-dev.menu`);
    assert.doesNotMatch(menu, /viewer/);
    for (const p of m2.files) assert.ok(await exists(p), p);

    await removeExport(m2, f.targets);
    for (const p of m1.files) assert.ok(!(await exists(p)), `left behind: ${p}`);
    // Another machine still uses the shared top directory.
    assert.ok(await exists(`${f.paths.desktopDirectoriesDir}/codchi.directory`));
    for (const p of other.files) assert.ok(await exists(p), p);
    await removeExport(other, f.targets);
    assert.ok(!(await exists(`${f.paths.desktopDirectoriesDir}/codchi.directory`)));
    const left: string[] = [];
    for await (const e of walk(f.home)) left.push(e);
    assert.deepEqual(left, []);
  } finally {
    await Deno.remove(f.root, { recursive: true });
  }
});

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) yield* walk(p);
    else yield p;
  }
}

Deno.test("the tray's autostart entry passes desktop-file-validate and is written/removed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codchi-autostart-" });
  try {
    const on = planAutostart(`${dir}/autostart`, true, "/opt/my tools/codchi");
    await applyAutostart(on);
    const r = await sh(["desktop-file-validate", on.path]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /error|warning/);
    await applyAutostart(planAutostart(`${dir}/autostart`, false, "/opt/my tools/codchi"));
    assert.ok(!(await exists(on.path)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
