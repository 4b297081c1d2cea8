/** Starts VcXsrv on demand (when enabled in config.json) and waits until it accepts connections. */
import { ProcessRunner, type Runner } from "../../process.ts";
import { vcxsrvArgv, vcxsrvCandidates, type VcxsrvOptions, xPort } from "./vcxsrv.ts";
import { PrerequisiteError, TimeoutError } from "../../errors.ts";

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
export async function findVcxsrv(env = Deno.env.toObject()): Promise<string | undefined> {
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
      "Install it (winget install marha.VcXsrv), or disable it in config.json to use WSLg.",
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
