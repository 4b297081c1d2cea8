/**
 * The machine's env file (`envFile` of nix/contract.json): how declared secrets reach the machine.
 *
 * One rendering serves every POSIX shell (bash, dash, zsh, busybox sh, ksh) and systemd's
 * `EnvironmentFile=`: each value is a chain of single-quoted runs joined by `"'"` for every
 * single quote, and a last `export NAME…` line (a line with no `=` is skipped by systemd and
 * exports in a shell). fish needs its own rendering (`renderFishEnvFile`). Pure functions.
 */
import { UsageError } from "../errors.ts";
import { ENV_FILE } from "../contract.ts";

/** A name allowed by the NixOS option `codchi.secrets.env.<NAME>.name`. */
export const SECRET_NAME_PATTERN = /^[a-zA-Z0-9:_.-]+$/;

/** Prefix of every secret's variable inside the machine. */
export const MACHINE_ENV_PREFIX = "CODCHI_";

/** Prefix of the host variable that supplies a secret without a prompt. */
export const HOST_ENV_PREFIX = "CODCHI_SECRET_";

const HEADER = "# Written by codchi at each start; edits are lost. Values are secrets.\n";

/**
 * The variable-name part of a secret name: `:`, `.` and `-` (legal in the NixOS option, illegal
 * in shell variable names) become `_`. Throws a UsageError for a name the option would refuse.
 */
export function secretVarSuffix(name: string): string {
  if (!SECRET_NAME_PATTERN.test(name)) {
    throw new UsageError(
      `Invalid secret name ${JSON.stringify(name)}.`,
      "A secret name uses letters, digits and the characters : _ . - (and is not empty).",
    );
  }
  return name.replace(/[:.-]/g, "_");
}

/** `CODCHI_<NAME>`: the variable a secret becomes inside the machine. */
export function machineVarName(name: string): string {
  return MACHINE_ENV_PREFIX + secretVarSuffix(name);
}

/** `CODCHI_SECRET_<NAME>`: the host variable that supplies a secret non-interactively. */
export function hostVarName(name: string): string {
  return HOST_ENV_PREFIX + secretVarSuffix(name);
}

/**
 * Why `value` cannot be delivered exactly, or undefined when it can: a NUL byte ends a C string
 * (no environment can hold it), and a lone UTF-16 surrogate has no UTF-8 form.
 */
export function secretValueProblem(value: string): string | undefined {
  if (value.includes("\0")) return "it contains a NUL character, which no environment can hold";
  if (!value.isWellFormed()) return "it is not valid Unicode (a lone surrogate)";
  return undefined;
}

/** Throws a UsageError naming the secret when its value cannot be delivered exactly. */
export function checkSecretValue(name: string, value: string): void {
  const problem = secretValueProblem(value);
  if (problem) {
    throw new UsageError(
      `The value of secret ${name} cannot be used: ${problem}.`,
      `Set it again with \`codchi secrets set <machine> ${name}\`.`,
    );
  }
}

/** Maps secret names to machine variable names, refusing two names that map to one variable. */
export function machineVars(values: Record<string, string>): [string, string][] {
  const byVar = new Map<string, string>();
  const out: [string, string][] = [];
  for (const name of Object.keys(values).sort()) {
    const v = machineVarName(name);
    const other = byVar.get(v);
    if (other !== undefined) {
      throw new UsageError(
        `Secrets ${JSON.stringify(other)} and ${JSON.stringify(name)} both become ${v}.`,
        "Inside the machine : . and - turn into _; rename one of them in the NixOS config.",
      );
    }
    byVar.set(v, name);
    checkSecretValue(name, values[name]);
    out.push([v, values[name]]);
  }
  return out.sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
}

/** Quotes a value for POSIX shells and systemd alike: `'…'` runs, each `'` written as `"'"`. */
export function quoteValue(value: string): string {
  return `'${value.replaceAll("'", `'"'"'`)}'`;
}

/**
 * Renders the env file from secret name → value: sourced by any POSIX shell it sets and
 * exports `CODCHI_<NAME>`; read by systemd's `EnvironmentFile=` it yields the same values.
 */
