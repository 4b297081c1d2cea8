/** Spawns the real codchi CLI (`deno run -A main.ts`) with an isolated HOME for tests. */
import { fileURLToPath } from "node:url";
import { engineEnv } from "./engine.ts";

/** Absolute path of the repository. */
export const REPO = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
const MAIN = `${REPO}/main.ts`;
const DENO_DIR = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;

/** A temporary host for codchi: its own HOME, XDG folders and environment. */
export interface TestHome {
  root: string;
  env: Record<string, string>;
  configDir: string;
  dataDir: string;
  /** Runs codchi with `args`; extra env and stdin optional. */
  run(args: string[], opts?: RunOpts): Promise<CliResult>;
  /** Removes the temporary folder. */
  cleanup(): Promise<void>;
}

/** Options of `TestHome.run`. */
export interface RunOpts {
  env?: Record<string, string>;
  stdin?: string | Uint8Array;
  /** Kill after this many ms (default 10 min). */
  timeoutMs?: number;
}

/** What a CLI run left. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** `codchi-trace:` lines of stderr (with CODCHI_TRACE=1). */
  traces: string[];
}

/** Reads `.testbed.env` (export KEY=VALUE lines) if present; set variables of the same names win. */
export function testbedEnv(): Record<string, string> {
  try {
    const text = Deno.readTextFileSync(`${REPO}/.testbed.env`);
    const env: Record<string, string> = {};
    for (const m of text.matchAll(/^export ([A-Z_]+)=(.*)$/gm)) {
      env[m[1]] = m[2].replace(/^"|"$/g, "");
    }
    // A runner script may point at other copies of the same images (scripts/test-incus.sh).
    for (const k of Object.keys(env)) env[k] = Deno.env.get(k) ?? env[k];
    // The suites share one store in the engine's default project (each temp HOME is a new data
    // folder, which would otherwise get a project of its own); tests/lxd/projects_test.ts
    // drops this to test the per-data-folder projects.
    return { CODCHI_LXD_PROJECT: "default", ...env, ...engineEnv() };
  } catch {
    return {};
  }
}

/** A fresh temporary home; `extra` adds environment variables for every run. */
export async function makeHome(extra: Record<string, string> = {}): Promise<TestHome> {
  const root = await Deno.makeTempDir({ prefix: "codchi-test-" });
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    DENO_DIR,
    HOME: root,
    XDG_CONFIG_HOME: `${root}/config`,
    XDG_DATA_HOME: `${root}/data`,
    XDG_RUNTIME_DIR: `${root}/run`,
    NO_COLOR: "1",
    CODCHI_SECRET_BACKEND: "file",
    ...extra,
  };
  await Deno.mkdir(env.XDG_RUNTIME_DIR, { recursive: true, mode: 0o700 });
  return {
    root,
    env,
    configDir: `${root}/config/codchi`,
    dataDir: `${root}/data/codchi`,
    run: (args, opts = {}) => runCli(args, { ...env, ...opts.env }, opts),
    cleanup: () => Deno.remove(root, { recursive: true }).catch(() => {}),
  };
}

/** Runs the CLI with exactly `env` (nothing inherited). */
export async function runCli(
  args: string[],
  env: Record<string, string>,
  opts: RunOpts = {},
): Promise<CliResult> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, ...args],
    env,
    clearEnv: true,
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = cmd.spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 600_000);
  if (opts.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(
      typeof opts.stdin === "string" ? new TextEncoder().encode(opts.stdin) : opts.stdin,
    );
    await w.close();
  }
  const out = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  const stderr = dec.decode(out.stderr);
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr,
    traces: stderr.split("\n").filter((l) => l.startsWith("codchi-trace: ")),
  };
}
