/** The one machine-name rule, valid for LXD/Incus instances, WSL distros and file names. */
import { UsageError } from "../errors.ts";

/** Container/distro prefix of every machine. */
export const MACHINE_PREFIX = "codchi-";
/** LXD's instance-name limit minus the prefix. */
export const MAX_NAME_LENGTH = 63 - MACHINE_PREFIX.length;
const RESERVED = new Set([
  "con",
  "prn",
  "aux",
  "nul",
  ...Array.from({ length: 9 }, (_, i) => `com${i + 1}`),
  ...Array.from({ length: 9 }, (_, i) => `lpt${i + 1}`),
]);

const RULE = `A machine name uses lowercase letters, digits and hyphens, starts with a letter, ` +
  `does not end with a hyphen and has at most ${MAX_NAME_LENGTH} characters.`;

/** Why `name` is not a valid machine name, or undefined when it is. */
export function machineNameProblem(name: string): string | undefined {
  if (name.length === 0) return "the name is empty";
  if (name.length > MAX_NAME_LENGTH) {
    return `it has ${name.length} characters, more than ${MAX_NAME_LENGTH}`;
  }
  if (!/^[a-z]/.test(name)) return "it does not start with a letter a-z";
  const bad = [...new Set([...name].filter((c) => !/[a-z0-9-]/.test(c)))];
  if (bad.length) return `it contains ${bad.map((c) => JSON.stringify(c)).join(", ")}`;
  if (name.endsWith("-")) return "it ends with a hyphen";
  if (RESERVED.has(name)) return `"${name}" is a reserved file name on Windows`;
  return undefined;
}

/** A valid name close to `name` (lowercased, other characters turned into hyphens). */
export function suggestMachineName(name: string): string {
  let s = name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-").replace(/-+/g, "-").replace(/^-+/, "");
  if (!s) return "machine";
  if (!/^[a-z]/.test(s)) s = `m-${s}`;
  s = s.slice(0, MAX_NAME_LENGTH).replace(/-+$/, "");
  if (RESERVED.has(s)) s = `${s}-machine`;
  return s.length ? s : "machine";
}

/** Throws a UsageError (exit 2) that explains the rule and suggests a name. */
export function validateMachineName(name: string): string {
  const problem = machineNameProblem(name);
  if (problem) {
    throw new UsageError(
      `Invalid machine name ${JSON.stringify(name)}: ${problem}.`,
      `${RULE} Try "${suggestMachineName(name)}".`,
    );
  }
  return name;
}

/** The LXD instance / WSL distro name of a machine. */
export function containerName(machine: string): string {
  return MACHINE_PREFIX + machine;
}

/** The machine name of a container/distro, or undefined when it is not a codchi machine. */
export function machineOfContainer(container: string): string | undefined {
  if (!container.startsWith(MACHINE_PREFIX)) return undefined;
  const name = container.slice(MACHINE_PREFIX.length);
  return machineNameProblem(name) ? undefined : name;
}

/** The store container/distro name. */
export const STORE_CONTAINER = "codchistore";
