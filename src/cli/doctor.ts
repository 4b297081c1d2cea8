/** `codchi doctor`: which driver applies here and every missing prerequisite, with its fix. */
import { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { type Check, doctor } from "../core/doctor.ts";
import { selectDriverName } from "../driver/mod.ts";
import { ExitCode } from "../errors.ts";
import { renderTable } from "../ui.ts";

/** Builds the `doctor` command. */
export function doctorCommand(ctx: Context) {
  return new Command("doctor")
    .description("check this host: driver, daemon, permissions, display, sound, secrets")
    .addHelpText("after", "\nExample:\n  codchi doctor --json")
    .action(async () => {
      const choice = selectDriverName(ctx.os, ctx.env, (await ctx.config()).driver);
      const { checks, ok } = await doctor(ctx.core(), choice);
      ctx.ui.result(render(checks, ok, ctx.ui.opts.color), { driver: choice.name, ok, checks });
      if (!ok) ctx.exitCode = ExitCode.prerequisite;
    });
}

function render(checks: Check[], ok: boolean, color: boolean): string {
  const mark = (c: Check) => c.ok ? "ok" : c.severity === "error" ? "MISSING" : "warning";
  const table = renderTable(
    ["CHECK", "RESULT", "DETAIL", "FIX"],
    checks.map((c) => [c.name, mark(c), c.detail, c.fix ?? ""]),
    color,
  );
  return `${table}\n\n${
    ok
      ? "codchi can work on this host."
      : "codchi cannot work on this host yet: fix the MISSING items above."
  }`;
}
