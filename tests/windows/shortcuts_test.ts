/**
 * Start-menu shortcuts and the Windows Terminal fragment, written by the real export into the
 * real (Wine) Programs folder and read back by the shell (IShellLinkW::Load). The exported files
 * are left in place and listed in `CODCHI_LNK_MANIFEST`: scripts/test-windows.sh checks each one
 * with Linux `lnkinfo` afterwards and then removes them.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { win32 } from "node:path";
import { computePaths, machinePaths } from "../../src/config/paths.ts";
import { knownFolder, knownFolderEnv } from "../../src/host/windows/ffi/known_folders.ts";
import { readShortcut } from "../../src/host/windows/ffi/shell_link.ts";
import { encodeShellLink } from "../../src/host/windows/lnk.ts";
import {
  exportApps,
  removeApps,
  windowsHostApps,
  type WindowsHostContext,
} from "../../src/host/windows/mod.ts";
import { stableLauncher } from "../../src/host/windows/launcher.ts";
import { profileGuid } from "../../src/host/windows/terminal.ts";
import { solidPng } from "./_png.ts";

const folders = knownFolderEnv();
const tag = `${Deno.pid}`;

function context(): WindowsHostContext {
  return {
    paths: computePaths("windows", { ...Deno.env.toObject(), ...folders }),
    programsDir: knownFolder("Programs"),
    launcher: stableLauncher(
      win32.join(folders.LOCALAPPDATA, "codchi", "bin", "codchi.exe"),
      folders.LOCALAPPDATA,
    ),
    env: folders,
    workingDir: folders.USERPROFILE,
  };
}

/** A machine's `share/codchi` folder: `applications/` with desktop entries, `icons/` (hicolor). */
async function shareFolder(withEditor = true): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "codchi-apps-" });
  const apps = win32.join(root, "applications");
  await Deno.mkdir(apps);
  const icons = win32.join(root, "icons", "hicolor", "64x64", "apps");
  await Deno.mkdir(icons, { recursive: true });
  await Deno.writeFile(win32.join(icons, "gedit.png"), await solidPng(64));
  const entry = (name: string, exec: string, extra = "") =>
    `[Desktop Entry]\nType=Application\nName=${name}\nExec=${exec}\n${extra}`;
  if (withEditor) {
    await Deno.writeTextFile(
      win32.join(apps, "org.gnome.gedit.desktop"),
      entry("Text Editor", "gedit --new-window %U", "Icon=gedit\nComment=Edit text ✓\n"),
    );
  }
  await Deno.writeTextFile(
    win32.join(apps, "htop.desktop"),
    entry("htop", 'htop -d "1 0"', "Terminal=true\n"),
  );
  await Deno.writeTextFile(
    win32.join(apps, "hidden.desktop"),
    entry("Hidden", "x", "NoDisplay=true\n"),
  );
  return root;
}

