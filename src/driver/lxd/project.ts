/**
 * The LXD/Incus project a codchi data folder lives in: each data folder (so each OS user) gets a
 * project of its own, so several users on one host each have their own `codchistore` and
 * machines, invisible to one another. Pure: the choice, the name and the argv.
 */
import { UsageError } from "../../errors.ts";
import { DEFAULT_PROJECT, type LxcBinary } from "./argv.ts";

// The parts exec's and status's fast paths need live in argv.ts and parse.ts (one module less).
export { DEFAULT_PROJECT, detectBinary, inProject } from "./argv.ts";
export { isProjectMissing } from "./parse.ts";

/** Where the choice came from (doctor says it). */
export type ProjectSource = "env" | "config" | "pinned" | "existing install" | "new";

/** What decides the project. */
export interface ProjectInputs {
  /** `CODCHI_LXD_PROJECT`. */
  env?: string;
  /** `config.json` `lxd.project`. */
  config?: string;
  /** The name pinned in the data folder when its store was made. */
  pinned?: string;
  /** True when the data folder already has a store folder but no pin (made before projects). */
  storeFolderExists: boolean;
  /** The OS user's name (or uid). */
  user: string;
  /** The data folder (absolute). */
  dataDir: string;
}

/**
 * The project and why: the environment, then config.json, then the pinned name; a data folder
 * whose store was made before projects stays in `default` (nothing moves); a new one gets
 * `codchi-<user>-<hash of the data folder>`.
 */
export function chooseProject(i: ProjectInputs): { project: string; source: ProjectSource } {
  const explicit = i.env
    ? { v: i.env, s: "env" as const }
    : i.config
    ? { v: i.config, s: "config" as const }
    : undefined;
  if (explicit) {
    const problem = projectNameProblem(explicit.v);
    if (problem) {
      throw new UsageError(
        `The LXD project "${explicit.v}" (${
          explicit.s === "env" ? "CODCHI_LXD_PROJECT" : "config.json lxd.project"
        }) ${problem}.`,
        "Use letters, digits, '-' and '_' (at most 63), e.g. codchi-alice.",
      );
    }
    return { project: explicit.v, source: explicit.s };
  }
  if (i.pinned && !projectNameProblem(i.pinned)) return { project: i.pinned, source: "pinned" };
  if (i.storeFolderExists) return { project: DEFAULT_PROJECT, source: "existing install" };
  return { project: autoProjectName(i.user, i.dataDir), source: "new" };
}

/**
 * Whether the project is the data folder's own (made and pinned by codchi), so `uninstall` may
 * delete it; one named by `CODCHI_LXD_PROJECT` or config.json may be shared and stays.
 */
export function ownsProject(source: ProjectSource): boolean {
  return source === "new" || source === "pinned";
}

/** Why `name` cannot be a project name, or undefined. */
export function projectNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) return "is not a valid project name";
  if (name.length > 63) return "is longer than 63 characters";
  return undefined;
}

/** `codchi-<user>-<8 hex of the data folder>`: readable, and two data folders never clash. */
export function autoProjectName(user: string, dataDir: string): string {
  const who = user.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 24);
  return `codchi-${who || "user"}-${fnv1a(dataDir)}`;
}

/** FNV-1a, 32 bit, as 8 hex digits (a stable short tag, not a security hash). */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** Whether a project exists (exit code 0) without printing it. */
export function projectShowArgv(bin: LxcBinary, project: string): string[] {
  return [bin, "project", "show", project];
}

/**
 * Creates the project: its own instances and images; the default project's profiles (root disk)
 * and storage volumes are used, so no pool or profile needs setting up.
 */
export function projectCreateArgv(bin: LxcBinary, project: string): string[] {
  return [
    bin,
    "project",
    "create",
    "-q",
    project,
    "-c",
    "features.images=true",
    "-c",
    "features.profiles=false",
    "-c",
    "features.storage.volumes=false",
  ];
}

/** Deletes the (empty) project. */
export function projectDeleteArgv(bin: LxcBinary, project: string): string[] {
  return [bin, "project", "delete", "-q", project];
}

/** Why this project, for people (`codchi doctor`). */
export function describeProjectSource(source: ProjectSource): string {
  switch (source) {
    case "env":
      return "CODCHI_LXD_PROJECT";
    case "config":
      return "config.json lxd.project";
    case "pinned":
      return "this data folder's own";
    case "existing install":
      return "a store made before projects: the engine's default project";
    case "new":
      return "this data folder's own, made with its store";
  }
}
