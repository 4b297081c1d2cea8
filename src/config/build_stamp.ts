/**
 * What makes a remembered result stale: the modification times of the modules that computed it
 * (a checkout) or of the binary (a compiled codchi). No version: the exec path stays without it.
 */

/** The stamp for results computed by `modules` (file URLs; others are skipped). */
export function buildStamp(modules: URL[]): string {
  const stamps: number[] = [];
  for (const url of modules) {
    if (url.protocol !== "file:") continue;
    try {
      stamps.push(Deno.statSync(url).mtime?.getTime() ?? 0);
    } catch { /* compiled: not on disk */ }
  }
  if (stamps.length === 0) {
    try {
      stamps.push(Deno.statSync(Deno.execPath()).mtime?.getTime() ?? 0);
    } catch { /* no stamp: the version alone */ }
  }
  return stamps.join(",");
}
