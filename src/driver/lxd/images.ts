/** Which store and machine rootfs images LXD gets (override or release), and their aliases (pure). */

/** The two images codchi imports into LXD. */
export type ImageKind = "store" | "machine";

/** Environment variables that point at a local image tarball instead of the release's. */
export const IMAGE_ENV: Record<ImageKind, string> = {
  store: "CODCHI_LXD_STORE_IMAGE",
  machine: "CODCHI_LXD_MACHINE_IMAGE",
};

/** A local tarball (an override), or the release's image. */
export type ImageSource = { kind: ImageKind; file: string } | { kind: ImageKind; release: true };

/** The source of an image: the environment's tarball when set, else the release. */
export function imageSource(
  kind: ImageKind,
  env: Record<string, string | undefined>,
): ImageSource {
  const file = env[IMAGE_ENV[kind]];
  if (file) return { kind, file };
  return { kind, release: true };
}

/** The LXD alias of an image: kind plus a short key of its identity (content or file stamp). */
export function imageAlias(kind: ImageKind, key: string): string {
  return `codchi-${kind}-${key.replace(/[^a-z0-9]/gi, "").slice(0, 16).toLowerCase()}`;
}

/** The identity of a local tarball without reading it: path, size and modification time. */
export function fileStamp(file: string, size: number, mtimeMs: number): string {
  return `${file}\0${size}\0${Math.trunc(mtimeMs)}`;
}
