/** Parsers of wsl.exe's own output (pure). Input is already decoded (see decode.ts). */

/** One row of `wsl.exe --list --verbose`. */
export interface DistroRow {
  name: string;
  /** "Running", "Stopped", "Installing", "Converting", "Uninstalling", … */
  state: string;
  version: number;
  isDefault: boolean;
}

/** Parses the `--list --verbose` table (header `NAME STATE VERSION`, `*` marks the default). */
export function parseListVerbose(text: string): DistroRow[] {
  const rows: DistroRow[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    if (!line.trim()) continue;
    const m = /^\s*(\*)?\s*(\S+)\s+(\S+)\s+(\d+)\s*$/.exec(line);
    if (!m) continue;
    if (m[2] === "NAME" && m[3] === "STATE") continue;
    rows.push({ name: m[2], state: m[3], version: Number(m[4]), isDefault: m[1] === "*" });
  }
  return rows;
}

/** What `wsl.exe --version` reports: "WSL version" → "2.0.14.0" etc., keyed in lower case. */
export function parseVersionBlock(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^\s*([^:]+?)\s*:\s*(\S.*?)\s*$/.exec(line);
    if (m) out.set(m[1].toLowerCase(), m[2]);
  }
  return out;
}

/**
 * The WSL version from `--version`, as numbers, or undefined (inbox wsl.exe): the first dotted
 * number of the output, which is WSL's own on its first line whatever the display language
 * ("WSL version:", "WSL-Version:", "Version WSL :", "WSL 版本:").
 */
export function wslVersion(text: string): number[] | undefined {
  const v = /(?:^|[^0-9.])(\d+(?:\.\d+)+)/.exec(text)?.[1];
  return v ? v.split(".").map(Number) : undefined;
}

/** Compares dotted versions: negative, zero or positive like a sort function. */
export function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The oldest WSL codchi supports (`--import-in-place`, `--manage`, WSL_UTF8). */
export const MIN_WSL_VERSION = [2, 0, 14];