Deno.test("export writes shortcuts the shell reads back, rebuild drops stale ones", async () => {
  const ctx = context();
  const machine = `wine-${tag}`;
  const folder = win32.join(ctx.programsDir, `Codchi - ${machine}`);
  const first = await exportApps(ctx, machine, await shareFolder(true));
  const lnks = first.filter((f) => f.endsWith(".lnk"));
  deepEqual(
    new Set(lnks),
    new Set([win32.join(folder, "htop.lnk"), win32.join(folder, "Text Editor.lnk")]),
  );

  const editor = readShortcut(win32.join(folder, "Text Editor.lnk"));
  equal(editor.path.toLowerCase(), ctx.launcher.codchiw.toLowerCase());
  equal(editor.arguments, `exec ${machine} -- gedit --new-window`);
  equal(editor.description, "Edit text ✓");
  equal(editor.workingDir, folders.USERPROFILE);
  const ico = win32.join(ctx.paths.iconsDir, machine, "org.gnome.gedit.ico");
  ok(editor.iconLocation.toLowerCase().endsWith("org.gnome.gedit.ico"), editor.iconLocation);
  ok((await Deno.stat(ico)).size > 22);
  const htop = readShortcut(win32.join(folder, "htop.lnk"));
  equal(htop.path.toLowerCase(), ctx.launcher.codchi.toLowerCase());
  equal(htop.arguments, `exec ${machine} -- htop -d "1 0"`);

  const fragment = JSON.parse(
    await Deno.readTextFile(win32.join(ctx.paths.menusDir, `${machine}.json`)),
  );
  equal(fragment.profiles[0].name, `Codchi - ${machine}`);
  equal(fragment.profiles[0].guid, await profileGuid(machine));
  ok(ctx.paths.menusDir.endsWith("\\Microsoft\\Windows Terminal\\Fragments\\codchi"));

  // Rebuild without the editor: its shortcut and icon go, htop stays.
  const second = await exportApps(ctx, machine, await shareFolder(false));
  await Deno.stat(win32.join(folder, "Text Editor.lnk")).then(
    () => ok(false, "stale shortcut left behind"),
    (e) => ok(e instanceof Deno.errors.NotFound),
  );
  await Deno.stat(ico).then(() => ok(false, "stale icon left behind"), () => {});
  ok(second.includes(win32.join(folder, "htop.lnk")));

  // The app comes back with the next rebuild that has it.
  const third = await exportApps(ctx, machine, await shareFolder(true));
  ok(third.includes(win32.join(folder, "Text Editor.lnk")));

  // Two more shapes of the writer: target only in LinkInfo, and with a LinkTargetIDList.
  const variants = [
    { name: "linkinfo-only.lnk", withIdList: false },
    { name: "with-idlist.lnk", withIdList: true },
  ].map(({ name, withIdList }) => ({ file: win32.join(folder, name), withIdList }));
  for (const v of variants) {
    await Deno.writeFile(
      v.file,
      encodeShellLink({
        target: ctx.launcher.codchi,
        arguments: `exec ${machine}`,
        description: v.withIdList ? "IDList" : "LinkInfo",
        withIdList: v.withIdList,
      }),
    );
    const back = readShortcut(v.file);
    equal(back.path.toLowerCase(), ctx.launcher.codchi.toLowerCase(), v.file);
    equal(back.arguments, `exec ${machine}`);
  }

  // Keep this machine's files for lnkinfo (run by scripts/test-windows.sh on the Linux side).
  const manifest = Deno.env.get("CODCHI_LNK_MANIFEST");
  if (manifest) {
    const files = [...third.filter((f) => f.endsWith(".lnk")), ...variants.map((v) => v.file)];
    const entries = files.map((file) => {
      const s = readShortcut(file);
      return { file, path: s.path, arguments: s.arguments, description: s.description };
    });
    await Deno.writeTextFile(
      manifest,
      JSON.stringify({ machine, folder, shortcuts: entries }, null, 2),
    );
  } else {
    await removeApps(ctx, machine);
  }
});

Deno.test("delete removes every shortcut, icon, fragment and the record", async () => {
  const ctx = context();
  const machine = `wine-del-${tag}`;
  // The applications folder itself works too (icons in its sibling folder).
  const written = await exportApps(
    ctx,
    machine,
    win32.join(await shareFolder(true), "applications"),
  );
  ok(written.length >= 4);
  await removeApps(ctx, machine);
  for (const f of [...written, machinePaths(ctx.paths, machine).exported]) {
    await Deno.stat(f).then(() => ok(false, `left behind: ${f}`), () => {});
  }
  await Deno.stat(win32.join(ctx.programsDir, `Codchi - ${machine}`)).then(
    () => ok(false, "start-menu folder left behind"),
    () => {},
  );
});

Deno.test("the HostApps adapter exports with the stable launcher and removes everything", async () => {
  const paths = computePaths("windows", { ...Deno.env.toObject(), ...folders });
  const apps = windowsHostApps(paths);
  const machine = `wine-adapter-${tag}`;
  const exe = win32.join(folders.LOCALAPPDATA, "Microsoft", "WinGet", "Links", "codchi.exe");
  await apps.export(machine, await shareFolder(true), [exe]);
  const folder = win32.join(knownFolder("Programs"), `Codchi - ${machine}`);
  const htop = readShortcut(win32.join(folder, "htop.lnk"));
  equal(htop.path.toLowerCase(), exe.toLowerCase());
  const editor = readShortcut(win32.join(folder, "Text Editor.lnk"));
  equal(editor.path.toLowerCase(), exe.replace("codchi.exe", "codchiw.exe").toLowerCase());
  await apps.remove(machine);
  await Deno.stat(folder).then(() => ok(false, "start-menu folder left behind"), () => {});
});
