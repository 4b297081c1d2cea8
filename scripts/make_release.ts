/**
 * Turns a folder of images into a release folder: writes `codchi-release.json` (file, SHA-256,
 * size of each image) next to them. Image files are recognised by name:
 * `<family>-<kind>` or `<kind>-<family>` (optionally prefixed `codchi-`), e.g. `store-lxd.tar.gz`,
 * `codchi-wsl-machine.tar.xz`. `--image lxd-store=<file>` links a file into the folder first.
 *   deno run -A scripts/make_release.ts <folder> [--version V] [--image <family>-<kind>=<file>…]
 * Used by the release workflow, the tests and the bench.
 */
import { join, resolve } from "node:path";
import { fileSha256 } from "../src/release/download.ts";
import {
  fileNameProblem,
  IMAGE_EXTENSIONS,
  type ImageFamily,
  type ImageKind,
  MANIFEST_FILE,
  type ReleaseManifest,
  renderManifest,
} from "../src/release/manifest.ts";
import { VERSION } from "../src/version.ts";

/** Which image a file name is (family and kind), or undefined. */
export function imageOfName(name: string): { family: ImageFamily; kind: ImageKind } | undefined {
  const ext = IMAGE_EXTENSIONS.slice().sort((a, b) => b.length - a.length).find((e) =>
    name.endsWith(e)
  );
  if (!ext) return undefined;
  const stem = name.slice(0, -ext.length).replace(/^codchi-/, "");
  const m = /^(lxd|wsl)-(store|machine)$/.exec(stem) ?? /^(store|machine)-(lxd|wsl)$/.exec(stem);
  if (!m) return undefined;
  const [a, b] = [m[1], m[2]];
  return a === "lxd" || a === "wsl"
    ? { family: a, kind: b as ImageKind }
    : { family: b as ImageFamily, kind: a as ImageKind };
}

/** The release file name of an image: `codchi-<family>-<kind><ext>`. */
export function releaseName(family: ImageFamily, kind: ImageKind, source: string): string {
  const ext = IMAGE_EXTENSIONS.slice().sort((a, b) => b.length - a.length).find((e) =>
    source.endsWith(e)
  );
  if (!ext) throw new Error(`${source}: an image must end in ${IMAGE_EXTENSIONS.join(", ")}`);
  return `codchi-${family}-${kind}${ext}`;
}

/**
 * Links each `images` entry (`lxd-store` → file) into `dir` under its release name, then writes
 * `dir/codchi-release.json` for every image file in `dir`. Returns the manifest.
 */
export async function makeRelease(
  dir: string,
  version = VERSION,
  images: Record<string, string> = {},
): Promise<ReleaseManifest> {
  await Deno.mkdir(dir, { recursive: true });
  for (const [id, file] of Object.entries(images)) {
    const m = /^(lxd|wsl)-(store|machine)$/.exec(id);
    if (!m) throw new Error(`--image ${id}: expected <lxd|wsl>-<store|machine>`);
    const dst = join(dir, releaseName(m[1] as ImageFamily, m[2] as ImageKind, file));
    await Deno.remove(dst).catch(() => {});
    await Deno.symlink(resolve(file), dst);
  }
  const manifest: ReleaseManifest = { version, images: {} };
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  for (const name of names) {
    const id = imageOfName(name);
    if (!id || fileNameProblem(name)) continue;
    const fam = manifest.images[id.family] ??= {};
    if (fam[id.kind]) throw new Error(`${dir} holds two ${id.family} ${id.kind} images`);
    const path = join(dir, name);
    fam[id.kind] = {
      file: name,
      sha256: await fileSha256(path),
      size: (await Deno.stat(path)).size,
    };
  }
  if (!Object.keys(manifest.images).length) throw new Error(`${dir} holds no image files`);
  await Deno.writeTextFile(join(dir, MANIFEST_FILE), renderManifest(manifest));
  return manifest;
}

/** The command line: `<folder> [--version V] [--image <id>=<file>…]`; a string is a usage error. */
export function parseArgs(
  argv: readonly string[],
): { dir: string; version: string; images: Record<string, string> } | string {
  const out = { dir: "", version: VERSION, images: {} as Record<string, string> };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--version") out.version = argv[++i] ?? "";
    else if (a === "--image") {
      const v = argv[++i] ?? "";
      const eq = v.indexOf("=");
      if (eq < 1) return `--image ${v}: expected <lxd|wsl>-<store|machine>=<file>`;
      out.images[v.slice(0, eq)] = v.slice(eq + 1);
    } else if (out.dir === "" && !a.startsWith("-")) out.dir = a;
    else return `unknown argument ${a}`;
  }
  return out.dir
    ? out
    : "usage: make_release.ts <folder> [--version V] [--image lxd-store=<file>…]";
}

if (import.meta.main) {
  const args = parseArgs(Deno.args);
  if (typeof args === "string") {
    console.error(`make_release: ${args}`);
    Deno.exit(2);
  }
  const made = await makeRelease(args.dir, args.version, args.images);
  console.error(`make_release: ${join(args.dir, MANIFEST_FILE)} (version ${made.version})`);
  console.log(renderManifest(made).trimEnd());
}
