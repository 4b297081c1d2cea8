/** How the core runs nix in the store: flake refs, credentials on stdin, progress events. */
import type { Driver } from "../driver/types.ts";
import type { Reporter } from "../reporter.ts";
import { type FetchCredentials, machineFlakeRef, withCredentialsArgv } from "../nix/mod.ts";
import { NixLogParser } from "../nix/progress.ts";
import { reportEvents } from "../nix/progress_render.ts";
import type { Output } from "../process.ts";
import { ToolError } from "../errors.ts";
import { type Caches, mergeCaches, NO_CACHES, withCaches } from "../nix/caches.ts";
import { stalledError, StallWatchdog } from "../nix/stall.ts";
import type { CoreContext } from "./context.ts";

/** The machine's flake as the store sees it. */
export function machineFlake(driver: Driver, machine: string): string {
  return machineFlakeRef(`${driver.store.view.configDir}/machines/${machine}`);
}

/** The system profile of a machine as the store sees it. */
export function systemProfile(driver: Driver, machine: string): string {
  return `${driver.store.view.profilesDir(machine)}/system`;
}

/**
 * Runs a nix argv (from src/nix's builders) in the store. Its internal-json log becomes progress
 * on the reporter; credentials travel on stdin, never in argv. A failure carries nix's errors.
 */
export async function storeNix(
  driver: Driver,
  argv: string[],
  reporter: Reporter,
  opts: { creds?: FetchCredentials; check?: boolean } & Partial<NixSettings> = {},
): Promise<Output> {
  const parser = new NixLogParser();
  const report = reportEvents(reporter);
  const withC = withCaches(argv, opts.caches ?? NO_CACHES);
  const full = opts.creds ? withCredentialsArgv(withC) : withC;
  // No output at all for stallMs ends the command (a hung fetch or build).
  const abort = new AbortController();
  const watchdog = opts.stallMs ? new StallWatchdog(opts.stallMs, () => abort.abort()) : undefined;
  watchdog?.start();
  const out = await driver.store.run(full, {
    check: false,
    stdin: opts.creds?.stdin,
    secrets: opts.creds?.secrets,
    signal: abort.signal,
    onStderrLine: (l) => {
      watchdog?.touch();
      parser.feed(l + "\n").forEach(report);
    },
  }).finally(() => watchdog?.stop());
  if (watchdog?.fired) {
    throw stalledError(nixCommandName(argv), Math.round(opts.stallMs! / 60_000 * 100) / 100);
  }
  parser.end().forEach(report);
  if (out.code !== 0 && opts.check !== false) {
    const errors = parser.errors.join("\n").trim();
    throw new ToolError(
      "nix",
      `${nixCommandName(argv)} failed in the store (exit ${out.code})`,
      errors || out.errText.split("\n").filter((l) => !l.startsWith("@nix ")).slice(-12).join("\n"),
      out.code,
      "Run again with -v to see the whole build log.",
    );
  }
  return out;
}

/** What every nix command in the store runs with: extra caches and the stall limit. */
export interface NixSettings {
  caches: Caches;
  /** No progress for this long ends the command (ms). */
  stallMs: number;
}

/**
 * The settings from config.json (`nix.substituters`, `nix.trustedPublicKeys`,
 * `nix.stallMinutes`) plus, for a machine, the caches its modules offered and the user accepted.
 */
export async function nixSettings(ctx: CoreContext, machine?: string): Promise<NixSettings> {
  const cfg = (await ctx.config()).nix;
  let caches: Caches = cfg;
  if (machine !== undefined) {
    const { loadMachine } = await import("./machines.ts");
    const m = await loadMachine(await ctx.paths(), machine).catch(() => undefined);
    if (m?.caches) {
      caches = mergeCaches(cfg, {
        substituters: m.caches.accepted,
        trustedPublicKeys: m.caches.trustedPublicKeys,
      });
    }
  }
  return {
    caches: { substituters: caches.substituters, trustedPublicKeys: caches.trustedPublicKeys },
    stallMs: cfg.stallMinutes * 60_000,
  };
}

const SUBCOMMANDS = new Set(["build", "eval", "flake", "profile", "store"]);

/** "nix build", "nix flake update"… from a nix argv (options and their values skipped). */
export function nixCommandName(argv: string[]): string {
  const i = argv.findIndex((a) => SUBCOMMANDS.has(a));
  if (i < 0) return "nix";
  const next = argv[i + 1];
  return ["flake", "profile", "store"].includes(argv[i]) && next && !next.startsWith("-")
    ? `nix ${argv[i]} ${next}`
    : `nix ${argv[i]}`;
}
