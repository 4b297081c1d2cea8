/**
 * Which codchi.exe / codchiw.exe a shortcut should name, so that it keeps working after updates.
 *
 * A shortcut must never name a versioned install folder. winget installs a portable package into
 * `%LOCALAPPDATA%\Microsoft\WinGet\Packages\<package id>_<source>\` (keyed by package, replaced in
 * place on upgrade) and links it from `WinGet\Links\`; scoop keeps `apps\codchi\<version>\` and a
 * `current` junction that every update moves. Both are kept as they are (scoop's version folder is
 * rewritten to `current`). Any other location that looks versioned is not trusted: codchi then
 * keeps its own copy in `%LOCALAPPDATA%\codchi\bin\` and the shortcuts name that. Pure.
 */
import { win32 } from "node:path";

/** The programs a shortcut can start. */
export interface Launcher {
  /** Console program (terminal apps, Windows Terminal profiles). */
  codchi: string;
  /** Console-less program (`deno compile --no-terminal`) for GUI apps. */
  codchiw: string;
  /** When set, codchi copies its executables from this folder into the launcher folder first. */
  copyFrom?: string;
  /** Arguments before codchi's own (when codchi runs from source: `run -A main.ts`). */
  prefixArgs?: string[];
}

/** The folder codchi keeps its own copy in when it was installed somewhere versioned. */
export function ownBinDir(localAppData: string): string {
  return win32.join(localAppData, "codchi", "bin");
}

/** Decides the stable launcher for a running `codchi.exe` at `execPath`. */
export function stableLauncher(execPath: string, localAppData: string): Launcher {
  const dir = win32.dirname(execPath);
  const at = (d: string): Launcher => ({
    codchi: win32.join(d, "codchi.exe"),
    codchiw: win32.join(d, "codchiw.exe"),
  });
  const parts = dir.split("\\");
  const lower = parts.map((p) => p.toLowerCase());
  const apps = lower.lastIndexOf("apps");
  if (apps >= 0 && lower[apps + 1] === "codchi" && apps + 3 === parts.length) {
    // scoop: ...\apps\codchi\<version or current>
    return at([...parts.slice(0, apps + 2), "current"].join("\\"));
  }
  if (/\\microsoft\\winget\\(links|packages\\[^\\]+)$/i.test(dir)) return at(dir);
  if (parts.some((p) => /^v?\d+\.\d+/.test(p))) {
    return { ...at(ownBinDir(localAppData)), copyFrom: dir };
  }
  return at(dir);
}

/** Rewrites `path` with a leading `%LOCALAPPDATA%` or `%APPDATA%` when it lies below one. */
export function envForm(
  path: string,
  env: { LOCALAPPDATA?: string; APPDATA?: string },
): string | undefined {
  for (const name of ["LOCALAPPDATA", "APPDATA"] as const) {
    const base = env[name];
    if (base && path.toLowerCase().startsWith(base.toLowerCase() + "\\")) {
      return `%${name}%${path.slice(base.length)}`;
    }
  }
  return undefined;
}
