/** A machine's secrets in its lifecycle: the declared set, the values, the env file it starts with. */
import { z } from "zod";
import { machinePaths, type Paths } from "../config/paths.ts";
import { readJson, writeJson } from "../config/store.ts";
import type { MachineEnv } from "../driver/types.ts";
import { registerSecret } from "../process.ts";
import { renderEnvFile } from "../secrets/env_file.ts";
import { readSecretFromStdin } from "../secrets/prompt.ts";
import type { CoreContext } from "./context.ts";
import { type DeclaredSecrets, normalizeDeclared, secretQuestion, syncSecrets } from "./secrets.ts";

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

/** The whole of stdin as text (for `--auth -`). */
export function readStdinText(): Promise<string> {
  return readSecretFromStdin();
}
