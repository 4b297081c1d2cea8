/**
 * The identity of codchi's driver flake (recorded at each build, compared by `status`): light,
 * with WebCrypto instead of node:crypto, so `status` loads no Node compatibility.
 */
import { concatBytes } from "../bytes.ts";
import { sha256 } from "../config/store.ts";

/** A `file:` URL as a host path (POSIX, or a Windows drive/UNC path). */
function fileUrlPath(url: URL): string {
  const p = decodeURIComponent(url.pathname);
  if (Deno.build.os !== "windows") return p;
  const win = /^\/[A-Za-z]:/.test(p) ? p.slice(1) : url.host ? `//${url.host}${p}` : p;
  return win.replaceAll("/", "\\");
}

/**
 * codchi's own driver flake: the `nix/` folder next to the sources, which `deno compile
 * --include nix` embeds in the binary. Machines use a copy of it (see `driverFlakeUrl`).
 */
export function embeddedDriverDir(): string {
  return fileUrlPath(new URL("../../nix", import.meta.url));
}

/** Where the machines' `codchi_driver` input comes from: a host folder (copied) or a flake URL. */
export type DriverSource = { kind: "folder"; dir: string } | { kind: "url"; url: string };

/** The driver flake of this invocation: `CODCHI_DRIVER_FLAKE` (a URL or a folder), else codchi's own. */
export function driverSource(
  env: Record<string, string | undefined>,
  embedded: string = embeddedDriverDir(),
): DriverSource {
  const v = env.CODCHI_DRIVER_FLAKE;
  if (!v) return { kind: "folder", dir: embedded };
  return v.startsWith("/") ? { kind: "folder", dir: v } : { kind: "url", url: v };
}

/**
 * The identity of a driver flake, recorded at each build: the SHA-256 of a folder's files, or
 * the URL. A machine built with another identity has updates (a new codchi brings a new driver).
 */
export async function driverId(
  src: DriverSource,
  tree: (dir: string) => Promise<string> = treeHash,
): Promise<string> {
  return src.kind === "url" ? `url:${src.url}` : `sha256:${await tree(src.dir)}`;
}

/** SHA-256 over the relative paths and contents of the files below `dir` (sorted). */
export async function treeHash(dir: string): Promise<string> {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  // Synchronous reads: a few dozen small files, read faster than with one async op each.
  const walk = (d: string, rel: string) => {
    const entries = [...Deno.readDirSync(d)].sort((a, b) => a.name < b.name ? -1 : 1);
    for (const e of entries) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory) walk(`${d}/${e.name}`, r);
      else if (e.isFile) {
        const bytes = Deno.readFileSync(`${d}/${e.name}`);
        chunks.push(enc.encode(`${r}\0${bytes.length}\0`), bytes);
      } else if (e.isSymlink) {
        chunks.push(enc.encode(`${r}\0-> ${Deno.readLinkSync(`${d}/${e.name}`)}\0`));
      }
    }
  };
  walk(dir, "");
  return await sha256(concatBytes(chunks));
}
