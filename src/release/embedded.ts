/**
 * The image sums compiled into this binary. `embedded.json` is `{}` in the repository (a
 * development build); the release workflow builds the images first and `scripts/compile.ts
 * --release <folder>` writes their codchi-release.json here before `deno compile`.
 */
import data from "./embedded.json" with { type: "json" };
import { parseManifest, type ReleaseManifest } from "./manifest.ts";

/** The embedded release manifest, or undefined in a development build. */
export function embeddedManifest(raw: unknown = data): ReleaseManifest | undefined {
  if (typeof raw !== "object" || raw === null || Object.keys(raw).length === 0) return undefined;
  const m = parseManifest(JSON.stringify(raw));
  if ("problems" in m) {
    // A broken embedded manifest is a bug of the release build, never silently ignored.
    throw new Error(`the embedded release manifest is broken: ${m.problems.join("; ")}`);
  }
  return m;
}
