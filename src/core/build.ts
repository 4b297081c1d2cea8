/** Building a machine: flake in the store, secrets, system profile, activation, shortcuts. */
import { machinePaths } from "../config/paths.ts";
import type { Built, MachineConfig } from "../config/schema.ts";
import { fileHash, writeFileAtomic, writeJson } from "../config/store.ts";
import type { Driver } from "../driver/types.ts";
import { ToolError } from "../errors.ts";
import type { CoreContext } from "./context.ts";
import { machineFlake, nixSettings, storeNix, systemProfile } from "./nix_ops.ts";
import {
  buildSystemArgv,
  parseDeclaredSecrets,
  readSecretsArgv,
  switchToConfigurationArgv,
  updateLockArgv,
} from "../nix/mod.ts";
import { driverFlakeUrl, driverId, driverSource, machineFlakeText } from "./flake.ts";
import { collectSecrets, type Declared, machineEnv, saveDeclared } from "./machine_secrets.ts";
import { machineCredentials } from "./credentials.ts";
import { loadMachine } from "./machines.ts";
import { handInHostCa } from "./host_ca.ts";
import { startMachine } from "./start.ts";
import { ENV_FILE, MACHINE_USER } from "../contract.ts";

/** Writes flake.nix for the machine's modules (the lock is left to nix). */
export async function writeFlake(
  ctx: CoreContext,
  driver: Driver,
  cfg: MachineConfig,
): Promise<void> {
  const paths = await ctx.paths();
  const text = machineFlakeText(cfg, driver, await driverFlakeUrl(ctx.env, paths, driver));
  await writeFileAtomic(machinePaths(paths, cfg.name).flake, text);
}

/**
 * On a remote, nix writes the machine's flake.lock in the store's copy of its flake: the host's
 * copy becomes that one (what `status` hashes and `tar`/`duplicate` take), when it differs.
 */
async function pullRemoteLock(driver: Driver, machine: string, hostLock: string): Promise<void> {
  const there = `${driver.store.view.configDir}/machines/${machine}/flake.lock`;
  const out = await driver.store.run(["cat", "--", there], { check: false });
  if (out.code !== 0) return; // no lock in the store (a flake without inputs): nothing to copy
  const here = await Deno.readTextFile(hostLock).catch(() => undefined);
  if (here !== out.text) await writeFileAtomic(hostLock, out.text);
}

/** Reads the secrets the built configuration declares (`codchi.secrets.env`). */
export async function declaredSecrets(
  ctx: CoreContext,
  driver: Driver,
  machine: string,
): Promise<Declared> {
  const out = await storeNix(driver, readSecretsArgv(machineFlake(driver, machine)), ctx.reporter, {
    creds: await machineCredentials(ctx, machine),
    ...(await nixSettings(ctx, machine)),
  });
  const declared: Declared = {};
  for (const d of parseDeclaredSecrets(out.text)) {
    declared[d.name] = { name: d.name, description: d.description };
  }
  return declared;
}

/** What a build produced. */
export interface BuildResult {
  system: string;
  installed: boolean;
}

/**
 * Builds the machine in the store and activates it: lock update (optional), secrets collected
 * BEFORE the build, `nix build --profile`, install/start or switch, build record, shortcuts.
 */
export async function buildAndActivate(
  ctx: CoreContext,
  driver: Driver,
  machine: string,
  opts: {
    update: boolean;
    check?: () => void;
    /** Called before the container is made (the journal records it first). */
    beforeInstall?: () => Promise<void>;
    /** Marks a step (the journal's fault points). */
    step?: (label: string) => void;
  },
): Promise<BuildResult> {
  const check = opts.check ?? (() => {});
  const mark = opts.step ?? (() => {});
  const paths = await ctx.paths();
  const mp = machinePaths(paths, machine);
  const r = ctx.reporter;
  await driver.store.ensureRunning(r);
  await startForLocalModules(ctx, driver, machine);
  const flake = machineFlake(driver, machine);
  if (opts.update) {
    r.step(`Updating the modules of "${machine}"`);
    await storeNix(driver, updateLockArgv(flake), r, {
      creds: await machineCredentials(ctx, machine),
      ...(await nixSettings(ctx, machine)),
    });
  }
  r.step(`Evaluating "${machine}"`);
  const declared = await declaredSecrets(ctx, driver, machine);
  check();
  mark("evaluated");
  const secrets = await collectSecrets(ctx, machine, declared);
  await saveDeclared(paths, machine, declared);
  check();
  r.step(`Building "${machine}" in the store`);
  await Deno.mkdir(mp.profilesDir, { recursive: true });
  await storeNix(driver, buildSystemArgv(flake, systemProfile(driver, machine)), r, {
    creds: await machineCredentials(ctx, machine),
    ...(await nixSettings(ctx, machine)),
  });
  if (driver.remote) await pullRemoteLock(driver, machine, mp.lock);
  const system = (await driver.store.run(["readlink", "-f", systemProfile(driver, machine)])).text
    .trim();
  if (!system.startsWith("/nix/store/")) {
    throw new ToolError(
      "nix",
      `The system profile of "${machine}" does not point into the store: ${system}`,
    );
  }
  check();
  mark("built");
  const state = await driver.states();
  const rt = state.machines.get(machine);
  const env = machineEnv(machine, secrets, (await loadMachine(paths, machine)).usb);
  if (!rt) {
    r.step(`Installing "${machine}"`);
    await opts.beforeInstall?.();
    await driver.install(machine, r);
    check();
    mark("installed");
    await driver.start(machine, env, r);
    mark("started");
    await handInHostCa(ctx, driver, machine);
  } else if (!rt.running) {
    r.step(`Starting "${machine}"`);
    await driver.start(machine, env, r);
    await handInHostCa(ctx, driver, machine);
  }
  const built: Built = {
    version: 1,
    flakeHash: await fileHash(mp.flake),
    lockHash: await fileHash(mp.lock),
    system,
    builtAt: new Date().toISOString(),
    driver: await driverId(driverSource(ctx.env)),
  };
  if (rt?.running) await journaledSwitch(ctx, driver, machine, env.envFile, built);
  else await writeJson(mp.built, built);
  await exportShortcuts(ctx, driver, machine, system);
  return { system, installed: !rt };
}

