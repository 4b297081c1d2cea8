/** `codchi gc`: wipe old system generations, then collect the store (machines' systems are roots). */
import { UsageError } from "../errors.ts";
import type { CoreContext } from "./context.ts";
import { listMachines, loadMachine } from "./machines.ts";
import { storeNix, systemProfile } from "./nix_ops.ts";
import { storeGcArgv, wipeHistoryArgv } from "../nix/mod.ts";

/** What gc did. */
export interface GcResult {
  machines: string[];
  freed: string;
  summary: string;
}

/** Parses nix's "N store paths deleted, X MiB freed" line. */
export function parseGcSummary(text: string): { paths: number; freed: string } | undefined {
  const m = /(\d+) store paths deleted, ([\d.]+ \w+) freed/.exec(text);
  return m ? { paths: Number(m[1]), freed: m[2] } : undefined;
}

/** Runs gc: old generations of the chosen machines (all with --all), then `nix store gc`. */
export async function collectGarbage(ctx: CoreContext, opts: {
  machines: string[];
  all: boolean;
  deleteOld?: number;
}): Promise<GcResult> {
  const paths = await ctx.paths();
  if (opts.all && opts.machines.length) {
    throw new UsageError("Name machines or pass --all, not both.");
  }
  if (opts.deleteOld === undefined && (opts.all || opts.machines.length)) {
    throw new UsageError(
      "Machines were named but --delete-old was not given.",
      "Example: codchi gc --delete-old 30 --all",
    );
  }
  const machines = opts.deleteOld === undefined
    ? []
    : opts.all
    ? await listMachines(paths)
    : opts.machines;
  for (const m of machines) await loadMachine(paths, m);
  const driver = await ctx.driver();
  await driver.store.ensureRunning(ctx.reporter);
  for (const m of machines) {
    ctx.reporter.step(`Deleting old generations of "${m}"`);
    await storeNix(
      driver,
      wipeHistoryArgv(systemProfile(driver, m), opts.deleteOld || undefined),
      ctx.reporter,
    );
  }
  ctx.reporter.step("Collecting garbage in the store");
  const out = await storeNix(driver, storeGcArgv(), ctx.reporter);
  const s = parseGcSummary(out.errText + out.text);
  const freed = s?.freed ?? "0 B";
  return {
    machines,
    freed,
    summary: `${s?.paths ?? 0} store paths deleted, ${freed} freed` +
      (machines.length ? ` (old generations of ${machines.join(", ")} removed)` : ""),
  };
}
