/**
 * `codchi clone`: a machine whose module is a git checkout in its home. The store's git clones
 * (with the keychain's token on stdin, as nix gets it), the checkout is handed to the machine
 * user, the module points at it, and only then is the machine built (once). Any failure removes
 * the whole machine again.
 */
import type { Module } from "../config/schema.ts";
import type { Driver } from "../driver/types.ts";
import { NotImplementedError, ToolError, UsageError } from "../errors.ts";
import type { InputOptions } from "./types.ts";
import { displayUrl, type ModuleSource, parseModuleUrl, withCredentialsArgv } from "../nix/mod.ts";
import type { CoreContext } from "./context.ts";
import { buildAndActivate, writeFlake } from "./build.ts";
import { deleteMachine, initMachine, type MachineResult } from "./lifecycle.ts";
import { loadMachine, saveMachine, withMachineLock } from "./machines.ts";
import { normalizeModulePath } from "./modules.ts";
import { credentialsFor } from "./credentials.ts";

/** git clone's own options (`clone --depth …`). */
export interface GitCloneOptions {
  depth?: number;
  singleBranch: boolean;
  recurseSubmodules: boolean;
  shallowSubmodules: boolean;
}

/** What `codchi clone` was asked. */
export interface CloneRequest {
  name: string;
  url: string;
  modulePaths: string[];
  input: InputOptions;
  git: GitCloneOptions;
  /** Folder in the machine's home (default: the repo's name). */
  dir?: string;
  /** Keep the remote module instead of switching to the checkout. */
  keepRemote: boolean;
  /** Run the machine's init script at first start (`-n` turns it off). */
  runInit: boolean;
}

