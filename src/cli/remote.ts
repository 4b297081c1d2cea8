/** `codchi remote add|list|remove`: remote LXD/Incus servers for machines (the client's remotes). */
import { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { renderTable } from "../ui.ts";
import { UsageError } from "../errors.ts";
import type { RemoteDeps } from "../driver/lxd/remote_client.ts";

/** The client binary and the remote in use (LXD/Incus only). */
async function deps(ctx: Context): Promise<RemoteDeps> {
  const cfg = await ctx.config();
  const { selectDriverName } = await import("../driver/mod.ts");
  const { name } = selectDriverName(ctx.os, ctx.env, cfg.driver);
  if (name === "wsl") {
    throw new UsageError("Remotes are servers of LXD or Incus; this host uses WSL.");
  }
  return {
    runner: ctx.runner,
    bin: name === "incus" ? "incus" : "lxc",
    inUse: ctx.env.CODCHI_LXD_REMOTE || cfg.remote,
  };
}

/** Builds the `remote` command. */
export function remoteCommand(ctx: Context) {
  const remote = new Command("remote").description(
    "remote LXD/Incus servers the machines can run on (set `remote` in config.json)",
  ).addHelpText(
    "after",
    '\nExamples:\n  printf %s "$TOKEN" | codchi remote add build https://build.example.org:8443\n' +
      "  codchi remote list\n  codchi remote remove build",
  );
  remote.command("add")
    .description(
      "add a server and trust this client there: the trust token (`lxc config trust add` on " +
        "the server) comes from a masked prompt or stdin, never an argument",
    )
    .argument("<name>", "the remote's name (letters, digits, '-' and '_')")
    .argument("<url>", "the server's API address: https://host[:port]")
    .addHelpText(
      "after",
      '\nExample:\n  printf %s "$TOKEN" | codchi remote add build https://build.example.org:8443',
    )
    .action(async (name, url) => {
      const { addRemote } = await import("../driver/lxd/remote_client.ts");
      const d = await deps(ctx);
      const added = await addRemote(d, name, url, async () => {
        if (Deno.stdin.isTerminal()) {
          return await ctx.core().prompter.secret(`Trust token for ${name}`, "");
        }
        const { readSecretFromStdin } = await import("../secrets/prompt.ts");
        return await readSecretFromStdin();
      });
      ctx.ui.result(
        `Remote "${added.name}" (${added.url}) added. Run machines there with ` +
          `"remote": "${added.name}" in config.json.`,
        added,
      );
    });
  remote.command("list").alias("ls")
    .description("list the remotes machines can run on (the one in use is marked)")
    .action(async () => {
      const { listRemotes } = await import("../driver/lxd/remote_client.ts");
      const rows = await listRemotes(await deps(ctx));
      ctx.ui.result(
        rows.length
          ? renderTable(
            ["NAME", "URL", "PROTOCOL", "IN USE"],
            rows.map((r) => [r.name, r.url, r.protocol, r.inUse ? "yes" : ""]),
            ctx.ui.opts.color,
          )
          : "No remote servers (add one with: codchi remote add <name> <url>).",
        rows,
      );
    });
  remote.command("remove").alias("rm")
    .description("forget a remote (the server keeps its machines)")
    .argument("<name>", "the remote's name")
    .action(async (name) => {
      const { removeRemote } = await import("../driver/lxd/remote_client.ts");
      await removeRemote(await deps(ctx), name);
      ctx.ui.result(`Remote "${name}" removed.`, { name, removed: true });
    });
  return remote;
}
