/** WSLENV for the variables codchi passes to the Linux side (pure). */

/** The environment for one wsl.exe call: `vars` plus WSLENV naming each, and WSL_UTF8=1. */
export function wslCallEnv(
  vars: Record<string, string> = {},
  pathVars: ReadonlySet<string> = new Set(),
  inherited?: string,
): Record<string, string> {
  const names = Object.keys(vars);
  for (const n of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) {
      throw new Error(`invalid variable name ${JSON.stringify(n)}`);
    }
  }
  const ours = new Set(names);
  const kept = (inherited ?? "").split(":").filter((e) => e && !ours.has(e.split("/")[0]));
  const entries = names.map((n) => pathVars.has(n) ? `${n}/up` : `${n}/u`);
  const wslenv = [...kept, ...entries].join(":");
  return { ...vars, WSL_UTF8: "1", ...(wslenv ? { WSLENV: wslenv } : {}) };
}

/** A Windows path as WSL shows it: `C:\a\b` → `/mnt/c/a/b`; other paths unchanged. */
export function windowsPathInWsl(path: string): string {
  const m = /^([A-Za-z]):(?:[\\/](.*))?$/.exec(path);
  if (!m) return path;
  const rest = (m[2] ?? "").replaceAll("\\", "/").replace(/\/+$/, "");
  return `/mnt/${m[1].toLowerCase()}${rest ? `/${rest}` : ""}`;
}
