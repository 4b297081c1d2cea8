/**
 * What makes a remembered result stale: the modification times of the modules that computed it
 * (a checkout) and of the running binary (a compiled codchi, or deno). No version: the exec path
 * stays without it (a new codchi is a new binary or new modules anyway). Plain path strings, no
 * `URL`: converting file URLs costs more than the stats on the fast paths.
 */

/**
 * The stamp for results computed by `modules` (paths relative to `dir`, the caller's
 * `import.meta.dirname`). When the first is not on disk (a compiled codchi, whose modules are
 * inside the binary; or no `dir`), only the binary counts.
 */
export function buildStamp(dir: string | undefined, modules: readonly string[]): string {
  const stamps: number[] = [];
  if (dir !== undefined) {
    for (const m of modules) {
      try {
        stamps.push(Deno.statSync(`${dir}/${m}`).mtime?.getTime() ?? 0);
      } catch {
        if (stamps.length === 0) break; // not on disk: compiled
      }
    }
  }
  try {
    stamps.push(Deno.statSync(Deno.execPath()).mtime?.getTime() ?? 0);
  } catch { /* cannot happen for a running binary; the modules' stamps still count */ }
  return stamps.join(",");
}
