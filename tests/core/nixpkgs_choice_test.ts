/** The nixpkgs decision of module add/set and what `module set --url` keeps (pure). */
import { deepStrictEqual, equal, throws } from "node:assert/strict";
import { applyNixpkgs, decideNixpkgs, needsNixpkgsProbe } from "../../src/core/nixpkgs_choice.ts";
import { keptRefChoice, refsToKeep } from "../../src/core/module_keep.ts";
import { UsageError } from "../../src/errors.ts";
import { parseModuleUrl } from "../../src/nix/url.ts";

const base = { module: "app", remote: true, current: "local" };

Deno.test("nixpkgs: local always wins, without looking at the flake", () => {
  for (const current of ["local", "other"]) {
    const f = { ...base, current, requested: "local" as const };
    equal(needsNixpkgsProbe(f), false);
    deepStrictEqual(decideNixpkgs(f), { kind: "local" });
    equal(applyNixpkgs(current, decideNixpkgs(f)), "local");
  }
});

Deno.test("nixpkgs: remote needs a remote module whose flake has a nixpkgs input", () => {
  const f = { ...base, requested: "remote" as const };
  equal(needsNixpkgsProbe(f), true);
  deepStrictEqual(decideNixpkgs({ ...f, hasNixpkgs: true }), { kind: "remote", module: "app" });
  throws(() => decideNixpkgs({ ...f, hasNixpkgs: false }), UsageError);
  throws(() => decideNixpkgs({ ...f, remote: false }), UsageError);
  equal(needsNixpkgsProbe({ ...f, remote: false }), false);
  // explicit remote replaces another module's nixpkgs
  equal(
    applyNixpkgs("other", decideNixpkgs({ ...f, current: "other", hasNixpkgs: true })),
    "app",
  );
});

Deno.test("nixpkgs: auto takes the module's own nixpkgs when its flake has one (as Codchi)", () => {
  const f = { ...base, requested: undefined };
  equal(needsNixpkgsProbe(f), true);
  deepStrictEqual(decideNixpkgs({ ...f, hasNixpkgs: true }), { kind: "remote", module: "app" });
  deepStrictEqual(decideNixpkgs({ ...f, hasNixpkgs: false }), { kind: "keep" });
  equal(applyNixpkgs("local", decideNixpkgs({ ...f, hasNixpkgs: false })), "local");
});

Deno.test("nixpkgs: auto keeps a machine that already follows a module; local modules stay local", () => {
  const follows = { ...base, requested: undefined, current: "other" };
  equal(needsNixpkgsProbe(follows), false);
  deepStrictEqual(decideNixpkgs({ ...follows, hasNixpkgs: true }), { kind: "keep" });
  equal(applyNixpkgs("other", { kind: "keep" }), "other");
  const local = { ...base, requested: undefined, remote: false };
  equal(needsNixpkgsProbe(local), false);
  deepStrictEqual(decideNixpkgs(local), { kind: "keep" });
});

Deno.test("module set --url: the old branch, tag and commit are offered for keeping", () => {
  const branch = parseModuleUrl("https://github.com/a/b", { branch: "dev" });
  deepStrictEqual(refsToKeep(branch, {}), [{ what: "branch/tag", value: "dev" }]);
  const tag = parseModuleUrl("https://git.example.org/a/b", { tag: "v1" });
  deepStrictEqual(refsToKeep(tag, {}), [{ what: "tag", value: "v1" }]);
  const rev = "a".repeat(40);
  const both = parseModuleUrl("https://git.example.org/a/b", { branch: "x", commit: rev });
  const kept = refsToKeep(both, {});
  deepStrictEqual(kept, [{ what: "branch/tag", value: "x" }, { what: "commit", value: rev }]);
  deepStrictEqual(keptRefChoice(kept), { branch: "x", commit: rev });
  // the kept settings re-create the same pin on the new URL
  const moved = parseModuleUrl("https://git.example.net/c/d", keptRefChoice(refsToKeep(tag, {})));
  equal(moved.ref, "refs/tags/v1");
  // given refs replace the old ones; nothing pinned: nothing to ask
  deepStrictEqual(refsToKeep(both, { branch: "y" }), []);
  deepStrictEqual(refsToKeep(both, { commit: rev }), []);
  deepStrictEqual(refsToKeep(parseModuleUrl("github:a/b"), {}), []);
});
