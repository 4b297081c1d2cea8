/** The machine lifecycle, platform-free: init, exec, rebuild, delete, duplicate, tar. */
import { machinePaths, type Paths } from "../config/paths.ts";
import type { MachineConfig } from "../config/schema.ts";
import { writeJson } from "../config/store.ts";
import { lockTimeoutMs } from "../config/lock.ts";
import type { Driver } from "../driver/types.ts";
import {
  ConflictError,
  InterruptedError,
  NotFoundError,
  NotRunningError,
  UsageError,
} from "../errors.ts";
import { hostApps } from "../host/mod.ts";
import type { InputOptions } from "../cli/options.ts";
import type { CoreContext } from "./context.ts";
import { buildAndActivate, exportShortcuts, writeFlake } from "./build.ts";
import {
  loadBuilt,
  loadMachine,
  machineExists,
  newMachineConfig,
  saveMachine,
  withMachineLock,
} from "./machines.ts";
import { resolveModules } from "./modules.ts";
import { machineEnv, secretValuesFor } from "./secrets_cmd.ts";
import { type ConfigStatus, configStatus } from "./status.ts";
import { fileHash } from "../config/store.ts";
import { copyTree, removeTree } from "./files.ts";
import { handInHostCa } from "./host_ca.ts";
import { defaultDriverUrl, standaloneFlakeText } from "./flake.ts";
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
}): Promise<MachineResult> {
  const paths = await ctx.paths();
  const { name } = req;
  if (await machineExists(paths, name)) {
    throw new ConflictError(
      `Machine "${name}" already exists.`,
      `Use another name, or: codchi delete ${name}`,
    );
  }
  if (!req.url && req.modulePaths.length) {
    throw new UsageError(
      "Module paths were given without a URL.",
      "Usage: codchi init <name> <url> [module-paths…]",
    );
  }
  return await withMachineLock(paths, name, async () => {
    const driver = await ctx.driver();
    const state = await driver.states();
    if (state.machines.has(name)) {
      throw new ConflictError(
        `A container for "${name}" exists but codchi has no config for it.`,
        `Remove it with: codchi delete ${name} --i-am-really-sure`,
      );
    }
    return await undoOnFailure(ctx, driver, name, async (check) => {
      const cfg = newMachineConfig(name);
      if (req.url) {
        const mods = await resolveModules(ctx, driver, cfg, req.url, req.modulePaths, req.input);
        cfg.modules.push(...mods.modules);
        if (mods.nixpkgsFrom) cfg.nixpkgsFrom = mods.nixpkgsFrom;
      }
      await Deno.mkdir(machinePaths(paths, name).data, { recursive: true });
      await saveMachine(paths, cfg);
      await writeFlake(ctx, driver, cfg);
      if (req.input.build === false) return { name, status: "NotInstalled" as const };
      if (!req.runInit) await markInitDone(paths, name);
      const res = await buildAndActivate(ctx, driver, name, { update: false, check });
      return { name, status: "UpToDate" as const, system: res.system };
    });
  });
}

/** Marks the init script as done, so the machine skips it (`init -n`, `clone -n`). */
export async function markInitDone(paths: Paths, name: string): Promise<void> {
  const marker = `${machinePaths(paths, name).data}/${CONTRACT.initDoneMarker}`;
  await Deno.mkdir(marker.slice(0, marker.lastIndexOf("/")), { recursive: true });
  await Deno.writeTextFile(marker, "skipped by codchi init --dont-run-init\n");
}

/**
 * Runs `fn`; on any failure or Ctrl-C removes the container, config, home and shortcuts of the
 * half-made machine, so a retry starts clean. `fn` gets `check()`, which throws once Ctrl-C came,
 * so long work stops at its next step instead of running to the end first.
 */
