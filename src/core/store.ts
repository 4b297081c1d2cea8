/** The store commands: a debug shell, recovery of the store and of a machine. */
import { NotImplementedError } from "../errors.ts";
import type { CoreContext } from "./context.ts";
import { loadMachine } from "./machines.ts";
import { journaled, withMachine } from "./journal_ops.ts";

/**
 * `codchi store debug [cmd…]`: a root shell (or `argv`) in the store. The store is started when
 * needed, but its nix-daemon is not waited for: this is the tool for a store whose daemon is dead.
 */
export async function storeShell(ctx: CoreContext, argv: string[] = []): Promise<number> {
  const driver = await ctx.driver();
  return await driver.store.shell(argv, ctx.reporter);
}

/** `codchi store recover`: re-creates the store container from its image, keeping /nix. */
export async function recoverStore(ctx: CoreContext): Promise<void> {
  const driver = await ctx.driver();
  ctx.reporter.step("Re-creating the store container");
  await driver.store.recover(ctx.reporter);
}

/** `codchi recover <name>`: re-creates a machine's container, keeping its home and profile. */
export async function recoverMachine(ctx: CoreContext, name: string): Promise<void> {
  const paths = await ctx.paths();
  await loadMachine(paths, name);
  const driver = await ctx.driver();
  const recover = driver.recover?.bind(driver);
  if (!recover) {
    throw new NotImplementedError(
      `The ${driver.name} driver cannot recover machines yet.`,
      `Try: codchi store recover`,
    );
  }
  await withMachine(ctx, name, async () => {
    await loadMachine(paths, name);
    ctx.reporter.step(`Re-creating the container of "${name}"`);
    await journaled(ctx, name, "recover", {}, async (j) => {
      await j.making("container");
      await recover(name, ctx.reporter);
    });
  });
}
