/**
 * The builder script of nix/nixos/driver/apps.nix (which desktop entries and icons a machine
 * exports), evaluated from the real module with stand-in `pkgs`, then run with bash on a fake
 * application tree. Skips only when nix-instantiate is absent.
 */
import { deepStrictEqual, equal } from "node:assert/strict";

const APPS_NIX = new URL("../../nix/nixos/driver/apps.nix", import.meta.url).pathname;

async function scriptText(): Promise<string | undefined> {
  const expr = `
    let
      lib = { mkOption = x: x; types.package = null; };
      pkgs = { buildEnv = _: "@APPS@"; runCommand = _name: _env: script: script; };
      config = {
        environment.systemPackages = [ ];
        users.users.codchi.packages = [ ];
        codchi.driver.user = "codchi";
      };
    in (import ${APPS_NIX} { inherit lib pkgs config; }).config.codchi.internal.apps`;
  try {
    const out = await new Deno.Command("nix-instantiate", {
      args: ["--eval", "--strict", "--json", "--expr", expr],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
    return JSON.parse(new TextDecoder().decode(out.stdout));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

const script = await scriptText();
if (script === undefined) {
  console.warn("SKIPPED tests/nix/apps_script_test.ts: nix-instantiate is not installed.");
}

async function put(path: string, text = "x"): Promise<void> {
  await Deno.mkdir(path.replace(/\/[^/]*$/, ""), { recursive: true });
  await Deno.writeTextFile(path, text);
}

const entry = (extra: string) => `[Desktop Entry]\nName=N\nExec=n\n${extra}\n`;

Deno.test({
  name: "apps.nix gathers visible applications and one icon each",
  ignore: script === undefined,
  async fn() {
    const t = await Deno.makeTempDir({ prefix: "codchi-apps-" });
    const apps = `${t}/apps`;
    const a = `${apps}/share/applications`;
    await put(`${a}/editor.desktop`, entry("Type=Application\nIcon=editor"));
    await put(`${a}/viewer.desktop`, entry("Type=Application\nIcon=viewer"));
    await put(`${a}/old.desktop`, entry("Type=Application\nIcon=old"));
    await put(`${a}/abs.desktop`, entry(`Type=Application\nIcon=${t}/own/logo.svg`));
    await put(`${a}/noicon.desktop`, entry("Type=Application"));
    // last in glob order, with an icon that exists nowhere: must not fail the build
    await put(`${a}/zzz.desktop`, entry("Type=Application\nIcon=missing"));
    await put(`${a}/hidden.desktop`, entry("Type=Application\nNoDisplay=true\nIcon=editor"));
    await put(`${a}/gone.desktop`, entry("Type=Application\nHidden=true"));
    await put(`${a}/link.desktop`, entry("Type=Link\nURL=https://example.com"));
    await put(`${apps}/share/icons/hicolor/48x48/apps/editor.png`, "small");
    await put(`${apps}/share/icons/hicolor/256x256/apps/editor.png`, "big");
    await put(`${apps}/share/icons/hicolor/scalable/apps/editor.svg`, "svg");
    await put(`${apps}/share/icons/hicolor/scalable/apps/viewer.svg`, "viewer-svg");
    await put(`${apps}/share/pixmaps/old.xpm`, "xpm");
    await put(`${t}/own/logo.svg`, "logo");
    const out = `${t}/out`;
    const run = await new Deno.Command("bash", {
      args: ["-euc", script!.replaceAll("@APPS@", apps)],
      env: { out },
      stderr: "piped",
    }).output();
    equal(run.success, true, new TextDecoder().decode(run.stderr));
    const list = (d: string) =>
      [...Deno.readDirSync(`${out}/share/codchi/${d}`)].map((e) => e.name).sort();
    deepStrictEqual(list("applications"), [
      "abs.desktop",
      "editor.desktop",
      "noicon.desktop",
      "old.desktop",
      "viewer.desktop",
      "zzz.desktop",
    ]);
    deepStrictEqual(list("icons"), ["editor.png", "logo.svg", "old.xpm", "viewer.svg"]);
    const icon = (n: string) => Deno.readTextFile(`${out}/share/codchi/icons/${n}`);
    equal(await icon("editor.png"), "big", "the largest bitmap wins");
    equal(await icon("viewer.svg"), "viewer-svg");
    equal(await icon("logo.svg"), "logo");
    await Deno.remove(t, { recursive: true });
  },
});