export async function undoOnFailure<T>(
  ctx: CoreContext,
  driver: Driver,
  name: string,
  fn: (check: () => void) => Promise<T>,
): Promise<T> {
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    ctx.reporter.warn("Interrupted: cleaning up…");
  };
  const canSignal = Deno.build.os !== "windows";
  if (canSignal) Deno.addSignalListener("SIGINT", onSigint);
  try {
    const res = await fn(() => {
      if (interrupted) throw new InterruptedError("Interrupted.");
    });
    if (interrupted) throw new InterruptedError("Interrupted.");
    return res;
  } catch (e) {
    ctx.reporter.step(`Removing what was made for "${name}"`);
    await purgeMachine(ctx, driver, name).catch((err) =>
      ctx.reporter.warn(`Cleanup of "${name}" was incomplete: ${(err as Error).message}`)
    );
    throw interrupted && !(e instanceof InterruptedError)
      ? new InterruptedError("Interrupted; nothing was left behind.")
      : e;
  } finally {
    if (canSignal) Deno.removeSignalListener("SIGINT", onSigint);
  }
}

/** Removes every trace of a machine: container, shortcuts, secrets, config, home. */
async function purgeMachine(ctx: CoreContext, driver: Driver, name: string): Promise<void> {
  const paths = await ctx.paths();
  const mp = machinePaths(paths, name);
  const state = await driver.states();
  if (state.machines.has(name)) {
    if (state.machines.get(name)?.running) await driver.stop(name, true);
    await driver.remove(name);
  }
  await (await hostApps(paths, ctx.reporter)).remove(name);
  await (await ctx.secrets()).deleteScope(name).catch((e) =>
    ctx.reporter.warn(`Could not remove the secrets of "${name}": ${(e as Error).message}`)
  );
  await removeTree(mp.dir);
  await removeTree(mp.data);
}

/** Starts store and machine with its env file (secrets). */
export async function startMachine(ctx: CoreContext, driver: Driver, name: string): Promise<void> {
  const paths = await ctx.paths();
  await driver.store.ensureRunning(ctx.reporter);
  const values = await secretValuesFor(ctx, paths, name);
  await driver.start(name, machineEnv(name, values), ctx.reporter);
  await handInHostCa(ctx, driver, name);
}

/** `codchi exec`: one spawn on a running machine; starts store and machine when needed. */
export async function execInMachine(
  ctx: CoreContext,
  name: string,
  argv: string[],
  opts: { tty: boolean },
): Promise<number> {
  const paths = await ctx.paths();
  await loadMachine(paths, name);
  if (!(await loadBuilt(paths, name))) {
    throw new NotFoundError(
      `Machine "${name}" was never built.`,
      `Build it with: codchi rebuild ${name}`,
    );
  }
  const driver = await ctx.driver();
  const run = () => driver.exec(name, argv, { tty: opts.tty, stdin: "inherit" });
  try {
    return (await run()).code;
  } catch (e) {
    if (!(e instanceof NotRunningError)) throw e;
    await startMachine(ctx, driver, name);
    return (await run()).code;
  }
}

/** `codchi rebuild`: lock update (optional), build, activate, shortcuts. Serialized per machine. */
export async function rebuildMachine(
  ctx: CoreContext,
  name: string,
  opts: { update: boolean },
): Promise<MachineResult> {
  const paths = await ctx.paths();
  return await withMachineLock(
    paths,
    name,
    async () => {
      const cfg = await loadMachine(paths, name);
      const driver = await ctx.driver();
      await writeFlake(ctx, driver, cfg);
      const res = await buildAndActivate(ctx, driver, name, opts);
      return { name, status: "UpToDate", system: res.system };
    },
    (holder) => ctx.reporter.warn(`Waiting for another codchi working on "${name}" (${holder})…`),
    // A rebuild waits for the one before it (builds take minutes), not just the usual 30 s.
    lockTimeoutMs(60 * 60_000),
  );
}

/** `codchi delete`: asks (unless sure), then removes everything of the machine. */
export async function deleteMachine(
  ctx: CoreContext,
  name: string,
  opts: { sure: boolean },
): Promise<void> {
  const paths = await ctx.paths();
  await loadMachine(paths, name);
  if (!opts.sure) {
    if (!ctx.prompter.interactive) {
      throw new UsageError(
        `Deleting "${name}" needs a confirmation and there is no terminal to ask.`,
        `Run: codchi delete ${name} --i-am-really-sure`,
      );
    }
    const ok = await ctx.prompter.confirm(
      `Delete machine "${name}" with its home folder ${
        machinePaths(paths, name).data
      }? This cannot be undone.`,
    );
    if (!ok) throw new InterruptedError("Nothing was deleted.");
  }
  await withMachineLock(paths, name, async () => {
    ctx.reporter.step(`Deleting "${name}"`);
    await purgeMachine(ctx, await ctx.driver(), name);
  });
}

