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
  flakeMetadataArgv,
  flakeUrl,
  type ModuleSource,
  parseAuth,
  parseFlakeMetadata,
  parseModuleNames,
  parseModuleUrl,
} from "../nix/mod.ts";
import {
  applyNixpkgs,
  decideNixpkgs,
  needsNixpkgsProbe,
  type NixpkgsDecision,
} from "./nixpkgs_choice.ts";
import { keptRefChoice, refsToKeep } from "./module_keep.ts";
import type { RefChoice } from "../nix/url.ts";
import { TOKEN_SCOPE } from "../secrets/types.ts";
import { registerSecret } from "../process.ts";
import type { CoreContext } from "./context.ts";
import { loadMachine, saveMachine } from "./machines.ts";
import { withMachine } from "./journal_ops.ts";
import { nixSettings, storeNix } from "./nix_ops.ts";
import { type Caches, cachesToOffer, nixConfigCaches, NO_CACHES } from "../nix/caches.ts";
import { readNixConfigArgv } from "../nix/argv.ts";
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
      ...(await nixSettings(ctx)),
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

/** What codchi reads of a module's flake: its own nixpkgs input, the caches it asks for. */
interface FlakeInfo {
  hasNixpkgs: boolean;
  caches: Caches;
}

/** `nix flake metadata` of a module's flake in the store, then its `nixConfig`. */
async function flakeInfo(
  ctx: CoreContext,
  driver: Driver,
  url: string,
  creds?: FetchCredentials,
): Promise<FlakeInfo> {
  const settings = await nixSettings(ctx);
  const out = await storeNix(driver, flakeMetadataArgv(url), ctx.reporter, {
    creds,
    ...settings,
  }).catch((e) => {
    throw e instanceof ToolError
      ? new ToolError(
        "nix",
        `Could not read the flake of ${url}.`,
        e.stderrTail,
        e.code,
        "Check the URL, the branch and your access (--auth).",
      )
      : e;
  });
  const meta = parseFlakeMetadata(out.text);
  let caches: Caches = NO_CACHES;
  if (meta.path) {
    const cfg = await storeNix(driver, readNixConfigArgv(meta.path), ctx.reporter, {
      check: false,
      ...settings,
    });
    if (cfg.code === 0) {
      try {
        caches = nixConfigCaches(JSON.parse(cfg.text));
      } catch { /* no usable nixConfig */ }
    } else ctx.reporter.debug(`nixConfig of ${url} not readable: ${cfg.errText.trim()}`);
  }
  return { hasNixpkgs: meta.hasNixpkgs, caches };
}

/**
 * Offers the binary caches a module's `nixConfig` asks for, each once per machine: accepted
 * ones (with the module's keys) are used for this machine's builds, declined ones are not asked
 * again. `-y` (or no terminal) never accepts one and remembers nothing.
 */
async function offerCaches(
  ctx: CoreContext,
  cfg: MachineConfig,
  module: string,
  wanted: Caches,
  dontPrompt: boolean | undefined,
): Promise<void> {
  const mine = cfg.caches ?? { accepted: [], trustedPublicKeys: [], declined: [] };
  const o = cachesToOffer(wanted, {
    configured: (await ctx.config()).nix.substituters,
    accepted: mine.accepted,
    declined: mine.declined,
  });
  for (const bad of o.invalid) {
    ctx.reporter.warn(`The module "${module}" asks for the cache ${bad}, which codchi cannot use.`);
  }
  if (o.offer.length === 0) return;
  if (dontPrompt || !ctx.prompter.interactive) {
    ctx.reporter.warn(
      `The module "${module}" asks for the binary cache${o.offer.length > 1 ? "s" : ""} ` +
        `${o.offer.join(", ")}; not used (${
          dontPrompt ? "-y never accepts caches" : "no terminal to ask"
        }). Add it to config.json "nix": {"substituters": […]} to use it everywhere.`,
    );
    return;
  }
  let accepted = false;
  for (const url of o.offer) {
    const keys = o.keys.length ? ` (signed by ${o.keys.join(", ")})` : "";
    const q = `The module "${module}" asks to use the binary cache ${url}${keys}. ` +
      `Trust it for "${cfg.name}"?`;
    if (await ctx.prompter.confirm(q)) {
      mine.accepted.push(url);
      accepted = true;
    } else mine.declined.push(url);
  }
  if (accepted) mine.trustedPublicKeys = [...new Set([...mine.trustedPublicKeys, ...o.keys])];
  cfg.caches = mine;
}

/** `flakeInfo` of a module source, with the store running. */
async function readInfo(
  ctx: CoreContext,
  driver: Driver,
  machine: string,
  src: ModuleSource,
  creds?: FetchCredentials,
): Promise<FlakeInfo> {
  await driver.store.ensureRunning(ctx.reporter);
  return await flakeInfo(ctx, driver, moduleFlakeUrl(driver, machine, src), creds);
}

/**
 * The nixpkgs decision for `module` (from `src`) on a machine whose choice is `current`: looks at
 * the module's flake only when the decision depends on it, and says what it chose.
 */
