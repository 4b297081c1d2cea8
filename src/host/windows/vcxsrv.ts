/** VcXsrv, the X server for GUI apps when WSLg is not used: where it is and how to start it. Pure. */
import { win32 } from "node:path";
import { DISPLAY_VAR } from "../../contract.ts";

/** VcXsrv's winget package (the winget manifest's dependency, the install hint). */
export const VCXSRV_WINGET_ID = "marha.VcXsrv";
/** VcXsrv's scoop app (the scoop manifest's `depends`). */
export const VCXSRV_SCOOP_APP = "extras/vcxsrv";
/** The one line that says how to install VcXsrv. */
export const VCXSRV_INSTALL_HINT =
  `winget install ${VCXSRV_WINGET_ID}   (or: scoop install ${VCXSRV_SCOOP_APP})`;

/** Options of the VcXsrv launch. */
export interface VcxsrvOptions {
  /** X display number (the server listens on TCP 6000 + display). */
  display?: number;
  /** Accept clients without X authority (WSL 2 machines reach the host over a virtual network). */
  noAccessControl?: boolean;
}

/** The argv that starts VcXsrv for codchi: one window per app, shared clipboard, OpenGL. */
export function vcxsrvArgv(exe: string, opts: VcxsrvOptions = {}): string[] {
  const argv = [exe, `:${opts.display ?? 0}`, "-multiwindow", "-clipboard", "-wgl"];
  if (opts.noAccessControl ?? true) argv.push("-ac");
  return argv;
}

/** Where VcXsrv may be installed, most likely first (installer, scoop, winget). */
export function vcxsrvCandidates(env: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  for (const base of [env.ProgramFiles, env["ProgramFiles(x86)"]]) {
    if (base) out.push(win32.join(base, "VcXsrv", "vcxsrv.exe"));
  }
  if (env.USERPROFILE) {
    out.push(win32.join(env.USERPROFILE, "scoop", "apps", "vcxsrv", "current", "vcxsrv.exe"));
  }
  return out;
}

/** The TCP port an X server for `display` listens on. */
export function xPort(display = 0): number {
  return 6000 + display;
}

/** The variables `exec` hands a machine for VcXsrv's `display` (the WSL module reads ":<n>"). */
export function vcxsrvDisplayEnv(display = 0): Record<string, string> {
  return { [DISPLAY_VAR]: `:${display}` };
}

/** The one line shown when VcXsrv is enabled but not installed. */
export const VCXSRV_MISSING_NOTE =
  `VcXsrv is not installed, so GUI apps use WSLg. Install it: ${VCXSRV_INSTALL_HINT}; ` +
  "or set windows.vcxsrv.enable to false in config.json.";

/** What `exec` does about VcXsrv, from what it found (pure). */
export type VcxsrvPlan =
  | { kind: "off" }
  | { kind: "use" }
  | { kind: "start"; exe: string }
  | { kind: "wslg"; note: string };

/**
 * Off when disabled; an X server already on the display is used (one instance: never a second);
 * else the installed vcxsrv.exe is started; none installed: WSLg, with the line how to install it.
 */
export function vcxsrvPlan(f: { enabled: boolean; listening: boolean; exe?: string }): VcxsrvPlan {
  if (!f.enabled) return { kind: "off" };
  if (f.listening) return { kind: "use" };
  if (f.exe) return { kind: "start", exe: f.exe };
  return { kind: "wslg", note: VCXSRV_MISSING_NOTE };
}
