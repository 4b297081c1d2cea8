/**
 * Release images for the drivers: which file and sum an image has (embedded sums win over the
 * release's manifest), and the verified file on this host (cached download or local folder).
 */
import { posix, win32 } from "node:path";
import type { Reporter } from "../reporter.ts";
import { NotFoundError, PrerequisiteError, ToolError } from "../errors.ts";
import { downloadVerified, errorChain, fileSha256 } from "./download.ts";
import { embeddedManifest } from "./embedded.ts";
import { releaseFile, type ReleaseLocation } from "./location.ts";
import {
  type ImageEntry,
  type ImageFamily,
  type ImageKind,
  MANIFEST_FILE,
  parseManifest,
  type ReleaseManifest,
} from "./manifest.ts";

/** An image of a release, located and with the sum it must have. */
export interface ImageRef {
  family: ImageFamily;
  kind: ImageKind;
  entry: ImageEntry;
  /** URL or host path of the file in the release. */
  source: string;
  /** Where the sum came from: "embedded" (this binary) or "manifest" (codchi-release.json). */
  trust: "embedded" | "manifest";
}

/** What the drivers ask: an image's reference (cheap), then its verified file (may download). */
export interface ImageProvider {
  /** The image's file name and sum; reads the release's manifest in a development build. */
  describe(family: ImageFamily, kind: ImageKind, reporter?: Reporter): Promise<ImageRef>;
  /** A host path of the verified image file (cached, downloaded or in the local release). */
  obtain(ref: ImageRef, reporter?: Reporter): Promise<string>;
}

/** How the release images are found. */
export interface ReleaseImagesOptions {
  /** Where the release is; a function is called on first use (a bad value fails only then). */
  location: ReleaseLocation | (() => ReleaseLocation);
  /** The cache folder of downloaded images (`Paths.imagesDir`). */
  imagesDir: string;
  os?: "linux" | "windows";
  /** The embedded manifest (default: this binary's; `null` forces a development build). */
  embedded?: ReleaseManifest | null;
  fetch?: typeof fetch;
}

/** Release images from one location, verified by embedded sums when the binary has them. */
export class ReleaseImages implements ImageProvider {
  readonly #o: ReleaseImagesOptions;
  readonly #embedded: ReleaseManifest | undefined;
  #manifest?: Promise<ReleaseManifest>;
  #location?: ReleaseLocation;
  #toldDevelopment = false;

  constructor(o: ReleaseImagesOptions) {
    this.#o = o;
    this.#embedded = o.embedded === null ? undefined : o.embedded ?? embeddedManifest();
  }

  /** Where the release is. */
  get location(): ReleaseLocation {
    const l = this.#o.location;
    this.#location ??= typeof l === "function" ? l() : l;
    return this.#location;
  }

  async describe(family: ImageFamily, kind: ImageKind, reporter?: Reporter): Promise<ImageRef> {
    let manifest = this.#embedded;
    const trust = manifest ? "embedded" : "manifest";
    if (!manifest) {
      if (!this.#toldDevelopment) {
        this.#toldDevelopment = true;
        reporter?.warn(
          "This is a development build of codchi (no image sums compiled in): the image sums " +
            `are taken from ${MANIFEST_FILE} of ${this.#where()}.`,
        );
      }
      manifest = await this.manifest();
    }
    const entry = manifest.images[family]?.[kind];
    if (!entry) {
      throw new NotFoundError(
        `The release ${manifest.version} has no ${family} ${kind} image.`,
        `Use a release that has it, or point CODCHI_${family.toUpperCase()}_${kind.toUpperCase()}_IMAGE at a rootfs tarball.`,
      );
    }
    const source = releaseFile(this.location, entry.file, this.#o.os);
    return { family, kind, entry, source, trust };
  }

  async obtain(ref: ImageRef, reporter?: Reporter): Promise<string> {
    const loc = this.location;
    if (loc.kind === "folder") {
      // A local release is used where it is, after checking its bytes.
      let sum: string;
      try {
        sum = await fileSha256(ref.source);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) {
          throw new NotFoundError(
            `The release folder has no ${ref.source}.`,
            `Check ${loc.origin}: the folder must hold the images its ${MANIFEST_FILE} names.`,
          );
        }
        throw e;
      }
      if (sum !== ref.entry.sha256) {
        throw new ToolError(
          "release",
          `${ref.source} is not the released file: its SHA-256 is ${sum}, expected ${ref.entry.sha256}. Nothing was imported.`,
          "",
          -1,
          "Replace the file with the released one.",
        );
      }
      return ref.source;
    }
    const path = this.#o.os === "windows" ? win32 : posix;
    const target = path.join(this.#o.imagesDir, cacheName(ref.entry));
    return await downloadVerified(ref.source, ref.entry, target, {
      fetch: this.#o.fetch,
      reporter,
    });
  }

  /** The release's manifest (read once per process). */
  manifest(): Promise<ReleaseManifest> {
    this.#manifest ??= this.#readManifest();
    return this.#manifest;
  }

  #where(): string {
    const loc = this.location;
    return loc.kind === "http" ? loc.base : loc.dir;
  }

  async #readManifest(): Promise<ReleaseManifest> {
    const loc = this.location;
    const src = releaseFile(loc, MANIFEST_FILE, this.#o.os);
    let text: string;
    if (loc.kind === "folder") {
      try {
        text = await Deno.readTextFile(src);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) throw noManifest(src, loc.origin);
        throw e;
      }
    } else {
      let res: Response;
      try {
        res = await (this.#o.fetch ?? fetch)(src);
      } catch (e) {
        throw new PrerequisiteError(
          `Cannot reach the release at ${loc.base}: ${errorChain(e)}`,
          `Check the network connection, or point CODCHI_RELEASE_URL at a mirror (${loc.origin} was used).`,
        );
      }
      if (res.status === 404) {
        await res.body?.cancel();
        throw noManifest(src, loc.origin);
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new ToolError("download", `Reading ${src} failed: HTTP ${res.status}.`);
      }
      text = await res.text();
    }
    const m = parseManifest(text);
    if ("problems" in m) {
      throw new ToolError(
        "release",
        `${src} is not a valid release manifest: ${m.problems.join("; ")}.`,
        "",
        -1,
        "Recreate it with scripts/make_release.ts, or use another release.",
      );
    }
    return m;
  }
}

/** The cache file of an image: its sum's prefix and its name, so releases never clash. */
export function cacheName(entry: ImageEntry): string {
  return `${entry.sha256.slice(0, 16)}-${entry.file}`;
}

function noManifest(src: string, origin: string): NotFoundError {
  return new NotFoundError(
    `There is no release at ${src}.`,
    `Check ${origin}; a release folder holds ${MANIFEST_FILE} and the images it names.`,
  );
}
