/** The `secrets` commands: list, get and set a machine's secrets. */
import type { CoreContext } from "./context.ts";
import { NotFoundError } from "../errors.ts";
import { registerSecret } from "../process.ts";
import { readSecretFromStdin } from "../secrets/prompt.ts";
import { loadMachine } from "./machines.ts";
import { findDeclared, normalizeDeclared, readSecretValue } from "./secrets.ts";
import { loadDeclared } from "./machine_secrets.ts";

/** One row of `codchi secrets list`. */
export interface SecretRow {
  name: string;
  description: string;
  set: boolean;
  value?: string;
}

/** `codchi secrets list`. */
export async function listSecrets(
  ctx: CoreContext,
  machine: string,
  showValues: boolean,
): Promise<SecretRow[]> {
  const paths = await ctx.paths();
  await loadMachine(paths, machine);
  const store = await ctx.secrets();
  const rows: SecretRow[] = [];
  for (const d of normalizeDeclared(await loadDeclared(paths, machine))) {
    const v = await store.get(machine, d.name);
    if (v !== undefined) registerSecret(v);
    rows.push({
      name: d.name,
      description: d.description,
      set: v !== undefined,
      ...(showValues ? { value: v } : {}),
    });
  }
  return rows;
}

/** `codchi secrets get`. */
export async function getSecret(ctx: CoreContext, machine: string, name: string): Promise<string> {
  const paths = await ctx.paths();
  await loadMachine(paths, machine);
  findDeclared(await loadDeclared(paths, machine), machine, name);
  const v = await (await ctx.secrets()).get(machine, name);
  if (v === undefined) {
    throw new NotFoundError(
      `Secret ${name} of "${machine}" has no value.`,
      `Set it with: codchi secrets set ${machine} ${name}`,
    );
  }
  return v;
}

/** `codchi secrets set`: masked prompt or stdin; refreshes a running machine's env when asked. */
export async function setSecret(
  ctx: CoreContext,
  machine: string,
  name: string,
  opts: {
    restart: boolean;
    /** Where the value comes from when not from a prompt (default: this process's stdin). */
    stdin?: { isTerminal: boolean; read: () => Promise<string> };
  },
): Promise<{ name: string; machine: string; restarted: boolean; message: string }> {
  const paths = await ctx.paths();
  await loadMachine(paths, machine);
  const decl = findDeclared(await loadDeclared(paths, machine), machine, name);
  const value = await readSecretValue(decl, machine, {
    isTerminal: opts.stdin?.isTerminal ?? Deno.stdin.isTerminal(),
    prompt: (q) => ctx.prompter.secret(q, ""),
    readStdin: opts.stdin?.read ?? (() => readSecretFromStdin()),
  });
  await (await ctx.secrets()).set(machine, name, value);
  const driver = await ctx.driver();
  const running = (await driver.states()).machines.get(machine)?.running ?? false;
  let restarted = false;
  if (running) {
    const restart = opts.restart ||
      (ctx.prompter.interactive &&
        await ctx.prompter.confirm(`Restart "${machine}" so the new value takes effect?`));
    if (restart) {
      const { startMachine } = await import("./start.ts");
      await driver.stop(machine);
      await startMachine(ctx, driver, machine);
      restarted = true;
    }
  }
  const message = restarted
    ? `Secret ${name} of "${machine}" set; the machine was restarted.`
    : running
    ? `Secret ${name} of "${machine}" set; it takes effect after a restart (codchi secrets set … --restart).`
    : `Secret ${name} of "${machine}" set.`;
  return { name, machine, restarted, message };
}
