/** Which nixpkgs a machine uses after `module add` / `module set`: a pure decision. */
import { UsageError } from "../errors.ts";

/** What `--use-nixpkgs` asked for; undefined: decide (as Codchi does). */
export type NixpkgsRequest = "local" | "remote" | undefined;

/** The outcome: codchi's pinned nixpkgs, a module's own, or the machine's choice unchanged. */
export type NixpkgsDecision =
  | { kind: "local" }
  | { kind: "remote"; module: string }
  | { kind: "keep" };

/** The facts the decision rests on. */
export interface NixpkgsFacts {
  /** `--use-nixpkgs`, if given. */
  requested: NixpkgsRequest;
  /** The machine's current `nixpkgsFrom` ("local" or a module name). */
  current: string;
  /** The (first) module being added or changed. */
  module: string;
  /** False for a module in the machine's home (its flake may not exist yet). */
  remote: boolean;
  /** Whether the module's flake has a `nixpkgs` input; undefined when it was not looked at. */
  hasNixpkgs?: boolean;
}

/**
 * True when the decision needs to know whether the module's flake has a `nixpkgs` input: an
 * explicit `remote`, or no request while the machine still uses codchi's nixpkgs.
 */
export function needsNixpkgsProbe(f: Omit<NixpkgsFacts, "hasNixpkgs">): boolean {
  if (!f.remote) return false;
  return f.requested === "remote" || (f.requested === undefined && f.current === "local");
}

/**
 * The decision. `local` always wins; `remote` needs a remote module whose flake has a `nixpkgs`
 * input; without a request, a machine on codchi's nixpkgs switches to the module's own when its
 * flake has one, and a machine that already follows a module keeps it.
 */
export function decideNixpkgs(f: NixpkgsFacts): NixpkgsDecision {
  if (f.requested === "local") return { kind: "local" };
  if (f.requested === "remote") {
    if (!f.remote) {
      throw new UsageError(
        "--use-nixpkgs remote needs a remote module.",
        "A module in the machine's home uses codchi's nixpkgs (--use-nixpkgs local).",
      );
    }
    if (f.hasNixpkgs === false) {
      throw new UsageError(
        `The flake of the module "${f.module}" has no nixpkgs input.`,
        "Use --use-nixpkgs local (codchi's pinned nixpkgs).",
      );
    }
    return { kind: "remote", module: f.module };
  }
  if (f.current === "local" && f.remote && f.hasNixpkgs === true) {
    return { kind: "remote", module: f.module };
  }
  return { kind: "keep" };
}

/** The machine's new `nixpkgsFrom` after a decision. */
export function applyNixpkgs(current: string, d: NixpkgsDecision): string {
  return d.kind === "keep" ? current : d.kind === "local" ? "local" : d.module;
}
