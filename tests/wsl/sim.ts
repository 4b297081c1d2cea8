/** Test helpers: a fresh wsl.exe simulator state, its call log, and a WSL driver wired to it. */
import { fileURLToPath as fromFileUrl } from "node:url";
import { computePaths } from "../../src/config/paths.ts";
import { ProcessRunner } from "../../src/process.ts";
import { WslDriver, type WslDriverOptions } from "../../src/driver/wsl/mod.ts";

/** The simulator executable. */
export const WSL_EXE = fromFileUrl(new URL("../fakes/wsl.exe", import.meta.url));
const IMAGES = (() => {
  const out = new Deno.Command("bash", {
    args: [fromFileUrl(new URL("../../scripts/wsl_test_images.sh", import.meta.url))],
    stdout: "piped",
    stderr: "inherit",
  }).outputSync();
  return new TextDecoder().decode(out.stdout).trim().split("\n");
})();
/** Test rootfs images built (and cached) by scripts/wsl_test_images.sh. */
export const STORE_IMAGE = IMAGES[0] ?? "";
/** The machine test image. */
export const MACHINE_IMAGE = IMAGES[1] ?? "";
/** The real machine image's layout: no /bin, systemd=true, the real init.sh. */
export const REAL_MACHINE_IMAGE = IMAGES[2] ?? "";

const SIM_VARS = [
  "WSL_SIM_FAIL_RATE",
  "WSL_SIM_SEED",
  "WSL_SIM_FAIL_SEQ",
  "WSL_SIM_FAIL_PERSIST",
  "WSL_SIM_FAIL_OPS",
  "WSL_SIM_VERSION",
  "WSL_UTF8",
  "WSLENV",
  "WSL_SIM_LOCALE",
  "WSL_SIM_IDLE_MS",
  "WSL_SIM_VM_IDLE_MS",
  "WSL_SIM_INIT_TIMEOUT_MS",
  "WSL_SIM_WINDOWS_PATH",
  "WSL_SIM_DRIVE_C",
  "WSL_SIM_NET",
];

/** A simulator sandbox: its own state, log and host folders. */
export interface Sandbox {
  dir: string;
  state: string;
  log: string;
  /** Calls logged by the simulator so far. */
  calls(): Promise<{ op: string; argv: string[]; code: number; fault?: string }[]>;
  /** Sets (or with undefined clears) simulator variables for the following calls. */
  set(vars: Record<string, string | undefined>): void;
  /** Runs the simulator directly on this sandbox's state; returns exit code and raw bytes. */
  wsl(args: string[], opts?: { env?: Record<string, string>; stdin?: Uint8Array }): Promise<
    { code: number; stdout: Uint8Array; stderr: Uint8Array }
  >;
  /** Shuts every distro down and removes the sandbox. */
  dispose(): Promise<void>;
}

/** Creates a sandbox and points the simulator variables of this process at it. */
export async function sandbox(): Promise<Sandbox> {
  const dir = await Deno.makeTempDir({ prefix: "codchi-wsl-" });
  const state = `${dir}/sim`;
  const log = `${dir}/calls.jsonl`;
  for (const v of SIM_VARS) Deno.env.delete(v);
  Deno.env.set("WSL_SIM_STATE", state);
  Deno.env.set("WSL_SIM_LOG", log);
  Deno.env.set("WSL_SIM_HOST_ROOT", "1");
  const sb: Sandbox = {
    dir,
    state,
    log,
    async calls() {
      try {
        return (await Deno.readTextFile(log)).trim().split("\n").filter((l) => l).map((l) =>
          JSON.parse(l)
        );
      } catch {
        return [];
      }
    },
    set(vars) {
      for (const [k, v] of Object.entries(vars)) {
        if (v === undefined) Deno.env.delete(k);
        else Deno.env.set(k, v);
      }
    },
    async wsl(args, opts = {}) {
      const child = new Deno.Command(WSL_EXE, {
        args,
        env: { ...opts.env, WSL_SIM_STATE: state, WSL_SIM_LOG: log },
        stdin: opts.stdin ? "piped" : "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      if (opts.stdin) {
        const w = child.stdin.getWriter();
        await w.write(opts.stdin);
        await w.close();
      }
      const out = await child.output();
      return { code: out.code, stdout: out.stdout, stderr: out.stderr };
    },
    async dispose() {
      for (const v of SIM_VARS) Deno.env.delete(v);
      await sb.wsl(["--shutdown"]);
      if (Deno.env.get("WSL_SIM_STATE") === state) {
        for (const v of ["WSL_SIM_STATE", "WSL_SIM_LOG", "WSL_SIM_HOST_ROOT"]) Deno.env.delete(v);
      }
      // wsl.exe processes attached to the distros (keep-alives) end with them and write their
      // last log line and registry update on the way out: retry while they do.
      for (let i = 0;; i++) {
        try {
          await Deno.remove(dir, { recursive: true });
          break;
        } catch (e) {
          if (i >= 30) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
  };
  return sb;
}

/** A WSL driver on the simulator, with host folders inside the sandbox and quick retries. */
export function driver(sb: Sandbox, opts: Partial<WslDriverOptions> = {}) {
  const paths = computePaths("linux", { HOME: `${sb.dir}/home` });
  const debug: string[] = [];
  const runner = opts.runner ?? new ProcessRunner(false);
  const d = new WslDriver({
    paths,
    wslExe: WSL_EXE,
    storeImage: STORE_IMAGE,
    machineImage: MACHINE_IMAGE,
    startTimeoutMs: 15_000,
    retry: { attempts: 8, totalMs: 20_000, baseDelayMs: 5, maxDelayMs: 40 },
    debug: (l) => debug.push(l),
    hostPathInWsl: (p) => `/mnt/host${p}`,
    ...opts,
    runner,
  });
  return { d, runner, paths, debug };
}

/** A MachineEnv with an env file and one variable. */
export function machineEnv(envFile = "export CODCHI_SECRET_TOKEN='s3cr3t-value'\n") {
  return { envFile: new TextEncoder().encode(envFile), vars: { CODCHI_MACHINE_NAME: "x" } };
}
