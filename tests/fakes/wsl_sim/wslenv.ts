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

/** The Linux-side variables WSLENV carries from the Windows environment `env`. */
export function linuxEnvFromWslEnv(
  env: Record<string, string | undefined>,
  distro: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  const hostRoot = env.WSL_SIM_HOST_ROOT === "1";
  for (const e of parseWslEnv(env.WSLENV)) {
    const value = env[e.name];
    if (value === undefined || (e.toWindowsOnly && !e.toLinuxOnly)) continue;
    if (e.list) {
      out[e.name] = value.split(";").filter((s) => s).map((p) =>
        windowsToLinuxPath(p, distro, hostRoot)
      )
        .join(":");
    } else out[e.name] = e.path ? windowsToLinuxPath(value, distro, hostRoot) : value;
  }
  return out;
}