/**
 * Where the store sees a machine's home only while it runs (WSL), a build of a machine with a
 * local module starts it first (installed and stopped; a machine not yet installed has no home
 * to read): the lock update, evaluation and build read the module through that share. The
 * driver's keep-alive keeps it running through the build; the build then switches it.
 */
async function startForLocalModules(ctx: CoreContext, driver: Driver, machine: string) {
  if (!driver.homeSharedWhileRunning) return;
  const cfg = await loadMachine(await ctx.paths(), machine);
  if (!cfg.modules.some((m) => m.source.kind === "local")) return;
  const rt = (await driver.states()).machines.get(machine);
  if (!rt || rt.running) return;
  ctx.reporter.step(`Starting "${machine}": the store reads its local modules from its home`);
  await startMachine(ctx, driver, machine);
}

/**
 * Switches the running `machine` to its new system, journaled (unless another operation's
 * record is open): the record (with the build record to write) comes first, the switch is let
 * finish even on Ctrl-C, then the build record is written and the record goes. A failure or a
 * signal on the way finishes the switch right here; after a kill the next command does.
 */
async function journaledSwitch(
  ctx: CoreContext,
  driver: Driver,
  machine: string,
  envFile: Uint8Array,
  built: Built,
): Promise<void> {
  const paths = await ctx.paths();
  const { hasJournal, JournalWriter } = await import("../config/journal.ts");
  const own = !(await hasJournal(paths, machine));
  const j = own ? await JournalWriter.begin(paths, machine, "switch", { built }) : undefined;
  let ran = false;
  try {
    ctx.reporter.step(`Activating the new system in "${machine}"`);
    // As at start: root and the machine user only.
    await driver.pushFile(machine, ENV_FILE, envFile, 0o600, { uid: MACHINE_USER.uid, gid: 0 });
    j?.step("switching");
    await switchRunning(driver, machine, () => ran = true);
    j?.step("switched");
    await writeJson(machinePaths(paths, machine).built, built);
    await j?.end();
  } catch (e) {
    // A switch that ran and failed (the new system does not activate) is not tried again: the
    // last build record stays.
    if (ran) await j?.end();
    else if (j) {
      await finishSwitch(ctx, driver, machine, j.record.built!).then(() => j.end()).catch((err) =>
        ctx.reporter.warn(
          `Could not finish the switch of "${machine}" (${(err as Error).message}); ` +
            `the next codchi command on "${machine}" tries again.`,
        )
      );
    }
    throw e;
  }
}

/** Runs switch-to-configuration in the running machine (let finish even on Ctrl-C). */
async function switchRunning(driver: Driver, machine: string, ran = () => {}): Promise<void> {
  const o = await driver.exec(machine, switchToConfigurationArgv(), {
    user: "root",
    capture: true,
    uninterruptible: true,
  });
  ran();
  if (o.code !== 0) {
    throw new ToolError(
      "switch-to-configuration",
      `Activating "${machine}" failed`,
      o.errText || o.text,
      o.code,
    );
  }
}

/**
 * Finishes an interrupted switch of `machine` to the system of `built` (its profile already
 * points there): a running machine is switched (again: the switch is idempotent), a stopped one
 * boots it at its next start; then the build record is written. A machine whose profile no
 * longer points at that system (rebuilt since) keeps its build record.
 */
export async function finishSwitch(
  ctx: CoreContext,
  driver: Driver,
  machine: string,
  built: Built,
): Promise<void> {
  const paths = await ctx.paths();
  await driver.store.ensureRunning(ctx.reporter);
  const current = (await driver.store.run(["readlink", "-f", systemProfile(driver, machine)])).text
    .trim();
  if (current !== built.system) return;
  const rt = (await driver.states()).machines.get(machine);
  if (rt?.running) await switchRunning(driver, machine);
  if (rt) await writeJson(machinePaths(paths, machine).built, built);
}

/** Copies the apps the system exposes (`sw/share/codchi`) to the host's menus. */
export async function exportShortcuts(
  ctx: CoreContext,
  driver: Driver,
  machine: string,
  system: string,
): Promise<void> {
  const tmp = await Deno.makeTempDir({ prefix: "codchi-apps-" });
  try {
    if (driver.remote) {
      // The machine's apps would open on the server, which has no way to this display.
      ctx.reporter.warn(
        `"${machine}" runs on the remote ${driver.remote}: its GUI apps get no shortcuts ` +
          `(they cannot reach this display); its terminal entry works.`,
      );
    }
    const tar = driver.remote ? undefined : await driver.store.run([
      "sh",
      "-c",
      'd="$1/sw/share/codchi"; if [ -d "$d" ]; then tar -C "$d" -chf - .; fi',
      "sh",
      system,
    ]);
    if (tar && tar.stdout.length > 0) {
      await ctx.runner.run(["tar", "-C", tmp, "-xf", "-"], { stdin: tar.stdout });
    }
    const host = await (await ctx.host()).apps({
      trayAutostart: (await ctx.config()).tray.autostart,
    });
    await host.export(machine, tmp, ctx.selfArgv);
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}
