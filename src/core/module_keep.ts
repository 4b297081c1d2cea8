/** What `module set --url` carries over from the old source: pure helpers. */
import type { ModuleSource, RefChoice } from "../nix/url.ts";

/** A revision setting of the old source that a new URL would drop. */
export interface Keepable {
  /** `branch/tag`, `tag` or `commit`. */
  what: "branch/tag" | "tag" | "commit";
  value: string;
}

/**
 * The old source's ref and commit that a URL change would drop: none when the user gave
 * `--branch`, `--tag` or `--commit` (those replace them) or the old source pinned nothing.
 */
export function refsToKeep(old: ModuleSource, given: RefChoice): Keepable[] {
  if (given.branch !== undefined || given.tag !== undefined || given.commit !== undefined) {
    return [];
  }
  const out: Keepable[] = [];
  if (old.ref !== undefined) {
    out.push(
      old.ref.startsWith("refs/tags/")
        ? { what: "tag", value: old.ref.slice("refs/tags/".length) }
        : { what: "branch/tag", value: old.ref },
    );
  }
  if (old.rev !== undefined) out.push({ what: "commit", value: old.rev });
  return out;
}

/** The `--branch/--tag/--commit` that re-create the kept settings on the new URL. */
export function keptRefChoice(kept: readonly Keepable[]): RefChoice {
  const choice: RefChoice = {};
  for (const k of kept) {
    if (k.what === "tag") choice.tag = k.value;
    else if (k.what === "branch/tag") choice.branch = k.value;
    else choice.commit = k.value;
  }
  return choice;
}
