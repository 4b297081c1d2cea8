/** The machine lifecycle, platform-free: init, exec, rebuild, delete, duplicate, tar. */
import { machinePaths, type Paths } from "../config/paths.ts";
import { removeOnRelease } from "../config/lock.ts";
import type { MachineConfig } from "../config/schema.ts";
import type { Driver } from "../driver/types.ts";
import { ConflictError, InterruptedError, UsageError } from "../errors.ts";
import type { InputOptions } from "./types.ts";
import type { CoreContext } from "./context.ts";
import { buildAndActivate, exportShortcuts, writeFlake } from "./build.ts";
import {
  loadBuilt,
  loadMachine,
  machineExists,
  newMachineConfig,
  saveMachine,
} from "./machines.ts";
import { normalizeModulePath, resolveModules } from "./modules.ts";
import { applyNixpkgs } from "./nixpkgs_choice.ts";
import { interruptible, journaled, removeParts, withMachine, withMachines } from "./journal_ops.ts";
import { hasJournal, PARTS } from "../config/journal.ts";
import { containerName } from "../config/names.ts";
import { parseAuth, parseModuleUrl } from "../nix/mod.ts";
import { type ConfigStatus, configStatus } from "./status.ts";
import { fileHash } from "../config/store.ts";
import { copyTree } from "./files.ts";
import { CONTRACT } from "../contract.ts";

/** Result of commands that leave a machine in some state. */
export interface MachineResult {
  name: string;
  status: ConfigStatus;
  system?: string;
}

/** `codchi init`: config, flake, build, install, first start — undone completely on failure. */
export async function initMachine(ctx: CoreContext, req: {
  name: string;
  url?: string;
  modulePaths: string[];
  input: InputOptions;
  runInit: boolean;
  /** Runs once the config is written, before the build (`clone`: the checkout, its module). */
  prepare?: (driver: Driver, check: () => void) => Promise<void>;
}): Promise<MachineResult> {
  const paths = await ctx.paths();
  const { name } = req;
  // Every input is checked before the lock, the driver or the keychain is touched.
  if (!req.url && req.modulePaths.length) {
    throw new UsageError(
      "Module paths were given without a URL.",
      "Usage: codchi init <name> <url> [module-paths…]",
    );
  }
  validateModuleInput(req.url, req.modulePaths, req.input);
  if (await machineExists(paths, name)) {
    throw new ConflictError(
      `Machine "${name}" already exists.`,
      `Use another name, or: codchi delete ${name}`,
    );
  }
  return await withMachine(ctx, name, async () => {
    const driver = await ctx.driver();
    await assertFree(ctx, driver, name);
    return await journaled(ctx, name, "init", { made: ["secrets", "apps"] }, async (j, check) => {
      const cfg = newMachineConfig(name);
      await j.making("config");
      if (req.url) {
        const mods = await resolveModules(ctx, driver, cfg, req.url, req.modulePaths, req.input);
        cfg.modules.push(...mods.modules);
        cfg.nixpkgsFrom = applyNixpkgs(cfg.nixpkgsFrom, mods.nixpkgs);
      }
      check();
      await j.making("home");
      await Deno.mkdir(machinePaths(paths, name).data, { recursive: true });
      await saveMachine(paths, cfg);
      await writeFlake(ctx, driver, cfg);
      j.step("config written");
      if (!req.runInit) await markInitDone(paths, name);
      await req.prepare?.(driver, check);
      if (req.input.build === false) return { name, status: "NotInstalled" as const };
      const res = await buildAndActivate(ctx, driver, name, {
        update: false,
        check,
        beforeInstall: () => j.making("container"),
        step: (l) => j.step(l),
      });
      return { name, status: "UpToDate" as const, system: res.system };
    });
  });
}

