/** Secrets in the lifecycle and the `secrets` commands: declared set, values, the env file. */
import { z } from "zod";
import { machinePaths, type Paths } from "../config/paths.ts";
import { readJson, writeJson } from "../config/store.ts";
import type { MachineEnv } from "../driver/types.ts";
import { NotFoundError } from "../errors.ts";
import { registerSecret } from "../process.ts";
import { renderEnvFile } from "../secrets/env_file.ts";
import { readSecretFromStdin } from "../secrets/prompt.ts";
import type { CoreContext } from "./context.ts";
import { loadMachine } from "./machines.ts";
import {
  type DeclaredSecrets,
  findDeclared,
  normalizeDeclared,
  readSecretValue,
  secretQuestion,
  syncSecrets,
} from "./secrets.ts";

/** The declared secrets of a machine (names and descriptions, never values). */
export type Declared = DeclaredSecrets;

const DeclaredSchema = z.record(
  z.string(),
  z.strictObject({ name: z.string(), description: z.string() }),
);

function declaredFile(paths: Paths, machine: string): string {
  return `${machinePaths(paths, machine).dir}/secrets.json`;
}

/** Records the declared set at build time, so `status`, `start` and `secrets` need no eval. */
export async function saveDeclared(
  paths: Paths,
  machine: string,
  declared: Declared,
): Promise<void> {
  await writeJson(declaredFile(paths, machine), declared);
}

/** The declared set recorded at the last build (empty when never built). */
export async function loadDeclared(paths: Paths, machine: string): Promise<Declared> {
  return (await readJson(declaredFile(paths, machine), DeclaredSchema)) ?? {};
}

/** Keeps, asks for and forgets secrets for a build; returns name → value. */
export async function collectSecrets(
  ctx: CoreContext,
  machine: string,
  declared: Declared,
): Promise<Record<string, string>> {
  const res = await syncSecrets({
    machine,
    declared,
    store: await ctx.secrets(),
    env: ctx.env,
    prompt: ctx.prompter.interactive
      ? (s, m) => ctx.prompter.secret(secretQuestion(s, m), "")
      : undefined,
  });
  return res.values;
}

/** The env the machine starts with: its env file (secrets) and plain variables. */
export function machineEnv(
  machine: string,
  values: Record<string, string>,
  usb: string[] = [],
): MachineEnv {
  return {
    envFile: new TextEncoder().encode(renderEnvFile(values)),
    vars: { CODCHI_MACHINE_NAME: machine },
    usb,
  };
}

/** Values of the machine's declared secrets from the store (missing ones are warned about). */
export async function secretValuesFor(
  ctx: CoreContext,
  paths: Paths,
  machine: string,
): Promise<Record<string, string>> {
  const declared = normalizeDeclared(await loadDeclared(paths, machine));
  const store = await ctx.secrets();
  const values: Record<string, string> = {};
  for (const d of declared) {
    const v = await store.get(machine, d.name);
    if (v === undefined) {
      ctx.reporter.warn(
        `Secret ${d.name} of "${machine}" has no value: codchi secrets set ${machine} ${d.name}`,
      );
      continue;
    }
    registerSecret(v);
    values[d.name] = v;
  }
  return values;
}

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
      const { startMachine } = await import("./lifecycle.ts");
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

/** The whole of stdin as text (for `--auth -`). */
export function readStdinText(): Promise<string> {
  return readSecretFromStdin();
}
