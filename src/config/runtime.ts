/**
 * codchi's runtime folder (mode 0700, gone at reboot): where it is when XDG_RUNTIME_DIR names one,
 * the fast paths' memo files in it (their shape, their place, reading one unchecked: core/
 * exec_memo.ts checks and writes them), and the build stamp that makes any remembered result
 * stale. Import-free: `status`'s fast path finds and reads its memo before loading paths.ts.
 */

/** `$XDG_RUNTIME_DIR/codchi` when XDG_RUNTIME_DIR is absolute, else undefined (paths.ts). */
export function xdgRuntimeDir(env: Record<string, string | undefined>): string | undefined {
  const v = env.XDG_RUNTIME_DIR;
  if (!v?.startsWith("/")) return undefined;
  return `${v.replace(/\/+$/, "")}/codchi`;
}

/** The inputs of the full path's decisions. */
export interface ExecInputs {
  /** The environment variables that decide the paths, the driver and the project. */
  env: string;
  /** Text of config.json (null: there is none). */
  config: string | null;
  /** Text of machine.json and built.json (null: missing). */
  machine: string | null;
  built: string | null;
  /** Text of the data folder's project pin (null: none), and whether the store folder exists. */
  pin: string | null;
  storeDir: boolean;
}

/** What the full path decided from the inputs. */
export interface ExecMemo {
  build: string;
  inputs: ExecInputs;
  /** config.json's `dataDir` (undefined: the default). */
  dataDir?: string;
  bin: "lxc" | "incus";
  project: string;
  /** The argv of the driver's one listing (`status`'s fast path spawns it). */
  list?: string[];
  /**
   * `status`'s memo: the folders of the machines and of the journal records (with none, the
   * listing is not spawned, as the full path does not).
   */
  records?: string[];
}

/** `status`'s memo, beside the machines' (no machine name starts with "_"). */
export const STATUS_MEMO = "_status";

/** Where the memo of `name` is, in codchi's runtime folder (the paths before config.json). */
export function memoPath(runtimeDir: string, name: string): string {
  return `${runtimeDir}/exec/${name}.json`;
}

/** The memo in `file` when it reads as one (not checked against anything); else undefined. */
export function peekMemo(file: string): ExecMemo | undefined {
  try {
    const m = JSON.parse(Deno.readTextFileSync(file)) as ExecMemo;
    return m && typeof m === "object" && m.inputs && (m.bin === "lxc" || m.bin === "incus")
      ? m
      : undefined;
  } catch {
    return undefined;
  }
}

/*
 * What makes a remembered result stale: the modification times of the modules that computed it
 * (a checkout) and of the running binary (a compiled codchi, or deno). No version: the exec path
 * stays without it (a new codchi is a new binary or new modules anyway). Plain path strings, no
 * `URL`: converting file URLs costs more than the stats on the fast paths.
 */

/**
 * The stamp for results computed by `modules` (paths relative to `dir`, the caller's
 * `import.meta.dirname`). When the first is not on disk (a compiled codchi, whose modules are
 * inside the binary; or no `dir`), only the binary counts.
 */
export function buildStamp(dir: string | undefined, modules: readonly string[]): string {
  const stamps: number[] = [];
  if (dir !== undefined) {
    for (const m of modules) {
      try {
        stamps.push(Deno.statSync(`${dir}/${m}`).mtime?.getTime() ?? 0);
      } catch {
        if (stamps.length === 0) break; // not on disk: compiled
      }
    }
  }
  try {
    stamps.push(Deno.statSync(Deno.execPath()).mtime?.getTime() ?? 0);
  } catch { /* cannot happen for a running binary; the modules' stamps still count */ }
  return stamps.join(",");
}
