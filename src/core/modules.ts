/** A machine's modules: discovery in the store, add, set, delete, list. */
import type { MachineConfig, Module } from "../config/schema.ts";
import type { Driver } from "../driver/types.ts";
import { ConflictError, NotFoundError, ToolError, UsageError } from "../errors.ts";
import type { InputOptions } from "./types.ts";
import {
  credentialHost,
  defaultModuleName,
  discoverModulesArgv,
  displayUrl,
  type FetchCredentials,
  flakeUrl,
  type ModuleSource,
  parseAuth,
  parseModuleNames,
  parseModuleUrl,
} from "../nix/mod.ts";
import { TOKEN_SCOPE } from "../secrets/types.ts";
import { registerSecret } from "../process.ts";
import type { CoreContext } from "./context.ts";
import { loadMachine, saveMachine } from "./machines.ts";
import { withMachine } from "./journal_ops.ts";
import { storeNix } from "./nix_ops.ts";
import { readStdinText } from "./machine_secrets.ts";
import { credentialsFor } from "./credentials.ts";

/** A row of `codchi module list` (JSON keys as in the reference). */
export interface ModuleRow {
  name: string;
  url: string;
  flake_module: string;
}

/** Normalizes a module path: `x` → `nixosModules.x`; anything odd is a UsageError. */
export function normalizeModulePath(p: string): string {
  const full = /^(nixosModules|codchiModules)\./.test(p) ? p : `nixosModules.${p}`;
  if (!/^(nixosModules|codchiModules)\.[A-Za-z_][A-Za-z0-9_'-]*$/.test(full)) {
    throw new UsageError(
      `"${p}" is not a module path.`,
      "Module paths look like nixosModules.<name> (or codchiModules.<name>).",
    );
  }
  return full;
}

/** The flake URL of a module as the store sees it. */
export function moduleFlakeUrl(driver: Driver, machine: string, src: ModuleSource): string {
  return flakeUrl(src, { localRoot: driver.store.view.machineHome(machine) });
}

async function storeToken(ctx: CoreContext, url: string, auth: string): Promise<boolean> {
  const host = credentialHost(parseModuleUrl(url, { auth: true }));
  if (!host) throw new UsageError("--auth is only for remote repositories.");
  const value = auth === "-" ? (await readStdinText()).trim() : auth;
  const { token } = parseAuth(value);
  registerSecret(token);
  await (await ctx.secrets()).set(TOKEN_SCOPE, host, value);
  return true;
}

/** Lists `nixosModules` (and `codchiModules`) of a flake, evaluated in the store. */
async function discover(
  ctx: CoreContext,
  driver: Driver,
  url: string,
  creds?: FetchCredentials,
): Promise<string[]> {
  const found: string[] = [];
  for (const attr of ["nixosModules", "codchiModules"]) {
    const out = await storeNix(driver, discoverModulesArgv(url, attr), ctx.reporter, {
      check: attr === "nixosModules",
      creds,
    }).catch((e) => {
      throw e instanceof ToolError
        ? new ToolError(
          "nix",
          `Could not read the modules of ${url}.`,
          e.stderrTail,
          e.code,
          "Check the URL, the branch and your access (--auth).",
          { cause: e },
        )
        : e;
    });
    if (out.code !== 0) continue;
    for (const n of parseModuleNames(out.text)) found.push(`${attr}.${n}`);
  }
  return found;
}

/** Turns a URL and module paths into modules (discovering and asking when paths are absent). */
export async function resolveModules(
  ctx: CoreContext,
  driver: Driver,
  cfg: MachineConfig,
  url: string,
  modulePaths: string[],
  input: InputOptions,
): Promise<{ modules: Module[]; nixpkgsFrom?: string }> {
  const refs = { branch: input.branch, tag: input.tag, commit: input.commit };
  const probe = parseModuleUrl(url, refs);
  let paths = modulePaths.map(normalizeModulePath);
  if (paths.length === 0 && input.dontPrompt) {
    throw new UsageError(
      "With --dont-prompt, module paths are mandatory.",
      `Example: codchi init ${cfg.name} ${url} nixosModules.default`,
    );
  }
  if (input.useNixpkgs === "remote" && probe.kind === "local") {
    throw new UsageError("--use-nixpkgs remote needs a remote module.");
  }
  if (input.auth) await storeToken(ctx, url, input.auth);
  const creds = await credentialsFor(ctx, [probe]);
  const src = creds ? parseModuleUrl(url, { ...refs, auth: true }) : probe;
  if (paths.length === 0) {
    await driver.store.ensureRunning(ctx.reporter);
    ctx.reporter.step(`Looking for modules in ${displayUrl(src)}`);
    const found = await discover(ctx, driver, moduleFlakeUrl(driver, cfg.name, src), creds);
    if (found.length === 0) throw new NotFoundError(`${displayUrl(src)} exports no nixosModules.`);
    if (found.length === 1) paths = found;
    else {
      const pick = await ctx.prompter.choose(
        `${displayUrl(src)} has several modules. Which one?`,
        found,
      );
      if (!pick) {
        throw new UsageError(
          `${displayUrl(src)} has several modules: ${found.join(", ")}.`,
          `Name the ones you want after the URL, e.g. codchi init ${cfg.name} ${url} ${found[0]}`,
        );
      }
      paths = [pick];
    }
  }
  const taken = new Set(cfg.modules.map((m) => m.name));
  const modules = paths.map((p) => {
    let name = defaultModuleName(src, p.split(".")[1]);
    for (let i = 2; taken.has(name); i++) name = `${defaultModuleName(src, p.split(".")[1])}-${i}`;
    taken.add(name);
    return { name, source: src, modulePath: p };
  });
  let nixpkgsFrom: string | undefined;
  if (input.useNixpkgs === "remote") {
    if (src.kind === "local") throw new UsageError("--use-nixpkgs remote needs a remote module.");
    nixpkgsFrom = modules[0].name;
  }
  return { modules, nixpkgsFrom };
}

/** `codchi module list`. */
export async function listModules(ctx: CoreContext, machine: string): Promise<ModuleRow[]> {
  const cfg = await loadMachine(await ctx.paths(), machine);
  return cfg.modules.map((m) => ({
    name: m.name,
    url: displayUrl(m.source),
    flake_module: m.modulePath,
  }));
}

async function rebuildAfter(ctx: CoreContext, machine: string, build: boolean | undefined) {
  if (build === false) return "Modified";
  const { buildAndActivate, writeFlake } = await import("./build.ts");
  const driver = await ctx.driver();
  const cfg = await loadMachine(await ctx.paths(), machine);
  await writeFlake(ctx, driver, cfg);
  await buildAndActivate(ctx, driver, machine, { update: false });
  return "UpToDate";
}

/** `codchi module add`. */
export async function addModule(
  ctx: CoreContext,
  machine: string,
  url: string,
  modulePaths: string[],
  input: InputOptions,
) {
  const paths = await ctx.paths();
  parseModuleUrl(url, { branch: input.branch, tag: input.tag, commit: input.commit });
  modulePaths.forEach(normalizeModulePath);
  await loadMachine(paths, machine);
  return await withMachine(ctx, machine, async () => {
    const cfg = await loadMachine(paths, machine);
    const driver = await ctx.driver();
    const res = await resolveModules(ctx, driver, cfg, url, modulePaths, input);
    cfg.modules.push(...res.modules);
    if (res.nixpkgsFrom) cfg.nixpkgsFrom = res.nixpkgsFrom;
    await saveMachine(paths, cfg);
    const { writeFlake } = await import("./build.ts");
    await writeFlake(ctx, driver, cfg);
    const status = await rebuildAfter(ctx, machine, input.build);
    return { machine, added: res.modules.map((m) => m.name), status };
  });
}

/** `codchi module set`. */
export async function setModule(
  ctx: CoreContext,
  machine: string,
  module: string,
  opts: InputOptions & { url?: string; newName?: string; modulePath?: string },
) {
  const paths = await ctx.paths();
  if (opts.url !== undefined) {
    parseModuleUrl(opts.url, { branch: opts.branch, tag: opts.tag, commit: opts.commit });
  }
  if (opts.modulePath !== undefined) normalizeModulePath(opts.modulePath);
  await loadMachine(paths, machine);
  return await withMachine(ctx, machine, async () => {
    const cfg = await loadMachine(paths, machine);
    const i = cfg.modules.findIndex((m) => m.name === module);
    if (i < 0) {
      throw new NotFoundError(
        `Machine "${machine}" has no module "${module}".`,
        `See: codchi module list ${machine}`,
      );
    }
    const m = { ...cfg.modules[i] };
    if (opts.auth) await storeToken(ctx, opts.url ?? displayUrl(m.source), opts.auth);
    if (opts.url || opts.branch || opts.tag || opts.commit) {
      const url = opts.url ?? displayUrl(m.source);
      m.source = parseModuleUrl(url, { branch: opts.branch, tag: opts.tag, commit: opts.commit });
    }
    if (opts.modulePath) m.modulePath = normalizeModulePath(opts.modulePath);
    if (opts.newName) {
      if (!/^[a-zA-Z][a-zA-Z0-9_-]*$/.test(opts.newName)) {
        throw new UsageError(
          `"${opts.newName}" is not a module name.`,
          "Use letters, digits, - and _, starting with a letter.",
        );
      }
      if (cfg.modules.some((o) => o.name === opts.newName)) {
        throw new ConflictError(`Module "${opts.newName}" exists already.`);
      }
      if (cfg.nixpkgsFrom === m.name) cfg.nixpkgsFrom = opts.newName;
      m.name = opts.newName;
    }
    cfg.modules[i] = m;
    await saveMachine(paths, cfg);
    const { writeFlake } = await import("./build.ts");
    await writeFlake(ctx, await ctx.driver(), cfg);
    const status = await rebuildAfter(ctx, machine, opts.build);
    return { machine, name: m.name, url: displayUrl(m.source), flake_module: m.modulePath, status };
  });
}

/** `codchi module delete`. */
export async function deleteModule(
  ctx: CoreContext,
  machine: string,
  module: string,
  opts: { build?: boolean },
) {
  const paths = await ctx.paths();
  await loadMachine(paths, machine);
  return await withMachine(ctx, machine, async () => {
    const cfg = await loadMachine(paths, machine);
    if (!cfg.modules.some((m) => m.name === module)) {
      throw new NotFoundError(
        `Machine "${machine}" has no module "${module}".`,
        `See: codchi module list ${machine}`,
      );
    }
    cfg.modules = cfg.modules.filter((m) => m.name !== module);
    if (cfg.nixpkgsFrom === module) cfg.nixpkgsFrom = "local";
    await saveMachine(paths, cfg);
    const { writeFlake } = await import("./build.ts");
    await writeFlake(ctx, await ctx.driver(), cfg);
    const status = await rebuildAfter(ctx, machine, opts.build);
    return { machine, removed: module, status };
  });
}
