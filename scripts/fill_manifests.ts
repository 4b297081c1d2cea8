/**
 * Fills the winget and scoop manifest templates (scripts/winget/, scripts/scoop/) for a release.
 *
 *   deno run -A scripts/fill_manifests.ts --version 0.4.2 --url https://…/codchi-windows-x64.zip \
 *     --sha256 <hex> --homepage https://github.com/<owner>/codchi --license MIT --out dist/manifests
 *
 * Writes winget's three files under `<out>/winget/manifests/c/Codchi/Codchi/<version>/` (the
 * layout of winget-pkgs) and `<out>/scoop/codchi.json`.
 */

/** The values a release provides. */
export interface ManifestValues {
  VERSION: string;
  URL: string;
  SHA256: string;
  HOMEPAGE: string;
  LICENSE: string;
}

/** Replaces every `{{NAME}}`; throws on an unknown or unfilled placeholder and on bad values. */
export function fillTemplate(template: string, values: ManifestValues): string {
  if (!/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(values.VERSION)) {
    throw new Error(`version must look like 1.2.3, not ${values.VERSION}`);
  }
  if (!/^[0-9a-fA-F]{64}$/.test(values.SHA256)) throw new Error("sha256 must be 64 hex digits");
  if (!/^https:\/\/\S+$/.test(values.URL)) throw new Error(`url must be https: ${values.URL}`);
  return template.replace(/\{\{([A-Z0-9_]+)\}\}/g, (_, name: string) => {
    const v = (values as unknown as Record<string, string | undefined>)[name];
    if (v === undefined || v === "") throw new Error(`no value for {{${name}}}`);
    return name === "SHA256" ? v.toUpperCase() : v;
  });
}

function flag(args: string[], name: string): string {
  const i = args.indexOf(`--${name}`);
  if (i < 0 || !args[i + 1]) throw new Error(`missing --${name}`);
  return args[i + 1];
}

if (import.meta.main) {
  const a = Deno.args;
  const values: ManifestValues = {
    VERSION: flag(a, "version").replace(/^v/, ""),
    URL: flag(a, "url"),
    SHA256: flag(a, "sha256"),
    HOMEPAGE: flag(a, "homepage"),
    LICENSE: flag(a, "license"),
  };
  const out = flag(a, "out");
  const here = new URL(".", import.meta.url);
  const wingetOut = `${out}/winget/manifests/c/Codchi/Codchi/${values.VERSION}`;
  await Deno.mkdir(wingetOut, { recursive: true });
  for await (const e of Deno.readDir(new URL("winget/", here))) {
    if (!e.name.endsWith(".yaml")) continue;
    const text = await Deno.readTextFile(new URL(`winget/${e.name}`, here));
    const body = text.split("\n").filter((l) => !l.startsWith("# Template:")).join("\n");
    await Deno.writeTextFile(`${wingetOut}/${e.name}`, fillTemplate(body, values));
  }
  await Deno.mkdir(`${out}/scoop`, { recursive: true });
  const scoop = fillTemplate(await Deno.readTextFile(new URL("scoop/codchi.json", here)), values);
  JSON.parse(scoop);
  await Deno.writeTextFile(`${out}/scoop/codchi.json`, scoop);
  console.log(`manifests for ${values.VERSION} written to ${out}`);
}
