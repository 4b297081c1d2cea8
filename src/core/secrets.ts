/**
 * Secrets of a machine, platform-free: from the declared set (`codchi.secrets.env.<NAME>` of the
 * built config), the SecretStore and the environment, decide what to keep, ask and forget, then
 * do it. A value in `CODCHI_SECRET_<NAME>` wins over the store and is saved; without a way to ask,
 * every missing secret is reported in ONE error before anything is built.
 */
import { NotFoundError, UsageError } from "../errors.ts";
import { registerSecret } from "../process.ts";
import {
  checkSecretValue,
  hostVarName,
  machineVars,
  secretVarSuffix,
} from "../secrets/env_file.ts";
import type { SecretStore } from "../secrets/types.ts";

/** One secret declared by a machine's NixOS config. */
export interface DeclaredSecret {
  name: string;
  description: string;
}

/** The declared set as evaluated from the config: NAME → {name, description}. */
export type DeclaredSecrets = Record<string, DeclaredSecret>;

/** Environment as a plain record. */
type Env = Record<string, string | undefined>;

/** What a build does with each secret name. */
export interface SecretPlan {
  /** Declared and already stored (and not overridden by the environment). */
  keep: string[];
  /** Declared, with a value in `CODCHI_SECRET_<NAME>` (saved to the store). */
  fromEnv: string[];
  /** Declared, with no value anywhere: asked for, or an error without a terminal. */
  ask: string[];
  /** Stored but no longer declared: removed from the store. */
  forget: string[];
}

/** Asks the user for one secret (masked); injected so the logic is testable. */
export type SecretPrompt = (secret: DeclaredSecret, machine: string) => Promise<string>;

/**
 * The declared secrets as a list sorted by name, each checked: a valid name (the NixOS option's
 * pattern) and no two names that become the same `CODCHI_<NAME>` variable.
 */
