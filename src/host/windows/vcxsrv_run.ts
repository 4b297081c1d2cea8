/** Starts VcXsrv on demand (when enabled in config.json) and waits until it accepts connections. */
import { ProcessRunner, type Runner } from "../../process.ts";
import {
  VCXSRV_INSTALL_HINT,
  vcxsrvArgv,
  vcxsrvCandidates,
  vcxsrvDisplayEnv,
  type VcxsrvOptions,
  vcxsrvPlan,
  xPort,
} from "./vcxsrv.ts";
import { PrerequisiteError, TimeoutError } from "../../errors.ts";
import { acquireLock } from "../../config/lock.ts";

/** Whether an X server listens on the display's TCP port on this host. */
export async function xServerListening(display = 0): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: xPort(display) });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

/** The first installed vcxsrv.exe, or undefined. */
export async function findVcxsrv(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): Promise<string | undefined> {
  for (const p of vcxsrvCandidates(env)) {
    if (await Deno.stat(p).then((s) => s.isFile, () => false)) return p;
  }
  return undefined;
}

/**
 * Makes sure VcXsrv serves `display`: nothing to do when something listens already, else starts
 * it detached through the process door (it outlives codchi) and waits up to `timeoutMs` for its
 * port.
 */
export async function ensureVcxsrv(
  opts: VcxsrvOptions & {
    exe?: string;
    timeoutMs?: number;
    runner?: Required<Pick<Runner, "spawnDetached">>;
  } = {},
): Promise<"running" | "started"> {
  const display = opts.display ?? 0;
  if (await xServerListening(display)) return "running";
  const exe = opts.exe ?? await findVcxsrv();
  if (!exe) {
    throw new PrerequisiteError(
      "VcXsrv is enabled in config.json but vcxsrv.exe was not found.",
      `Install it (${VCXSRV_INSTALL_HINT}), or disable it in config.json to use WSLg.`,
    );
  }
  const runner = opts.runner ?? new ProcessRunner();
  // A server that must outlive codchi: started detached (no stdio, not waited for).
  await runner.spawnDetached(vcxsrvArgv(exe, opts));
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    if (await xServerListening(display)) return "started";
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new TimeoutError(
    `VcXsrv did not open display :${display} within ${opts.timeoutMs ?? 10_000} ms.`,
    "Start VcXsrv by hand to see its error, or disable it in config.json to use WSLg.",
  );
}

/** What `vcxsrvEnv` needs. */
export interface VcxsrvEnvOptions {
  /** config.json `windows.vcxsrv.enable`. */
  enabled: boolean;
  display?: number;
  /** The environment whose ProgramFiles/USERPROFILE say where VcXsrv may be. */
  env: Record<string, string | undefined>;
  /** Starts the server detached (the process door). */
  runner: Required<Pick<Runner, "spawnDetached">>;
  /** codchi's lock folder: one codchi at a time checks and starts VcXsrv. */
  locksDir: string;
  /** The one line shown when GUI apps fall back to WSLg. */
  warn: (line: string) => void;
  timeoutMs?: number;
  /** Where to look for vcxsrv.exe (default: findVcxsrv). */
  find?: (env: Record<string, string | undefined>) => Promise<string | undefined>;
}

/**
 * The variables that point a machine's GUI apps at VcXsrv (vcxsrvPlan): the running server, or
 * the installed one started (under a lock, so two codchis never start two); undefined means WSLg
 * (disabled, not installed, or it did not come up: one line says why and what to do).
 */
export async function vcxsrvEnv(o: VcxsrvEnvOptions): Promise<Record<string, string> | undefined> {
  if (!o.enabled) return undefined;
  const display = o.display ?? 0;
  if (await xServerListening(display)) return vcxsrvDisplayEnv(display); // no lock, no file read
  const lock = await acquireLock(`${o.locksDir}/vcxsrv.lock`, "VcXsrv", 30_000);
  try {
    const plan = vcxsrvPlan({
      enabled: true,
      listening: await xServerListening(display),
      exe: await (o.find ?? findVcxsrv)(o.env),
    });
    if (plan.kind === "wslg") {
      o.warn(plan.note);
      return undefined;
    }
    if (plan.kind === "start") {
      try {
        await ensureVcxsrv({ display, exe: plan.exe, runner: o.runner, timeoutMs: o.timeoutMs });
      } catch (e) {
        if (!(e instanceof TimeoutError)) throw e;
        o.warn(`${e.message} GUI apps use WSLg. ${e.hint ?? ""}`.trim());
        return undefined;
      }
    }
    return vcxsrvDisplayEnv(display);
  } finally {
    lock.release();
  }
}
