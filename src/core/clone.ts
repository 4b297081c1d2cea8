/** `codchi clone` planning: the git argv, the checkout folder, the switch to local modules. */
import type { Module } from "../config/schema.ts";
import { UsageError } from "../errors.ts";
import type { InputOptions } from "../cli/options.ts";

/** The checkout folder (relative to the machine's home): `--dir` or the repo's name. */
export function cloneDir(url: string, dir?: string): string {
  const d = dir ??
    url.replace(/[?#].*$/, "").replace(/\/+$/, "").split("/").pop()?.replace(/\.git$/, "");
  if (
    !d || d.startsWith("/") || d.startsWith("~") || d.split("/").includes("..") || d.includes("\0")
  ) {
    throw new UsageError(
      `"${dir ?? url}" is not usable as a folder in the machine's home.`,
      "Pass --dir <folder>.",
    );
  }
  return d;
}

/** git clone argv, run as the machine user in its home (argv, never a shell string). */
export function cloneArgv(
  url: string,
  dir: string,
  git: {
    depth?: number;
    singleBranch: boolean;
    recurseSubmodules: boolean;
    shallowSubmodules: boolean;
  },
  input: InputOptions,
): string[] {
  const argv = ["git", "clone"];
  if (git.depth !== undefined) argv.push("--depth", String(git.depth));
  if (git.singleBranch) argv.push("--single-branch");
  if (git.recurseSubmodules) argv.push("--recurse-submodules");
  if (git.shallowSubmodules) argv.push("--shallow-submodules");
  if (input.branch) argv.push("--branch", input.branch);
  if (input.tag) argv.push("--branch", input.tag);
  argv.push("--", url, dir);
  return argv;
}

/** The modules that came from the remote `source`, switched to the local checkout `dir`. */
export function localModules(modules: Module[], source: Module["source"], dir: string): Module[] {
  const same = JSON.stringify(source);
  return modules.map((m) =>
    JSON.stringify(m.source) === same
      ? { ...m, source: { kind: "local" as const, path: dir, scheme: "git" as const } }
      : m
  );
}
