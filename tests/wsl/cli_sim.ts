/**
 * The real CLI (CODCHI_DRIVER=wsl) on the wsl.exe simulator, with the "nix" test images
 * (scripts/wsl_test_images.sh --nix): a real nix-daemon in the store distro, whose /nix the
 * machines mount from /mnt/wsl/codchi/nix.
 */
import { type CliResult, makeHome, REPO, type TestHome } from "../support/cli.ts";

export { execIn, exists, filesBelow, NASTY, ok, statusOf } from "../contract/cli.ts";

/** The simulator executable. */
export const WSL_EXE = `${REPO}/tests/fakes/wsl.exe`;

/** The nix-flavour images, or why they are missing (the tests are then ignored). */
export const NIX_IMAGES = (() => {
  try {
    const out = new Deno.Command("bash", {
      args: [`${REPO}/scripts/wsl_test_images.sh`, "--nix"],
      stdout: "piped",
      stderr: "piped",
    }).outputSync();
    const [store, machine] = new TextDecoder().decode(out.stdout).trim().split("\n");
    if (out.success && store && machine) return { store, machine, missing: "" };
    return { store: "", machine: "", missing: new TextDecoder().decode(out.stderr) };
  } catch (e) {
    return { store: "", machine: "", missing: String(e) };
  }
})();

/** Whether the simulator can run here (root) and the images exist. */
export const CAN_RUN = Deno.uid() === 0 && NIX_IMAGES.missing === "";

/** A temporary host for codchi on the simulator: its own HOME and simulator state. */
export interface SimHome extends TestHome {
  /** The simulator's state folder. */
  state: string;
  /** The simulator's call log (one JSON line per wsl.exe call). */
  log: string;
  /** Runs the simulator directly (not through codchi), UTF-8 output. */
  wsl(...args: string[]): Promise<{ code: number; text: string }>;
  /** Distro names wsl.exe lists. */
  distros(): Promise<string[]>;
  /** Shuts the simulator down, then removes everything. */
  dispose(): Promise<void>;
}

/** A fresh HOME whose codchi talks to a fresh simulator; `extra` adds variables. */
export async function simHome(extra: Record<string, string> = {}): Promise<SimHome> {
  const home = await makeHome({
    CODCHI_DRIVER: "wsl",
    CODCHI_WSL_EXE: WSL_EXE,
    CODCHI_WSL_STORE_IMAGE: NIX_IMAGES.store,
    CODCHI_WSL_MACHINE_IMAGE: NIX_IMAGES.machine,
    CODCHI_DRIVER_FLAKE: `${REPO}/tests/driver-flake`,
    CODCHI_LOCK_TIMEOUT_MS: "300000",
    // The host's / as /mnt/host (WSLENV /p), and the test HOME at its own path inside every
    // distro (codchi maps a host path unchanged, as `C:\x` is `/mnt/c/x` on Windows).
    WSL_SIM_HOST_ROOT: "1",
    ...extra,
  });
  const state = `${home.root}.sim`;
  const log = `${home.root}.calls.jsonl`;
  Object.assign(home.env, { WSL_SIM_STATE: state, WSL_SIM_LOG: log, WSL_SIM_SHARE: home.root });
  const wsl = async (...args: string[]) => {
    const out = await new Deno.Command(WSL_EXE, {
      args,
      env: { WSL_SIM_STATE: state, WSL_UTF8: "1", PATH: home.env.PATH },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return { code: out.code, text: dec.decode(out.stdout) + dec.decode(out.stderr) };
  };
  return {
    ...home,
    state,
    log,
    wsl,
    async distros() {
      const r = await wsl("--list", "--quiet");
      return r.text.split("\n").map((l) => l.trim()).filter((l) => l);
    },
    async dispose() {
      await wsl("--shutdown");
      await Deno.remove(state, { recursive: true }).catch(() => {});
      await Deno.remove(log).catch(() => {});
      await home.cleanup();
    },
  };
}

/** The trace lines of wsl.exe spawns (CODCHI_TRACE=1). */
export function wslSpawns(res: CliResult): string[] {
  return res.traces.filter((l) => l.includes(WSL_EXE));
}