/** `codchi duplicate`: config, lock, build record, home, secrets and the container. */
export async function duplicateMachine(
  ctx: CoreContext,
  from: string,
  to: string,
): Promise<MachineResult> {
  const paths = await ctx.paths();
  const src = await loadMachine(paths, from);
  if (await machineExists(paths, to)) throw new ConflictError(`Machine "${to}" already exists.`);
  return await withMachineLock(paths, from, () =>
    withMachineLock(paths, to, async () => {
      const driver = await ctx.driver();
      return await undoOnFailure(ctx, driver, to, async () => {
        const a = machinePaths(paths, from), b = machinePaths(paths, to);
        const state = await driver.states();
        const srcRt = state.machines.get(from);
        if (srcRt?.running) {
          ctx.reporter.step(`Stopping "${from}" to copy it`);
          await driver.stop(from);
        }
        ctx.reporter.step(`Copying the files of "${from}"`);
        await copyTree(a.dir, b.dir);
        // On WSL the data folder holds the distro's disk: the driver copies it (duplicate below).
        if (!driver.managesMachineData) await copyTree(a.data, b.data);
        const cfg: MachineConfig = { ...src, name: to, createdAt: new Date().toISOString() };
        await saveMachine(paths, cfg);
        const store = await ctx.secrets();
        for (const key of await store.list(from)) {
          const v = await store.get(from, key);
          if (v !== undefined) await store.set(to, key, v);
        }
        const built = await loadBuilt(paths, from);
        if (srcRt) {
          ctx.reporter.step(`Copying the container of "${from}"`);
          await driver.duplicate(from, to, ctx.reporter);
        } else if (built) {
          await Deno.remove(b.built).catch(() => {});
        }
        const newBuilt = await loadBuilt(paths, to);
        if (newBuilt) await exportShortcuts(ctx, driver, to, newBuilt.system);
        if (srcRt?.running) await startMachine(ctx, driver, from);
        const status = configStatus(
          newBuilt,
          srcRt !== undefined,
          await fileHash(b.flake),
          await fileHash(b.lock),
        );
        return { name: to, status, system: newBuilt?.system };
      });
    }));
}

/** `codchi tar`: the machine's files + a standalone flake (+ secrets only when asked). */
export async function tarMachine(
  ctx: CoreContext,
  name: string,
  file: string,
  opts: { withSecrets: boolean },
): Promise<{ file: string; secrets: boolean }> {
  const paths = await ctx.paths();
  const cfg = await loadMachine(paths, name);
  const driver = await ctx.driver();
  const out = file.startsWith("/") || /^[A-Za-z]:[\\/]/.test(file) ? file : `${Deno.cwd()}/${file}`;
  ctx.reporter.step(`Exporting the files of "${name}"`);
  await driver.exportFiles(name, out);
  const tmp = await Deno.makeTempDir({ prefix: "codchi-tar-" });
  try {
    const dir = `${tmp}/codchi`;
    await Deno.mkdir(`${dir}/flake`, { recursive: true });
    await Deno.writeTextFile(
      `${dir}/flake/flake.nix`,
      standaloneFlakeText(
        cfg,
        ctx.env.CODCHI_DRIVER_FLAKE?.startsWith("/") === false
          ? ctx.env.CODCHI_DRIVER_FLAKE
          : defaultDriverUrl(),
      ),
    );
    const lock = machinePaths(paths, name).lock;
    await Deno.copyFile(lock, `${dir}/flake/flake.lock`).catch(() => {});
    await writeJson(`${dir}/machine.json`, cfg);
    if (opts.withSecrets) {
      const values = await secretValuesFor(ctx, paths, name);
      await writeJson(`${dir}/secrets.json`, values, 0o600);
    }
    await driver.runner.run(["tar", "-rf", out, "-C", tmp, "codchi"]);
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
  return { file: out, secrets: opts.withSecrets };
}
