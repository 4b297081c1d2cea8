/** `codchi gc`: remove old system generations, then collect the store. */
import { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { machineArg, parseCount } from "./options.ts";
import { collectGarbage } from "../core/gc.ts";

/** Builds the `gc` command. */
export function gcCommand(ctx: Context) {
  return new Command("gc")
    .description("delete old system generations (optionally older than N days), then gc the store")
    .argument(
      "[machines...]",
      "machines whose old generations to delete",
      (v, prev: string[] = []) => [...prev, machineArg(v)],
    )
    .option(
      "-d, --delete-old [days]",
      "delete generations older than DAYS (all old ones if none)",
      parseCount,
    )
    .option("-a, --all", "all machines")
    .addHelpText("after", "\nExamples:\n  codchi gc\n  codchi gc --delete-old 30 --all")
    .action(async (machines, opts) => {
      const res = await collectGarbage(ctx.core(), {
        machines: machines ?? [],
        all: !!opts.all,
        deleteOld: opts.deleteOld === undefined
          ? undefined
          : opts.deleteOld === true
          ? 0
          : opts.deleteOld,
      });
      ctx.ui.result(res.summary, res);
    });
}
