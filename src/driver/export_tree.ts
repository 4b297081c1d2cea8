/** What every driver runs in a machine for `codchi tar`: a tar of some folders on stdout. */

/**
 * Shell code (run as root in the machine, folders relative to `/` as arguments) that writes an
 * uncompressed tar of the folders that exist to stdout, owners as numbers. GNU tar's exit 1
 * ("file changed as we read it", a live system) is a warning, not a failure.
 */
export const EXPORT_TREE_SCRIPT = [
  "cd / || exit 1",
  'n=$#; for p in "$@"; do [ -e "$p" ] && set -- "$@" "$p"; done; shift "$n"',
  '[ "$#" -gt 0 ] || { echo "codchi: none of the folders to export exists" >&2; exit 1; }',
  'tar --numeric-owner -cf - "$@"; rc=$?',
  '[ "$rc" -ne 1 ] || { echo "codchi: some files changed while they were read" >&2; rc=0; }',
  'exit "$rc"',
].join("\n");

/** argv that streams the tar of `paths` (absolute paths in the machine) to stdout. */
export function exportTreeArgv(paths: string[]): string[] {
  const rel = paths.map((p) => p.replace(/^\/+/, "")).filter((p) => p !== "" && !p.includes(".."));
  return ["/bin/sh", "-c", EXPORT_TREE_SCRIPT, "codchi-export", ...rel];
}