/** Checks a module URL, module paths and refs (no side effect); throws a UsageError. */
export function validateModuleInput(
  url: string | undefined,
  modulePaths: string[],
  input: InputOptions,
): void {
  if (url === undefined) return;
  const src = parseModuleUrl(url, { branch: input.branch, tag: input.tag, commit: input.commit });
  modulePaths.forEach(normalizeModulePath);
  if (input.useNixpkgs === "remote" && src.kind === "local") {
    throw new UsageError("--use-nixpkgs remote needs a remote module.");
  }
  if (modulePaths.length === 0 && input.dontPrompt) {
    throw new UsageError(
      "With --dont-prompt, module paths are mandatory.",
      `Example: codchi init <name> ${url} nixosModules.default`,
    );
  }
  if (input.auth !== undefined && input.auth !== "-") parseAuth(input.auth);
}

/**
 * Under the lock of `name`: nothing of that name may exist (config, home or container), so
 * everything an init or duplicate then makes is its own and a roll-back removes only that.
 */
async function assertFree(ctx: CoreContext, driver: Driver, name: string): Promise<void> {
  const paths = await ctx.paths();
  const mp = machinePaths(paths, name);
  if (await machineExists(paths, name)) {
    throw new ConflictError(
      `Machine "${name}" already exists (made by another codchi meanwhile).`,
      `Use another name.`,
    );
  }
  const left: string[] = [];
  if ((await driver.states()).machines.has(name)) left.push(`the container ${containerName(name)}`);
  if (await pathExists(mp.data)) left.push(`the home folder ${mp.data}`);
  if (await pathExists(mp.dir)) left.push(`the folder ${mp.dir}`);
  if (left.length) {
    throw new ConflictError(
      `"${name}" has no machine config, but ${left.join(" and ")} exist${
        left.length > 1 ? "" : "s"
      }.`,
      `Move what you want to keep away, then remove the rest with: codchi delete ${name} --i-am-really-sure`,
    );
  }
}

