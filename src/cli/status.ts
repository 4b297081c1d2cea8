/** `codchi status`: every machine, its config status, whether it runs, where its files are. */
import { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { machineStatuses } from "../core/status.ts";
import { listMachines } from "../core/machines.ts";
import { listJournals, STORE_KEY } from "../config/journal.ts";
import { driverId, driverSource } from "../core/flake.ts";
import { renderTable } from "../ui.ts";

/** Builds the `status` command. */
export function statusCommand(ctx: Context) {
  return new Command("status")
    .description("show every machine: config status, running, home folder (the default command)")
    .addHelpText("after", "\nExample:\n  codchi status --json")
    .action(async () => {
      const paths = await ctx.paths();
      const names = await listMachines(paths);
      const journals = await listJournals(paths);
      const state = names.length || journals.length
        ? await (await ctx.driver()).states()
        : undefined;
      const driver = names.length ? await driverId(driverSource(ctx.env)) : undefined;
      const rows = await machineStatuses(paths, state, driver);
      const store = !state
        ? ""
        : `\nStore: ${
          state.store.installed ? (state.store.running ? "running" : "stopped") : "not installed"
        }${
          journals.includes(STORE_KEY) ? " (an interrupted creation is finished on next use)" : ""
        }`;
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
    });
}
