/** WSLENV: which Windows variables reach the Linux side, and how paths are translated (pure). */

/** One WSLENV entry: `NAME/flags`. */
export interface WslEnvEntry {
  name: string;
  /** Translate one path. */
  path: boolean;
  /** Translate a `;`-separated list of paths into a `:`-separated one. */
  list: boolean;
  /** Only when going from Windows to Linux. */
  toLinuxOnly: boolean;
  /** Only when going from Linux to Windows. */
  toWindowsOnly: boolean;
}

/** Parses a WSLENV value (`A:B/p:C/up`). */
export function parseWslEnv(value: string | undefined): WslEnvEntry[] {
  if (!value) return [];
  return value.split(":").filter((s) => s.length > 0).map((item) => {
    const [name, flags = ""] = item.split("/", 2);
    return {
      name,
      path: flags.includes("p"),
      list: flags.includes("l"),
      toLinuxOnly: flags.includes("u"),
      toWindowsOnly: flags.includes("w"),
    };
  }).filter((e) => e.name.length > 0);
}

/**
 * A Windows path in Linux form: `C:\a\b` → `/mnt/c/a/b`, `\\wsl$\<distro>\x` → `/x`; with
 * `hostRoot`, an absolute host (POSIX) path `/x` → `/mnt/host/x` (the simulator's Windows side).
 */
export function windowsToLinuxPath(value: string, distro: string, hostRoot = false): string {
  if (hostRoot && value.startsWith("/")) return `/mnt/host${value}`;
  const drive = /^([A-Za-z]):(?:[\\/](.*))?$/.exec(value);
  if (drive) {
    const rest = (drive[2] ?? "").replaceAll("\\", "/").replace(/\/+$/, "");
    return `/mnt/${drive[1].toLowerCase()}${rest ? `/${rest}` : ""}`;
  }
  const unc = /^\\\\(?:wsl\$|wsl\.localhost)\\([^\\]+)(\\.*)?$/i.exec(value);
  if (unc && unc[1].toLowerCase() === distro.toLowerCase()) {
    return (unc[2] ?? "\\").replaceAll("\\", "/");
  }
  return value.replaceAll("\\", "/");
}

/** Whether a Windows path is absolute (`C:\x`, `C:/x`, UNC; with `hostRoot` the sim's host `/x`). */
export function isAbsoluteWindowsPath(p: string, hostRoot = false): boolean {
  return /^[A-Za-z]:[\\/]/.test(p) || p.startsWith("\\\\") || (hostRoot && p.startsWith("/"));
}

/**
 * A Windows path in Linux form, or undefined when WSL cannot translate it (a UNC path of another
 * machine, a relative path).
 */
export function translateWindowsPath(
  value: string,
  distro: string,
  hostRoot = false,
): string | undefined {
  if (!isAbsoluteWindowsPath(value, hostRoot)) return undefined;
  if (value.startsWith("\\\\")) {
    const unc = /^\\\\(?:wsl\$|wsl\.localhost)\\([^\\]+)(\\.*)?$/i.exec(value);
    if (!unc || unc[1].toLowerCase() !== distro.toLowerCase()) return undefined;
  }
  return windowsToLinuxPath(value, distro, hostRoot);
}

/**
 * The Linux-side variables WSLENV carries from the Windows environment `env`, as WSL's
 * UtilParseWslEnv (src/linux/init/util.cpp) builds them: `/p` and `/l` are the same (both a
 * `;`-list of paths, UtilTranslatePathList); elements that are relative or cannot be translated
 * are skipped, and a variable left with no element is dropped; `/w` entries and entries with an
 * unknown flag are dropped; a named variable that is not set arrives empty. WSLENV itself is
 * always passed.
 */
export function linuxEnvFromWslEnv(
  env: Record<string, string | undefined>,
  distro: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  const hostRoot = env.WSL_SIM_HOST_ROOT === "1";
  const raw = (env.WSLENV ?? "").trimEnd();
  out.WSLENV = raw;
  for (const item of raw.split(":").filter((x) => x)) {
    const [name, flags = ""] = item.split("/", 2);
    if (!name || /[^plwu]/.test(flags) || flags.includes("w")) continue;
    let value = env[name] ?? "";
    if (/[pl]/.test(flags) && env[name] !== undefined) {
      const parts = value.split(";").filter((x) => x)
        .map((p) => translateWindowsPath(p, distro, hostRoot))
        .filter((p): p is string => p !== undefined);
      if (parts.length === 0) continue;
      value = parts.join(":");
    }
    out[name] = value;
  }
  return out;
}

/**
 * The PATH a process started by wsl.exe gets: the Linux default, then — when wsl.conf's
 * `[interop] appendWindowsPath` is true, its default — the caller's Windows `%PATH%` (here
 * WSL_SIM_WINDOWS_PATH, `;`-separated), each element translated and the untranslatable ones
 * left out. Sources: "appendWindowsPath: whether WSL will add Windows path elements to the $PATH
 * environment variable", default true (learn.microsoft.com/windows/wsl/wsl-config, [interop]);
 * WSL's init builds it in src/linux/init/init.cpp (the NT path appended after the Linux one,
 * each element through the path translation used for WSLENV's `/p`).
 */
export function processPath(
  linuxDefault: string,
  windowsPath: string | undefined,
  appendWindowsPath: string | undefined,
  distro: string,
): string {
  const append = appendWindowsPath === undefined || /^true$/i.test(appendWindowsPath);
  if (!append || !windowsPath) return linuxDefault;
  const parts = windowsPath.split(";").filter((p) => p)
    .map((p) => translateWindowsPath(p, distro))
    .filter((p): p is string => p !== undefined);
  return [linuxDefault, ...parts].join(":");
}