/** The checkout folder (relative to the machine's home): `--dir` or the repo's name. */
export function cloneDir(url: string, dir?: string): string {
  const d = dir ??
    url.replace(/[?#].*$/, "").replace(/\/+$/, "").split(/[/:]/).pop()?.replace(/\.git$/, "");
  if (
    !d || d.startsWith("/") || d.startsWith("~") || d.startsWith("-") ||
    d.split("/").some((s) => s === ".." || s === "." || s === "") ||
    // deno-lint-ignore no-control-regex
    /[\x00-\x1f\x7f\\]/.test(d)
  ) {
    throw new UsageError(
      `"${dir ?? url}" is not usable as a folder in the machine's home.`,
      "Pass --dir <folder>, a relative path such as projects/app.",
    );
  }
  return d;
}

/** The https URL git clones a remote source from (no credentials: those go to the helper). */
export function cloneUrl(src: ModuleSource): string {
  if (src.kind === "local") {
    throw new UsageError(
      `clone needs a remote repository, not the local folder "${src.path}".`,
      "Give the repository's https URL, e.g. https://github.com/acme/app.",
    );
  }
  return displayUrl(src);
}

/** The branch or tag `git clone --branch` takes for a source (tags as `refs/tags/x` → `x`). */
export function cloneBranch(input: InputOptions): string | undefined {
  return input.tag ?? input.branch;
}

/** git clone argv (run in the store into `target`; argv, never a shell string). */
export function cloneArgv(
  url: string,
  target: string,
  git: GitCloneOptions,
  input: InputOptions,
): string[] {
  const argv = ["git", "clone", "--quiet"];
  if (git.depth !== undefined) argv.push("--depth", String(git.depth));
  if (git.singleBranch) argv.push("--single-branch");
  if (git.recurseSubmodules) argv.push("--recurse-submodules");
  if (git.shallowSubmodules) argv.push("--shallow-submodules");
  const branch = cloneBranch(input);
  if (branch !== undefined) argv.push("--branch", branch);
  argv.push("--", url, target);
  return argv;
}

/** Checks out exactly `commit` (detached) in the checkout at `target`. */
export function checkoutArgv(target: string, commit: string): string[] {
  return [
    "git",
    "-C",
    target,
    "-c",
    "advice.detachedHead=false",
    "checkout",
    "--quiet",
    "--detach",
    commit,
    "--",
  ];
}

/** Hands `path` (recursively, links not followed) to `owner`. */
export function chownArgv(path: string, owner: { uid: number; gid: number }): string[] {
  return ["chown", "-R", `${owner.uid}:${owner.gid}`, path];
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

/**
 * Clones `src` with the store's git straight into the machine's home as the store sees it (the
 * token from the keychain reaches git through the credential helper on stdin, as for nix), checks
 * out `--commit`, and gives the checkout to the machine user.
 */
export async function cloneIntoHome(
  ctx: CoreContext,
  driver: Driver,
  machine: string,
  src: ModuleSource,
  dir: string,
  git: GitCloneOptions,
  input: InputOptions,
): Promise<void> {
  const home = driver.store.view.machineHome(machine);
  const target = `${home}/${dir}`;
  const url = cloneUrl(src);
  await driver.store.ensureRunning(ctx.reporter);
  ctx.reporter.step(`Cloning ${url} into ~/${dir}`);
  const creds = await credentialsFor(ctx, [src]);
  const argv = cloneArgv(url, target, git, input);
  const out = await driver.store.run(creds ? withCredentialsArgv(argv) : argv, {
    check: false,
    stdin: creds?.stdin,
    secrets: creds?.secrets,
    env: { GIT_TERMINAL_PROMPT: "0" },
  });
  if (out.code !== 0) {
    throw new ToolError(
      "git",
      `git clone of ${url} failed`,
      out.errText.trim(),
      out.code,
      "Check the URL, the branch or tag, and your access (--auth <token>).",
    );
  }
  if (input.commit) {
    const co = await driver.store.run(checkoutArgv(target, input.commit), { check: false });
    if (co.code !== 0) {
      throw new ToolError(
        "git",
        `Commit ${input.commit} is not in ${url}${git.depth ? ` (cloned with --depth)` : ""}`,
        co.errText.trim(),
        co.code,
        "Copy the full hash of a commit of that repository (without --depth).",
      );
    }
  }
  const top = `${home}/${dir.split("/")[0]}`;
  await driver.store.run(chownArgv(top, driver.store.view.machineOwner));
}

/**
 * `codchi clone`: the machine's config with the remote module, the checkout in its home, the
 * module switched to the checkout (unless `keepRemote`), then one build (none with `-N`) — all
 * inside `init`'s journaled run, so any failure or Ctrl-C removes the whole machine. Where the
 * store sees a machine's home only while the machine runs (WSL), the machine is built from the
 * remote module first, then cloned and rebuilt; a failure there deletes the machine.
 */
export async function cloneMachine(
  ctx: CoreContext,
  req: CloneRequest,
): Promise<MachineResult & { dir: string }> {
  const refs = { branch: req.input.branch, tag: req.input.tag, commit: req.input.commit };
  const src = parseModuleUrl(req.url, refs);
  cloneUrl(src);
  const dir = cloneDir(req.url, req.dir);
  req.modulePaths.forEach(normalizeModulePath);
  const driver = await ctx.driver();
  const name = req.name;
  const init = { name, url: req.url, modulePaths: req.modulePaths, runInit: req.runInit };
  const paths = await ctx.paths();
  /** Clones into the home and points the module at the checkout. */
  const cloneAndSwitch = async (check: () => void) => {
    const cfg = await loadMachine(paths, name);
    const remote = cfg.modules[0]?.source ?? src;
    await cloneIntoHome(ctx, driver, name, remote, dir, req.git, req.input);
    check();
    if (req.keepRemote) return;
    cfg.modules = localModules(cfg.modules, remote, dir);
    await saveMachine(paths, cfg);
    await writeFlake(ctx, driver, cfg);
  };
  if (!driver.managesMachineData) {
    const res = await initMachine(ctx, {
      ...init,
      input: req.input,
      prepare: (_driver, check) => cloneAndSwitch(check),
    });
    return { ...res, dir };
  }
  if (req.input.build === false) {
    throw new NotImplementedError(
      `clone --no-build is not possible with the ${driver.name} driver: the machine's home ` +
        `exists only once the machine is built.`,
      `Run without -N, or: codchi init ${name} ${req.url} -N, then clone by hand.`,
    );
  }
  await initMachine(ctx, { ...init, input: req.input });
  try {
    const res = await withMachineLock(paths, name, async () => {
      await cloneAndSwitch(() => {});
      const built = await buildAndActivate(ctx, driver, name, { update: false });
      return { name, status: "UpToDate" as const, system: built.system };
    });
    return { ...res, dir };
  } catch (e) {
    ctx.reporter.step(`Removing what was made for "${name}"`);
    await deleteMachine(ctx, name, { sure: true }).catch((err) =>
      ctx.reporter.warn(`Cleanup of "${name}" was incomplete: ${(err as Error).message}`)
    );
    throw e;
  }
}
