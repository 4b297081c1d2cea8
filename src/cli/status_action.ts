/** What `codchi status` does (no parser needed: the fast path and the command share it). */
import type { Context } from "./context.ts";
import { machineStatuses } from "../core/status.ts";
import { listMachines } from "../core/records.ts";
import { renderTable } from "../ui.ts";

/** Prints every machine's status (one driver call when there are machines). */
export async function statusAction(ctx: Context): Promise<void> {
  const paths = await ctx.paths();
  const names = await listMachines(paths);
  const state = names.length ? await (await ctx.driver()).states() : undefined;
  const rows = await machineStatuses(paths, state);
  ctx.ui.result(
    rows.length
      ? renderTable(
        ["NAME", "STATUS", "RUNNING", "HOME"],
        rows.map((r) => [r.name, r.status, r.running ? "yes" : "no", r.home]),
        ctx.ui.opts.color,
      )
      : "No machines yet. Create one with: codchi init <name> [<url> [<module>…]]",
    rows,
  );
}
