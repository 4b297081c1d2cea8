/** What `codchi status` does (no parser needed: the fast path and the command share it). */
import type { Context } from "./context.ts";
import { machineStatuses, storeLine, storeStatus } from "../core/status.ts";
import { listMachines } from "../core/records.ts";
import { listJournals, STORE_KEY } from "../config/journal_files.ts";
import { driverId, driverSource } from "../core/driver_id.ts";
import { renderTable } from "../ui.ts";

/** Prints every machine's status (one driver call when there are machines). */
export async function statusAction(ctx: Context): Promise<void> {
  const paths = await ctx.paths();
  const names = await listMachines(paths);
  const journals = await listJournals(paths);
  // The one `lxc list` is spawned first (states() spawns before its first await); the machines'
  // files are read and the driver flake hashed while it runs.
  const states = names.length || journals.length
    ? (await ctx.driver()).states()
    : Promise.resolve(undefined);
  const driver = names.length ? driverId(driverSource(ctx.env)) : undefined;
  const rows = await machineStatuses(paths, states, driver);
  const state = await states;
  const store = state && storeStatus(state.store, journals.includes(STORE_KEY));
  // JSON: every row carries the store's state (the listing stays a list, as documented).
  const json = store
    ? rows.map((r) => ({
      ...r,
      store: store.state,
      ...(store.reason ? { storeReason: store.reason } : {}),
    }))
    : rows;
  const table = rows.length
    ? renderTable(
      ["NAME", "STATUS", "RUNNING", "HOME"],
      rows.map((r) => [
        r.name,
        r.reason ? `${r.status}: ${r.reason}` : r.status,
        r.running ? "yes" : "no",
        r.home,
      ]),
      ctx.ui.opts.color,
    )
    : "No machines yet. Create one with: codchi init <name> [<url> [<module>…]]";
  ctx.ui.result(
    store && (rows.length || store.state === "broken") ? `${table}\n${storeLine(store)}` : table,
    json,
  );
}