export function renderEnvFile(values: Record<string, string>): string {
  const vars = machineVars(values);
  let out = HEADER;
  for (const [v, value] of vars) out += `${v}=${quoteValue(value)}\n`;
  if (vars.length > 0) out += `export ${vars.map(([v]) => v).join(" ")}\n`;
  return out;
}

/** Quotes a value for fish: inside `'…'` fish reads only `\\` and `\'` as escapes. */
export function quoteFishValue(value: string): string {
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/** Renders the fish flavour of the env file: `set -gx CODCHI_<NAME> '…'` lines. */
export function renderFishEnvFile(values: Record<string, string>): string {
  let out = HEADER;
  for (const [v, value] of machineVars(values)) out += `set -gx ${v} ${quoteFishValue(value)}\n`;
  return out;
}

/**
 * fish code that loads the env file (the POSIX rendering) by letting `sh` parse it: for a
 * fish login config, so one file serves every shell. `$file` may be replaced by another path.
 */
export const FISH_LOADER = `sh -c '. "$1" && exec env -0' sh ${ENV_FILE} | while read -lz kv
    string match -q 'CODCHI_*' -- $kv; and set -gx (string split -m1 = -- $kv)
end
`;

/**
 * Parses an env file the way systemd's `EnvironmentFile=` does (comments, unquoted values with
 * `\` escapes, '…' and "…" runs, continuation lines; a line without `=` is skipped). For tests,
 * and for reading a machine's file back.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  const n = text.length;
  const isNl = (c: string) => c === "\n" || c === "\r";
  const isWs = (c: string) => c === " " || c === "\t" || isNl(c);
  while (i < n) {
    const c = text[i];
    if (isWs(c)) {
      i++;
      continue;
    }
    if (c === "#" || c === ";") {
      while (i < n && !isNl(text[i])) i++; // a comment always ends at its newline (systemd ≥ 254)
      continue;
    }
    let key = "";
    while (i < n && !isNl(text[i]) && text[i] !== "=") key += text[i++];
    if (i >= n || isNl(text[i])) continue; // no `=`: skipped
    i++; // '='
    const [value, next] = parseValue(text, i);
    i = next;
    out[key.trimEnd()] = value;
  }
  return out;
}

/** One value from `start` up to its end of line; returns the value and the next index. */
function parseValue(text: string, start: number): [string, number] {
  const SPECIAL_IN_DQ = `"\\\`$`;
  let value = "";
  let i = start;
  let inBare = false;
  let trailingWs = -1; // index in `value` where trailing unquoted whitespace starts
  while (i < text.length) {
    const c = text[i];
    if (c === "\n" || c === "\r") {
      i++;
      break;
    }
    if (!inBare) {
      if (c === " " || c === "\t") i++;
      else if (c === "'") {
        const end = text.indexOf("'", i + 1);
        const stop = end < 0 ? text.length : end;
        value += text.slice(i + 1, stop);
        i = stop + 1;
      } else if (c === '"') {
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === "\\" && i + 1 < text.length) {
            const e = text[i + 1];
            if (SPECIAL_IN_DQ.includes(e)) value += e;
            else if (e !== "\n") value += "\\" + e;
            i += 2;
          } else value += text[i++];
        }
        i++;
      } else if (c === "\\") {
        if (i + 1 < text.length && !(text[i + 1] === "\n" || text[i + 1] === "\r")) {
          value += text[i + 1];
        }
        inBare = true;
        trailingWs = -1;
        i += 2;
      } else {
        inBare = true;
        value += c;
        i++;
      }
      continue;
    }
    // Unquoted: everything up to the end of the line, `\x` → x, trailing blanks dropped.
    if (c === "\\") {
      if (i + 1 < text.length && !(text[i + 1] === "\n" || text[i + 1] === "\r")) {
        value += text[i + 1];
      }
      trailingWs = -1;
      i += 2;
    } else {
      if (c === " " || c === "\t") {
        if (trailingWs < 0) trailingWs = value.length;
      } else trailingWs = -1;
      value += c;
      i++;
    }
  }
  if (inBare && trailingWs >= 0) value = value.slice(0, trailingWs);
  return [value, i];
}