async function pathExists(p: string): Promise<boolean> {
  try {
    await Deno.lstat(p);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** Marks the init script as done, so the machine skips it (`init -n`, `clone -n`). */
export async function markInitDone(paths: Paths, name: string): Promise<void> {
  const marker = `${machinePaths(paths, name).data}/${CONTRACT.initDoneMarker}`;
  await Deno.mkdir(marker.slice(0, marker.lastIndexOf("/")), { recursive: true });
  await Deno.writeTextFile(marker, "skipped by codchi init --dont-run-init\n");
}

/** Starting a machine lives in start.ts (exec and secrets load it on demand). */
export { startMachine } from "./start.ts";
import { startMachine } from "./start.ts";

/** `codchi exec` lives in exec.ts (it loads only what one spawn needs). */
export { execInMachine } from "./exec.ts";

/** `codchi rebuild`: lock update (optional), build, activate, shortcuts. Serialized per machine. */
export async function rebuildMachine(
  ctx: CoreContext,
  name: string,
  opts: { update: boolean },
): Promise<MachineResult> {
  const paths = await ctx.paths();
  await loadMachine(paths, name);
  return await withMachine(ctx, name, async () => {
    const cfg = await loadMachine(paths, name);
    const driver = await ctx.driver();
    await writeFlake(ctx, driver, cfg);
    // Ctrl-C or SIGTERM stops the build at once (the profile keeps its last generation).
    const res = await interruptible(
      ctx,
      "the build was stopped",
      (check) => buildAndActivate(ctx, driver, name, { ...opts, check }),
    );
    return { name, status: "UpToDate", system: res.system };
  });
}

/**
 * `codchi delete`: asks (unless sure), then removes container, shortcuts, secrets, home and
 * config last — journaled, so an interrupted delete is finished by the next codchi. Works on a
 * broken machine and on the remains of one (a container or home without config).
 */
export async function deleteMachine(
  ctx: CoreContext,
  name: string,
  opts: { sure: boolean },
): Promise<void> {
  const paths = await ctx.paths();
  const mp = machinePaths(paths, name);
  const onHost = await machineExists(paths, name) || await pathExists(mp.dir) ||
    await pathExists(mp.data) || await hasJournal(paths, name);
  const driver = onHost ? undefined : await ctx.driver();
  if (!onHost && !(await driver!.states()).machines.has(name)) {
    await loadMachine(paths, name); // the NotFoundError listing the machines that exist
  }
  if (!opts.sure) {
    if (!ctx.prompter.interactive) {
      throw new UsageError(
        `Deleting "${name}" needs a confirmation and there is no terminal to ask.`,
        `Run: codchi delete ${name} --i-am-really-sure`,
      );
    }
    const ok = await ctx.prompter.confirm(
      `Delete machine "${name}" with its home folder ${mp.data}? This cannot be undone.`,
    );
    if (!ok) throw new InterruptedError("Nothing was deleted.");
  }
  await withMachine(ctx, name, async () => {
    ctx.reporter.step(`Deleting "${name}"`);
    await journaled(ctx, name, "delete", { made: [...PARTS] }, async (j, check) => {
      const d = await ctx.driver();
      for (const part of PARTS) {
        await removeParts(ctx, d, name, [part], check);
        check();
        j.step(`${part} removed`);
      }
    });
    // Nothing of the machine is left: its lock file goes too, when the lock is let go.
    removeOnRelease(mp.lockFile);
  });
}

/** `codchi duplicate`: config, lock, build record, home, secrets and the container. */
export async function duplicateMachine(
  ctx: CoreContext,
  from: string,
  to: string,
): Promise<MachineResult> {
  const paths = await ctx.paths();
  await loadMachine(paths, from);
  if (from === to) throw new UsageError(`A machine cannot be copied onto itself.`);
  if (await machineExists(paths, to)) throw new ConflictError(`Machine "${to}" already exists.`);
  return await withMachines(ctx, [from, to], async () => {
    const src = await loadMachine(paths, from);
    const driver = await ctx.driver();
    await assertFree(ctx, driver, to);
    const state = await driver.states();
    const srcRt = state.machines.get(from);
    let stopped = false;
    try {
      return await journaled(ctx, to, "duplicate", { from }, async (j, check) => {
        const a = machinePaths(paths, from), b = machinePaths(paths, to);
        if (srcRt?.running) {
          ctx.reporter.step(`Stopping "${from}" to copy it`);
          stopped = true;
          await driver.stop(from);
          check();
        }
        ctx.reporter.step(`Copying the files of "${from}"`);
        await j.making("config");
        await copyTree(a.dir, b.dir, check);
        const cfg: MachineConfig = { ...src, name: to, createdAt: new Date().toISOString() };
        await saveMachine(paths, cfg);
        check();
        // On WSL the data folder holds the distro's disk: the driver copies it (duplicate below).
        await j.making("home");
        if (!driver.managesMachineData) await copyTree(a.data, b.data, check);
        check();
        await j.making("secrets");
        const store = await ctx.secrets();
        for (const key of await store.list(from)) {
          const v = await store.get(from, key);
          if (v !== undefined) await store.set(to, key, v);
        }
        check();
        const built = await loadBuilt(paths, from);
        if (srcRt) {
          ctx.reporter.step(`Copying the container of "${from}"`);
          await j.making("container");
          await driver.duplicate(from, to, ctx.reporter);
          check();
        } else if (built) {
          await Deno.remove(b.built).catch(() => {});
        }
        const newBuilt = await loadBuilt(paths, to);
        await j.making("apps");
        if (newBuilt) await exportShortcuts(ctx, driver, to, newBuilt.system);
        check();
        if (stopped) {
          await startMachine(ctx, driver, from);
          stopped = false;
        }
        const status = configStatus(
          newBuilt,
          srcRt !== undefined,
          await fileHash(b.flake),
          await fileHash(b.lock),
        );
        return { name: to, status, system: newBuilt?.system };
      });
    } finally {
      // The source was running before: it runs again whatever happened to the copy.
      if (stopped) {
        await startMachine(ctx, driver, from).catch((e) =>
          ctx.reporter.warn(`Could not start "${from}" again: ${(e as Error).message}`)
        );
      }
    }
  });
}

/** `codchi tar` lives in export.ts. */
export { tarMachine } from "./export.ts";
