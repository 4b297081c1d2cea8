/** What `codchi status` does (no parser needed: the fast path and the command share it). */
import type { Context } from "./context.ts";
import { machineStatuses } from "../core/status.ts";
import { listMachines } from "../core/records.ts";
import { listJournals, STORE_KEY } from "../config/journal_files.ts";
import { driverId, driverSource } from "../core/driver_id.ts";
import { renderTable } from "../ui.ts";

/** Prints every machine's status (one driver call when there are machines). */
export async function statusAction(ctx: Context): Promise<void> {
  const paths = await ctx.paths();
  const names = await listMachines(paths);
  const journals = await listJournals(paths);
  const state = names.length || journals.length ? await (await ctx.driver()).states() : undefined;
  const driver = names.length ? await driverId(driverSource(ctx.env)) : undefined;
  const rows = await machineStatuses(paths, state, driver);
  const store = !state
    ? ""
    : `\nStore: ${
      state.store.installed ? (state.store.running ? "running" : "stopped") : "not installed"
    }${journals.includes(STORE_KEY) ? " (an interrupted creation is finished on next use)" : ""}`;
  ctx.ui.result(
    rows.length
      ? renderTable(
        ["NAME", "STATUS", "RUNNING", "HOME"],
        rows.map((r) => [
          r.name,
          r.reason ? `${r.status}: ${r.reason}` : r.status,
          r.running ? "yes" : "no",
          r.home,
        ]),
        ctx.ui.opts.color,
      ) + store
      : "No machines yet. Create one with: codchi init <name> [<url> [<module>…]]",
    rows,
  );
}
