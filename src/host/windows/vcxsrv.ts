/** VcXsrv, the X server for GUI apps when WSLg is not used: where it is and how to start it. Pure. */
import { win32 } from "node:path";

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
