/**
 * What makes a remembered result stale: the modification times of the modules that computed it
 * (a checkout) and of the running binary (a compiled codchi, or deno). No version: the exec path
 * stays without it (a new codchi is a new binary or new modules anyway).
 */

/** The stamp for results computed by `modules` (file URLs; others, or missing ones, skipped). */
export function buildStamp(modules: URL[]): string {
  const stamps: number[] = [];
  for (const file of [...modules.filter((u) => u.protocol === "file:"), Deno.execPath()]) {
    try {
      stamps.push(Deno.statSync(file).mtime?.getTime() ?? 0);
    } catch { /* compiled: not on disk */ }
  }
  return stamps.join(",");
}
