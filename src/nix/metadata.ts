/** Parsers of what the nix commands of `argv.ts` print on stdout. Every parser validates. */
import { ToolError } from "../errors.ts";
import { machineVarName } from "../secrets/env_file.ts";

/** nix printed something codchi cannot read: a ToolError (exit 6), never a bug report. */
function unreadable(what: string, problem: string, cause?: unknown): ToolError {
  return new ToolError(
    "nix",
    `nix printed unreadable ${what}: ${problem}`,
    "",
    -1,
    "Check the nix version in the store (codchi doctor), or run again with -v.",
    { cause },
  );
}

/** A flake's metadata as codchi needs it. */
export interface FlakeMetadata {
  /** The locked URL (with rev / narHash). */
  url: string;
  /** Commit, when the flake is a git repository at a clean revision. */
  revision?: string;
  /** Seconds since the epoch of the last change. */
  lastModified?: number;
  /** Names of the flake's own top-level inputs, sorted. */
  inputs: string[];
  /** True when the flake has its own `nixpkgs` input (usable with --use-nixpkgs remote). */
  hasNixpkgs: boolean;
  /** The flake's source in the store (where its flake.nix is read from). */
  path?: string;
}

/** A top-level store path (what `nix flake metadata` calls the flake's `path`). */
export const STORE_PATH = /^\/nix\/store\/[0-9a-z]{32}-[A-Za-z0-9+._?=-]+$/;

/** A secret declared by a machine through `codchi.secrets.env.<NAME>`. */
export interface DeclaredSecret {
  /** The secret's name (`^[a-zA-Z0-9:_.-]+$`). */
  name: string;
  description: string;
  /** The environment variable it appears as (`machineVarName` of src/secrets/env_file.ts). */
  variable: string;
}

function parseJson(what: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw unreadable(what, `invalid JSON (${(e as Error).message})`, e);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parses `nix flake metadata --json`. */
export function parseFlakeMetadata(text: string): FlakeMetadata {
  const v = parseJson("flake metadata", text);
  if (!isRecord(v) || typeof v.url !== "string") throw unreadable("flake metadata", "no url");
  const locks = isRecord(v.locks) ? v.locks : {};
  const nodes = isRecord(locks.nodes) ? locks.nodes : {};
  const rootName = typeof locks.root === "string" ? locks.root : "root";
  const root = isRecord(nodes[rootName]) ? nodes[rootName] as Record<string, unknown> : {};
  const inputs = isRecord(root.inputs) ? Object.keys(root.inputs).sort() : [];
  const meta: FlakeMetadata = { url: v.url, inputs, hasNixpkgs: inputs.includes("nixpkgs") };
  if (typeof v.revision === "string") meta.revision = v.revision;
  if (typeof v.lastModified === "number") meta.lastModified = v.lastModified;
  if (typeof v.path === "string" && STORE_PATH.test(v.path)) meta.path = v.path;
  return meta;
}

/** Parses the output of `discoverModulesArgv`: a sorted list of module names. */
export function parseModuleNames(text: string): string[] {
  const v = parseJson("module names", text);
  if (!Array.isArray(v) || !v.every((n) => typeof n === "string")) {
    throw unreadable("module names", "expected a JSON list of strings");
  }
  return [...v].sort();
}

/** Parses the output of `readSecretsArgv`, sorted by name. */
export function parseDeclaredSecrets(text: string): DeclaredSecret[] {
  const v = parseJson("declared secrets", text);
  if (!Array.isArray(v)) throw unreadable("declared secrets", "expected a JSON list");
  return v.map((s) => {
    if (
      !isRecord(s) || typeof s.name !== "string" || !/^[a-zA-Z0-9:_.-]+$/.test(s.name) ||
      typeof s.description !== "string"
    ) {
      throw unreadable("declared secrets", `bad entry ${JSON.stringify(s)}`);
    }
    return { name: s.name, description: s.description, variable: machineVarName(s.name) };
  }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
