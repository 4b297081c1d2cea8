/**
 * Turns a folder of images into a release folder: writes `codchi-release.json` (file, SHA-256,
 * size of each image) next to them. Image files are recognised by name:
 * `<family>-<kind>` or `<kind>-<family>` (optionally prefixed `codchi-`), e.g. `store-lxd.tar.gz`,
 * `codchi-wsl-machine.tar.xz`. `--image lxd-store=<file>` links a file into the folder first.
 *   deno run -A scripts/make_release.ts <folder> [--version V] [--image <family>-<kind>=<file>…]
 * Used by the release workflow, the tests and the bench.
 */
import { basename, join, resolve } from "node:path";
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

if (import.meta.main) {
  const args = [...Deno.args];
  let dir: string | undefined, version = VERSION;
  const images: Record<string, string> = {};
  while (args.length) {
    const a = args.shift()!;
    if (a === "--version") version = args.shift() ?? "";
    else if (a === "--image") {
      const [id, file] = (args.shift() ?? "").split(/=(.*)/s);
      images[id] = file;
    } else if (!dir && !a.startsWith("-")) dir = a;
    else {
      console.error(`make_release: unknown argument ${a}`);
      Deno.exit(2);
    }
  }
  if (!dir) {
    console.error("usage: make_release.ts <folder> [--version V] [--image lxd-store=<file>…]");
    Deno.exit(2);
  }
  const m = await makeRelease(dir, version, images);
  console.error(
    `make_release: ${join(dir, MANIFEST_FILE)} (${basename(dir)}, version ${m.version})`,
  );
  console.log(renderManifest(m).trimEnd());
}