export async function chooseNixpkgs(
  ctx: CoreContext,
  driver: Driver,
  machine: string,
  facts: { requested: "local" | "remote" | undefined; current: string; module: string },
  src: ModuleSource,
  creds?: FetchCredentials,
  info?: FlakeInfo,
): Promise<NixpkgsDecision> {
  const base = { ...facts, remote: src.kind !== "local" };
  let hasNixpkgs: boolean | undefined;
  if (needsNixpkgsProbe(base)) {
    hasNixpkgs = (info ?? await readInfo(ctx, driver, machine, src, creds)).hasNixpkgs;
  }
  const d = decideNixpkgs({ ...base, hasNixpkgs });
  if (d.kind === "remote" && facts.requested === undefined) {
    ctx.reporter.step(
      `Using the nixpkgs of ${displayUrl(src)} (its flake has a nixpkgs input); ` +
        "--use-nixpkgs local uses codchi's pinned one",
    );
  }
  return d;
}

/** Turns a URL and module paths into modules (discovering and asking when paths are absent). */
export async function resolveModules(
  ctx: CoreContext,
  driver: Driver,
  cfg: MachineConfig,
  url: string,
  modulePaths: string[],
  input: InputOptions,
): Promise<{ modules: Module[]; nixpkgs: NixpkgsDecision }> {
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
  // A remote module's flake is read once: its nixpkgs input and the caches it asks for.
  const info = src.kind === "local" ? undefined : await readInfo(ctx, driver, cfg.name, src, creds);
  const nixpkgs = await chooseNixpkgs(
    ctx,
    driver,
    cfg.name,
    {
      requested: input.useNixpkgs,
      current: cfg.nixpkgsFrom,
      module: modules[0].name,
    },
    src,
    creds,
    info,
  );
  if (info) await offerCaches(ctx, cfg, modules[0].name, info.caches, input.dontPrompt);
  return { modules, nixpkgs };
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
    cfg.nixpkgsFrom = applyNixpkgs(cfg.nixpkgsFrom, res.nixpkgs);
    await saveMachine(paths, cfg);
    const { writeFlake } = await import("./build.ts");
    await writeFlake(ctx, driver, cfg);
    const status = await rebuildAfter(ctx, machine, input.build);
    return { machine, added: res.modules.map((m) => m.name), status };
  });
}

/**
 * Asks, per item, whether to keep it: `-y` keeps all, a terminal asks, and anything else is a
 * UsageError naming the options that decide it.
 */
async function keepWhat<T>(
  ctx: CoreContext,
  opts: { dontPrompt?: boolean },
  items: { question: string; item: T }[],
): Promise<T[]> {
  const kept: T[] = [];
  for (const { question, item } of items) {
    if (opts.dontPrompt) kept.push(item);
    else if (!ctx.prompter.interactive) {
      throw new UsageError(
        `${question} (cannot ask: no terminal)`,
        "Add -y to keep it, or give --branch/--tag/--commit/--auth to set it.",
      );
    } else if (await ctx.prompter.confirm(question)) kept.push(item);
  }
  return kept;
}

/** On a URL change to another host: offers the old host's stored token for the new host. */
async function keepToken(
  ctx: CoreContext,
  opts: { dontPrompt?: boolean },
  oldHost: string,
  newHost: string,
): Promise<void> {
  const store = await ctx.secrets();
  if (await store.get(TOKEN_SCOPE, newHost) !== undefined) return;
  const token = await store.get(TOKEN_SCOPE, oldHost);
  if (token === undefined) return;
  registerSecret(parseAuth(token).token);
  const keep = await keepWhat(ctx, opts, [{
    question: `The URL moves from ${oldHost} to ${newHost}: use the token stored for ${oldHost}?`,
    item: true,
  }]);
  if (keep.length) await store.set(TOKEN_SCOPE, newHost, token);
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
    const driver = await ctx.driver();
    const oldHost = credentialHost(m.source);
    let refs: RefChoice | undefined;
    let url = displayUrl(m.source);
    if (opts.url !== undefined || opts.branch || opts.tag || opts.commit) {
      url = opts.url ?? url;
      const given = { branch: opts.branch, tag: opts.tag, commit: opts.commit };
      const kept = opts.url === undefined ? [] : await keepWhat(
        ctx,
        opts,
        refsToKeep(m.source, given).map((k) => ({
          question: `The URL changes: keep the ${k.what} "${k.value}"?`,
          item: k,
        })),
      );
      refs = kept.length ? keptRefChoice(kept) : given;
      m.source = parseModuleUrl(url, refs);
    }
    if (opts.useNixpkgs === "remote" && m.source.kind === "local") {
      throw new UsageError("--use-nixpkgs remote needs a remote module.");
    }
    const newHost = credentialHost(m.source);
    if (opts.auth) await storeToken(ctx, url, opts.auth);
    else if (opts.url !== undefined && oldHost && newHost && oldHost !== newHost) {
      await keepToken(ctx, opts, oldHost, newHost);
    }
    const creds = await credentialsFor(ctx, [m.source]);
    if (creds && refs) m.source = parseModuleUrl(url, { ...refs, auth: true });
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
    // A new source is a new flake: its nixConfig caches are offered as `module add` does.
    const info = refs && m.source.kind !== "local"
      ? await readInfo(ctx, driver, machine, m.source, creds)
      : undefined;
    if (info) await offerCaches(ctx, cfg, m.name, info.caches, opts.dontPrompt);
    if (opts.useNixpkgs !== undefined) {
      const d = await chooseNixpkgs(
        ctx,
        driver,
        machine,
        {
          requested: opts.useNixpkgs,
          current: cfg.nixpkgsFrom,
          module: m.name,
        },
        m.source,
        creds,
        info,
      );
      cfg.nixpkgsFrom = applyNixpkgs(cfg.nixpkgsFrom, d);
    }
    await saveMachine(paths, cfg);
    const { writeFlake } = await import("./build.ts");
    await writeFlake(ctx, driver, cfg);
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
