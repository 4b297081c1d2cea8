/** `codchi secrets list|get|set`: the secrets a machine declares (codchi.secrets.env.<NAME>). */
import { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { machineArg } from "./options.ts";
import { getSecret, listSecrets, setSecret } from "../core/secrets_cmd.ts";
import { renderTable } from "../ui.ts";

/** Builds the `secrets` command. */
export function secretsCommand(ctx: Context) {
  const sec = new Command("secrets").description(
    "manage a machine's secrets (kept in the OS keychain)",
  ).addHelpText(
    "after",
    "\nExamples:\n  codchi secrets list java\n  codchi secrets set java GITHUB_TOKEN",
  );
  sec.command("list").alias("ls")
    .description("list declared secrets with their descriptions (values only with --show-values)")
    .argument("<machine>", "machine name", machineArg)
    .option("--show-values", "print the values too")
    .addHelpText("after", "\nExample:\n  codchi secrets list java --json")
    .action(async (machine, opts) => {
      const rows = await listSecrets(ctx.core(), machine, !!opts.showValues);
      ctx.ui.result(
        rows.length
          ? renderTable(
            opts.showValues
              ? ["NAME", "SET", "DESCRIPTION", "VALUE"]
              : ["NAME", "SET", "DESCRIPTION"],
            rows.map((r) => {
              const base = [r.name, r.set ? "yes" : "no", r.description];
              return opts.showValues ? [...base, r.value ?? ""] : base;
            }),
            ctx.ui.opts.color,
          )
          : `Machine "${machine}" declares no secrets (codchi.secrets.env.<NAME>).`,
        rows,
      );
    });
  sec.command("get")
    .description("print a secret's value")
    .argument("<machine>", "machine name", machineArg)
    .argument("<secret>", "secret name")
    .addHelpText("after", "\nExample:\n  codchi secrets get java GITHUB_TOKEN")
    .action(async (machine, name) => {
      const value = await getSecret(ctx.core(), machine, name);
      if (ctx.ui.opts.json) ctx.ui.json({ name, value });
      else await Deno.stdout.write(new TextEncoder().encode(value + "\n"));
    });
  sec.command("set")
    .description("set a secret: a masked prompt, or the value on stdin (never as an argument)")
    .argument("<machine>", "machine name", machineArg)
    .argument("<secret>", "secret name")
    .option("--restart", "restart the machine if it runs, so the value takes effect")
    .addHelpText(
      "after",
      '\nExamples:\n  codchi secrets set java GITHUB_TOKEN\n  printf %s "$TOKEN" | codchi secrets set java GITHUB_TOKEN',
    )
    .action(async (machine, name, opts) => {
      const res = await setSecret(ctx.core(), machine, name, { restart: !!opts.restart });
      ctx.ui.result(res.message, res);
    });
  return sec;
}
