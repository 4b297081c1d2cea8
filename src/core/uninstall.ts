/**
 * `codchi uninstall`: every machine (through the delete logic), the store, the images (cache and
 * LXD/WSL), shortcuts, menu and terminal entries, tray autostart, keychain entries, and codchi's
 * config, data, cache and runtime folders. Returns what it removed, for people.
 */
import { basename } from "node:path";
import type { Paths } from "../config/paths.ts";
import { pathApi } from "../config/path_api.ts";
import type { Driver } from "../driver/types.ts";
import { InterruptedError, PrerequisiteError, UsageError } from "../errors.ts";
import { TOKEN_SCOPE } from "../secrets/types.ts";
import type { CoreContext } from "./context.ts";
import { removeTree } from "./files.ts";
import { deleteMachine } from "./lifecycle.ts";
import { removeParts } from "./journal_ops.ts";
import { listMachines, withMachineLock } from "./machines.ts";

const exists = (p: string) => Deno.lstat(p).then(() => true, () => false);

/**
 * The folders and files uninstall removes after the machines and the store, in order (pure).
 * A `dataDir` of config.json that is not codchi's own folder (its name is not `codchi`) is not
 * removed as a whole: only what codchi keeps in it.
 */
export function uninstallTargets(paths: Paths, hostFiles: string[] = []): string[] {
  const p = pathApi(paths.os);
  const data = basename(paths.dataDir) === "codchi" ? [paths.dataDir] : [
    paths.storeDir,
    paths.machineDataRoot,
    paths.logDir,
    paths.secretsFile,
    p.join(paths.dataDir, "run"),
  ];
  const list = [
    ...hostFiles,
    paths.runtimeDir,
    ...data,
    paths.imagesDir,
    paths.cacheDir,
    // Windows Terminal's fragments folder of codchi (Linux: the shared menus folder stays).
    ...(paths.os === "windows" ? [paths.menusDir] : []),
    paths.configDir,
  ];
  return [...new Set(list)];
}

/** Removes codchi from this host (asks first unless `sure`). */
export async function uninstall(ctx: CoreContext, opts: { sure: boolean }): Promise<string[]> {
  const paths = await ctx.paths();
  const r = ctx.reporter;
  let names = new Set(await listMachines(paths));
  if (!opts.sure) {
    if (!ctx.prompter.interactive) {
      throw new UsageError(
        "Uninstalling needs a confirmation and there is no terminal to ask.",
        "Run: codchi uninstall --i-am-really-sure",
      );
    }
    const list = names.size
      ? `${names.size} machine(s) (${[...names].join(", ")}) with their home folders, `
      : "";
    const ok = await ctx.prompter.confirm(
      `Remove codchi from this computer: ${list}the store, the images, shortcuts, secrets and ` +
        `the folders ${paths.configDir} and ${paths.dataDir}? This cannot be undone.`,
    );
    if (!ok) throw new InterruptedError("Nothing was removed.");
  }
  let driver: Driver | undefined;
  try {
    driver = await ctx.driver();
    for (const m of (await driver.states()).machines.keys()) names.add(m);
  } catch (e) {
    if (!(e instanceof PrerequisiteError)) throw e;
    r.warn(`${e.message} Removing codchi's files only.`);
    driver = undefined;
  }
  names = new Set([...names].sort());
  const removed: string[] = [];
  for (const name of names) {
    if (driver) await deleteMachine(ctx, name, { sure: true });
    else {
      // No LXD/WSL any more: the host's parts of the machine (the driver is not used for them).
      const hostParts = ["apps", "secrets", "home", "config"] as const;
      await withMachineLock(
        paths,
        name,
        () => removeParts(ctx, undefined as unknown as Driver, name, hostParts),
      );
    }
    removed.push(`machine ${name} (container, shortcuts, terminal entry, secrets, config, home)`);
  }
  if (driver?.uninstall) {
    r.step("Removing the store and the images");
    removed.push(...await driver.uninstall());
  }
  try {
    const secrets = await ctx.secrets();
    const tokens = await secrets.list(TOKEN_SCOPE);
    if (tokens.length) {
      await secrets.deleteScope(TOKEN_SCOPE);
      removed.push(`${tokens.length} access token(s) from the ${secrets.name} secret store`);
    }
  } catch (e) {
    r.warn(`Could not remove the stored access tokens: ${(e as Error).message}`);
  }
  r.step("Removing codchi's folders");
  const hostFiles = await (await ctx.host()).uninstallFiles();
  for (const target of uninstallTargets(paths, hostFiles)) {
    if (!(await exists(target))) continue;
    await removeTree(target);
    removed.push(target);
  }
  // A dataDir of config.json goes too once nothing else is in it.
  await Deno.remove(paths.dataDir).then(() => removed.push(paths.dataDir), () => {});
  return removed;
}
