/**
 * The few path functions codchi's start-up needs (join, normalize, relative…), for POSIX and
 * Windows, with node:path's results. Plain code: importing node:path starts Node compatibility,
 * which costs more than all of `codchi exec`'s own modules together.
 */

/** Normalizes segments below a root: drops "" and ".", resolves ".." (kept when relative). */
function normalizeSegments(parts: string[], absolute: boolean): string[] {
  const out: string[] = [];
  for (const p of parts) {
    if (p === "" || p === ".") continue;
    if (p === "..") {
      if (out.length && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
    } else out.push(p);
  }
  return out;
}

/** A POSIX path that normalizing would change: `//`, or a `.` / `..` segment. */
const UNCLEAN = /\/\/|(^|\/)\.\.?(\/|$)/;

/** POSIX paths, as node:path's `posix`. */
export const posix = {
  sep: "/",
  isAbsolute(p: string): boolean {
    return p.startsWith("/");
  },
  normalize(p: string): string {
    if (p === "") return ".";
    if (!UNCLEAN.test(p)) return p;
    const abs = p.startsWith("/");
    const trailing = p.endsWith("/");
    let out = normalizeSegments(p.split("/"), abs).join("/");
    if (!out && !abs) out = ".";
    if (out && trailing) out += "/";
    return abs ? `/${out}` : out;
  },
  join(...parts: string[]): string {
    const joined = parts.filter((p) => p !== "").join("/");
    return joined === "" ? "." : posix.normalize(joined);
  },
  resolve(...parts: string[]): string {
    let p = "";
    for (let i = parts.length - 1; i >= 0 && !p.startsWith("/"); i--) {
      if (parts[i]) p = p ? `${parts[i]}/${p}` : parts[i];
    }
    if (!p.startsWith("/")) p = `${Deno.cwd()}/${p}`;
    const n = posix.normalize(p);
    return n.length > 1 ? n.replace(/\/+$/, "") : n;
  },
  relative(from: string, to: string): string {
    const a = posix.resolve(from).split("/").filter(Boolean);
    const b = posix.resolve(to).split("/").filter(Boolean);
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return [...a.slice(i).map(() => ".."), ...b.slice(i)].join("/");
  },
  dirname(p: string): string {
    if (p === "") return ".";
    const s = p.replace(/(.)\/+$/, "$1");
    const i = s.lastIndexOf("/");
    if (i < 0) return ".";
    if (i === 0) return "/";
    return s.slice(0, i).replace(/(.)\/+$/, "$1");
  },
  basename(p: string): string {
    const s = p.replace(/(.)\/+$/, "$1");
    return s === "/" ? "" : s.slice(s.lastIndexOf("/") + 1);
  },
};

/** Splits a Windows path into its root (`C:\`, `C:`, `\\server\share\`, `\`) and the rest. */
function win32Root(p: string): [string, string] {
  const s = p.replaceAll("/", "\\");
  const unc = /^\\\\([^\\]+)\\([^\\]+)(\\|$)/.exec(s);
  if (unc) return [`\\\\${unc[1]}\\${unc[2]}\\`, s.slice(unc[0].length)];
  const drive = /^([A-Za-z]:)(\\?)/.exec(s);
  if (drive) return [drive[1] + (drive[2] ? "\\" : ""), s.slice(drive[0].length)];
  if (s.startsWith("\\")) return ["\\", s.slice(1)];
  return ["", s];
}

/** Windows paths, as node:path's `win32` (the functions codchi uses). */
export const win32 = {
  sep: "\\",
  isAbsolute(p: string): boolean {
    return /^([A-Za-z]:)?[\\/]/.test(p);
  },
  normalize(p: string): string {
    if (p === "") return ".";
    const [root, rest] = win32Root(p);
    const abs = root.endsWith("\\");
    const trailing = /[\\/]$/.test(p) && rest !== "";
    let out = normalizeSegments(rest.split("\\"), abs).join("\\");
    if (!out && !abs) out = ".";
    if (out && trailing) out += "\\";
    return root + out;
  },
  join(...parts: string[]): string {
    const joined = parts.filter((p) => p !== "").join("\\");
    return joined === "" ? "." : win32.normalize(joined);
  },
  dirname(p: string): string {
    const rootLen = win32Root(p)[0].length;
    const root = p.slice(0, rootLen);
    const s = p.slice(rootLen).replace(/[\\/]+$/, "");
    const i = Math.max(s.lastIndexOf("\\"), s.lastIndexOf("/"));
    if (i < 0) return root || ".";
    return root + s.slice(0, i);
  },
};

/** The folder of `file`, for paths of either OS (a `\` only counts on Windows-looking paths). */
export function dirname(file: string): string {
  return /^[A-Za-z]:|\\/.test(file) && !file.startsWith("/")
    ? win32.dirname(file)
    : posix.dirname(file);
}
