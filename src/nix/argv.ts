/**
 * argv of every nix command codchi runs inside the store container (Nix 2.8 compatible).
 * Commands whose progress matters log `--log-format internal-json -v` to stderr; feed that to
 * `NixLogParser`. stdout stays clean for `--json` results.
 */
import { UsageError } from "../errors.ts";
import { NIX_PATHS } from "../contract.ts";
import { STORE_PATH } from "./metadata.ts";

/** Flags that enable the commands and flakes in every nix call. */
export const NIX_FEATURES: readonly string[] = [
  "--extra-experimental-features",
  "nix-command flakes",
];
/** Flags that make nix report progress as `@nix {…}` lines on stderr. */
export const NIX_PROGRESS: readonly string[] = ["--log-format", "internal-json", "-v"];

/** Attribute path of a machine's system derivation inside its flake. */
export const SYSTEM_ATTR = "nixosConfigurations.default.config.system.build.toplevel";
/** Attribute path of the secrets a machine declares (a JSON list, see `parseDeclaredSecrets`). */
export const SECRETS_ATTR = "nixosConfigurations.default.config.codchi.internal.declaredSecrets";
/** Where a machine's system profile is, as the machine sees it. */
export const MACHINE_SYSTEM_PROFILE = NIX_PATHS.systemProfile;

/** Options shared by all builders. */
export interface NixOptions {
  /** The nix binary (default `nix`). */
  nix?: string;
  /** Extra `--option <name> <value>` pairs, e.g. `{ substituters: "" }`; sorted by name. */
  options?: Record<string, string>;
}

function nix(sub: string[], o: NixOptions = {}, progress = true): string[] {
  const opts = Object.entries(o.options ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([k, v]) => ["--option", k, v]);
  return [o.nix ?? "nix", ...NIX_FEATURES, ...(progress ? NIX_PROGRESS : []), ...opts, ...sub];
}

/** The flake reference of a machine's flake folder: always `path:` (never picks up a git repo). */
export function machineFlakeRef(dir: string): string {
  if (!dir.startsWith("/")) throw new Error(`machineFlakeRef: not absolute: ${dir}`);
  return `path:${dir.replace(/\/+$/, "")}`;
}

/** Names of the modules a flake exports: `nix eval --json <url>#nixosModules --apply builtins.attrNames`. */
export function discoverModulesArgv(
  url: string,
  output = "nixosModules",
  o?: NixOptions,
): string[] {
  return nix(
    ["eval", "--json", "--no-write-lock-file", `${url}#${output}`, "--apply", "builtins.attrNames"],
    o,
  );
}

/**
 * A flake's `nixConfig` as JSON (`{}` without one), read from its source in the store (a path
 * `nix flake metadata` printed; checked here): the flake.nix is imported, its outputs never run.
 */
export function readNixConfigArgv(sourcePath: string, o?: NixOptions): string[] {
  if (!STORE_PATH.test(sourcePath)) {
    throw new Error(`readNixConfigArgv: not a store path: ${JSON.stringify(sourcePath)}`);
  }
  const file = JSON.stringify(`${sourcePath}/flake.nix`);
  return nix(
    ["eval", "--json", "--impure", "--expr", `(import ${file}).nixConfig or { }`],
    o,
    false,
  );
}

/** `nix flake metadata --json <url>` (inputs, revision); never writes a lock into the module. */
export function flakeMetadataArgv(url: string, o?: NixOptions): string[] {
  return nix(["flake", "metadata", "--json", "--no-write-lock-file", url], o);
}

/** Creates missing lock entries (after a module was added), keeping the others. */
export function lockArgv(flakeRef: string, o?: NixOptions): string[] {
  return nix(["flake", "lock", flakeRef], o);
}

/** Updates every input of the lock, or only `inputs` (flake input names) when given. */
export function updateLockArgv(flakeRef: string, inputs: readonly string[] = [], o?: NixOptions) {
  if (inputs.length === 0) return nix(["flake", "update", flakeRef], o);
  for (const i of inputs) {
    if (!/^[a-zA-Z][a-zA-Z0-9_-]*$/.test(i)) throw new Error(`updateLockArgv: bad input ${i}`);
  }
  return nix(["flake", "lock", flakeRef, ...inputs.flatMap((i) => ["--update-input", i])], o);
}

/** Options of `buildSystemArgv`. */
export interface BuildOptions extends NixOptions {
  /** Fail instead of writing flake.lock when it is missing or incomplete. */
  frozenLock?: boolean;
}

/** Builds the machine and points `profile` at it (a new generation): `nix build --profile`. */
export function buildSystemArgv(flakeRef: string, profile: string, o: BuildOptions = {}): string[] {
  return nix([
    "build",
    "--no-link",
    ...(o.frozenLock ? ["--no-update-lock-file"] : []),
    "--profile",
    profile,
    `${flakeRef}#${SYSTEM_ATTR}`,
  ], o);
}

/** Deletes old generations of `profile` (all but the current, or those older than `days`). */
export function wipeHistoryArgv(profile: string, olderThanDays?: number, o?: NixOptions) {
  if (olderThanDays !== undefined && (!Number.isInteger(olderThanDays) || olderThanDays < 1)) {
    throw new UsageError(
      `Invalid age ${olderThanDays}: give a whole number of days, at least 1.`,
      "Example: codchi gc --delete-old 30",
    );
  }
  const older = olderThanDays === undefined ? [] : ["--older-than", `${olderThanDays}d`];
  return nix(["profile", "wipe-history", "--profile", profile, ...older], o);
}

/** Deletes unreachable store paths: `nix store gc`. */
export function storeGcArgv(o?: NixOptions): string[] {
  return nix(["store", "gc"], o);
}

/** Builds a VM image of a machine's flake (no out-link); its store path comes as JSON on stdout. */
export function buildImageArgv(flakeRef: string, attr: string, o?: NixOptions): string[] {
  return nix(["build", "--no-link", "--json", `${flakeRef}#${attr}`], o);
}

/** The image file's path inside the built image (NixOS's `passthru.filePath`), raw on stdout. */
export function imageFilePathArgv(flakeRef: string, attr: string, o?: NixOptions): string[] {
  return nix(["eval", "--raw", `${flakeRef}#${attr}.passthru.filePath`], o);
}

/** Reads the secrets a machine declares as JSON on stdout (see `parseDeclaredSecrets`). */
export function readSecretsArgv(flakeRef: string, o?: NixOptions): string[] {
  return nix(["eval", "--json", `${flakeRef}#${SECRETS_ATTR}`], o);
}

/** Run as root in the machine after a build: activate the profile's current generation. */
export function switchToConfigurationArgv(profile: string = MACHINE_SYSTEM_PROFILE): string[] {
  return [`${profile}/bin/switch-to-configuration`, "switch"];
}