export function normalizeDeclared(declared: DeclaredSecrets): DeclaredSecret[] {
  const list = Object.entries(declared).map(([key, d]) => ({
    name: d.name || key,
    description: d.description ?? "",
  }));
  list.forEach((d) => secretVarSuffix(d.name));
  machineVars(Object.fromEntries(list.map((d) => [d.name, ""])));
  return list.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Pure: the plan for the declared names, the keys in the store and the environment. */
export function planSecrets(declared: string[], stored: string[], env: Env): SecretPlan {
  const have = new Set(stored);
  const want = new Set(declared);
  const plan: SecretPlan = { keep: [], fromEnv: [], ask: [], forget: [] };
  for (const name of [...want].sort()) {
    if (env[hostVarName(name)] !== undefined) plan.fromEnv.push(name);
    else if (have.has(name)) plan.keep.push(name);
    else plan.ask.push(name);
  }
  plan.forget = [...have].filter((k) => !want.has(k)).sort();
  return plan;
}

/** The error for secrets that have no value and cannot be asked for: every name, and the fixes. */
export function missingSecretsError(
  machine: string,
  missing: DeclaredSecret[],
  command = "rebuild",
): UsageError {
  const lines = missing.map((s) =>
    `  ${s.name}${s.description ? ` — ${s.description}` : ""} (or ${hostVarName(s.name)})`
  );
  const first = missing[0]?.name ?? "NAME";
  const count = missing.length === 1 ? "a secret" : `${missing.length} secrets`;
  return new UsageError(
    `Machine "${machine}" needs ${count} with no value, and codchi cannot ask (no terminal, ` +
      `or --dont-prompt):\n${lines.join("\n")}`,
    `Set each once with \`codchi secrets set ${machine} <NAME>\` (masked prompt, or the value ` +
      `on stdin), or pass it in the environment of this command, e.g. ` +
      `\`${hostVarName(first)}=… codchi ${command} ${machine}\`.`,
  );
}

/** Everything `syncSecrets` needs. */
export interface SyncSecretsInput {
  /** Machine name; also the store scope. */
  machine: string;
  declared: DeclaredSecrets;
  store: SecretStore;
  env: Env;
  /** Undefined when codchi may not ask (no terminal, or --dont-prompt). */
  prompt?: SecretPrompt;
  /** The command named in the error's example (default "rebuild"). */
  command?: string;
}

/** What `syncSecrets` did, and the values for the machine's env file (declared name → value). */
export interface SyncSecretsResult {
  plan: SecretPlan;
  values: Record<string, string>;
}

/**
 * Brings the store in line with the declared set: reads kept values, saves values from the
 * environment, asks for missing ones (or throws one error naming all of them BEFORE asking or
 * writing anything), and forgets undeclared ones. Every value is registered for redaction.
 */
export async function syncSecrets(input: SyncSecretsInput): Promise<SyncSecretsResult> {
  const { machine, store, env } = input;
  const declared = normalizeDeclared(input.declared);
  const byName = new Map(declared.map((d) => [d.name, d]));
  const plan = planSecrets(declared.map((d) => d.name), await store.list(machine), env);
  if (plan.ask.length > 0 && !input.prompt) {
    throw missingSecretsError(machine, plan.ask.map((n) => byName.get(n)!), input.command);
  }
  const values: Record<string, string> = {};
  for (const name of plan.fromEnv) {
    const value = env[hostVarName(name)]!;
    registerSecret(value);
    checkSecretValue(name, value);
    values[name] = value;
  }
  for (const name of plan.keep) {
    const value = await store.get(machine, name);
    if (value === undefined) {
      plan.keep = plan.keep.filter((n) => n !== name);
      plan.ask.push(name); // vanished since list(): ask like any missing one
      continue;
    }
    registerSecret(value);
    values[name] = value;
  }
  if (plan.ask.length > 0 && !input.prompt) {
    throw missingSecretsError(machine, plan.ask.map((n) => byName.get(n)!), input.command);
  }
  for (const name of plan.ask.sort()) {
    const value = await input.prompt!(byName.get(name)!, machine);
    registerSecret(value);
    checkSecretValue(name, value);
    values[name] = value;
    await store.set(machine, name, value);
  }
  for (const name of plan.fromEnv) {
    if ((await store.get(machine, name)) !== values[name]) {
      await store.set(machine, name, values[name]);
    }
  }
  for (const name of plan.forget) await store.delete(machine, name);
  return { plan, values };
}

/** The question a masked prompt shows for a secret. */
export function secretQuestion(secret: DeclaredSecret, machine: string): string {
  const about = secret.description ? ` (${secret.description})` : "";
  return `Secret ${secret.name} for machine "${machine}"${about}`;
}

/** Where `codchi secrets set` takes a value from (injected effects). */
export interface SecretInput {
  /** True when stdin is a terminal. */
  isTerminal: boolean;
  /** Masked prompt on the terminal. */
  prompt(question: string): Promise<string>;
  /** The whole of stdin, one trailing newline removed. */
  readStdin(): Promise<string>;
}

/**
 * The value for `codchi secrets set`: the masked prompt on a terminal, else stdin (a value is
 * never taken from argv). Checked (no NUL, valid Unicode) and registered for redaction.
 */
export async function readSecretValue(
  secret: DeclaredSecret,
  machine: string,
  io: SecretInput,
): Promise<string> {
  const value = io.isTerminal
    ? await io.prompt(secretQuestion(secret, machine))
    : await io.readStdin();
  registerSecret(value);
  checkSecretValue(secret.name, value);
  return value;
}

/** The declared secret called `name`; a NotFoundError listing the declared ones otherwise. */
export function findDeclared(
  declared: DeclaredSecrets,
  machine: string,
  name: string,
): DeclaredSecret {
  const found = normalizeDeclared(declared).find((d) => d.name === name);
  if (!found) {
    const names = normalizeDeclared(declared).map((d) => d.name);
    throw new NotFoundError(
      `Machine "${machine}" declares no secret ${JSON.stringify(name)}.`,
      names.length
        ? `Declared: ${names.join(", ")}. Secrets are declared with codchi.secrets.env.<NAME>.`
        : "It declares none; add codchi.secrets.env.<NAME> to its NixOS config and rebuild.",
    );
  }
  return found;
}
