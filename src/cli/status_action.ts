/** What `codchi status` does (no parser needed: the fast paths and the command share it). */
import type { Context } from "./context.ts";
import { remoteRows, statusRows, storeLine, storeStatus } from "../core/status.ts";
import { listMachines } from "../core/records.ts";
import { listJournals, STORE_KEY } from "../config/journal_files.ts";
import {
  type ExecMemo,
  linuxBase,
  memoBuild,
  readInputs,
  rememberChoice,
  sameInputs,
  tryRead,
} from "../core/exec_memo.ts";
import { computePaths, journalDir, type Paths } from "../config/paths.ts";
import { detectBinary } from "../driver/lxd/argv.ts";
import type { HostState } from "../driver/types.ts";
import { renderTable, Ui, uiOptions } from "../ui.ts";
import { listedOf, statesOf } from "../driver/lxd/lxc.ts";
import type { Output } from "../process.ts";
import type { GlobalFlags } from "./argv.ts";

/** What status is shown from: the paths, the environment, the driver's listing, the output. */
export interface StatusDeps {
  paths: Paths;
  env: Record<string, string>;
  /** The driver (made on first use); its `states()` spawns before its first await. */
  driver: () => Promise<{ states(): Promise<HostState>; readonly remote?: string }>;
  ui: Ui;
}

/** Prints every machine's status (one driver call when there are machines). */
export async function statusAction(ctx: Context): Promise<void> {
  // What the full path reads, before it reads it (remembered for status_fast.ts).
  const base = linuxBase(ctx.env);
  const before = base && tryRead(() => readInputs(ctx.env, base, base));
  const listed = await showStatus({
    paths: await ctx.paths(),
    env: ctx.env,
    driver: () => ctx.driver(),
    ui: ctx.ui,
  });
  if (listed && base && before) {
    await rememberChoice(ctx.core(true), base, undefined, before, await ctx.driver());
  }
}

/** What `status`'s fast path (status_fast.ts) shows the status from, once it spawned the listing. */
export interface Listing {
  paths: Paths;
  env: Record<string, string>;
  flags: GlobalFlags;
  /** The driver's listing, spawned (when there are machines or journal records). */
  listing: Promise<Output> | undefined;
  /** Spawns the listing (a machine appeared after the fast path looked). */
  spawn: () => Promise<Output>;
  bin: "lxc" | "incus";
  project: string;
}

/** What `status`'s fast path did: nothing (take the full path), or showed the status (or failed). */
export type FastStatus =
  | { kind: "fallback" }
  | { kind: "shown" }
  | { kind: "failed"; error: unknown };

/** What `status`'s fast path (status_fast.ts) read and spawned before loading this module. */
export interface Remembered {
  env: Record<string, string>;
  flags: GlobalFlags;
  /** The memo, not checked yet. */
  memo: ExecMemo;
  /** The remembered listing, spawned (when there are records). */
  listing: Promise<Output> | undefined;
  /** Spawns the listing (a machine appeared after the fast path looked). */
  spawn: () => Promise<Output>;
}

/**
 * `status`'s fast path, once its listing runs: when the memo still holds (this codchi, the
 * client on PATH, every input, the records' folders), the status from that listing; else the
 * listing (which only read) is awaited and dropped, and the full path runs.
 */
export async function showRemembered(r: Remembered): Promise<FastStatus> {
  const { env, memo } = r;
  let paths: Paths | undefined;
  try {
    const base = computePaths("linux", env);
    const p = memo.dataDir === undefined ? base : computePaths("linux", env, memo.dataDir);
    const holds = memo.build === memoBuild() && detectBinary(env.PATH) === memo.bin &&
      sameInputs(readInputs(env, base, p), memo.inputs) &&
      memo.records?.[0] === p.machinesDir && memo.records[1] === journalDir(p);
    if (holds) paths = p;
  } catch { /* unreadable: the full path reports it */ }
  if (!paths || !memo.list) {
    await r.listing?.catch(() => {});
    return { kind: "fallback" };
  }
  try {
    await showListing({
      paths,
      env,
      flags: r.flags,
      listing: r.listing,
      spawn: r.spawn,
      bin: memo.bin,
      project: memo.project,
    });
    return { kind: "shown" };
  } catch (error) {
    return { kind: "failed", error };
  }
}

/**
 * The status from the driver's listing spawned by the fast path, read as the driver reads it
 * (driver/lxd/lxc.ts); waits for the listing in any case, so no child outlives codchi.
 */
export async function showListing(l: Listing): Promise<void> {
  let listing = l.listing;
  let ui: Ui | undefined;
  try {
    ui = new Ui(uiOptions(l.flags, l.env, Deno.stdout.isTerminal(), Deno.stderr.isTerminal()));
    await showStatus({
      paths: l.paths,
      env: l.env,
      driver: () =>
        Promise.resolve({
          // A machine that appeared meanwhile: the listing starts now, as the full path's would.
          states: async () => statesOf(listedOf(l, await (listing ??= l.spawn())), l.paths),
        }),
      ui,
    });
  } finally {
    ui?.done();
    await listing?.catch(() => {});
  }
}

/** Shows the status; returns whether the driver listed the containers. */
export async function showStatus(d: StatusDeps): Promise<boolean> {
  const paths = d.paths;
  const names = await listMachines(paths);
  const journals = await listJournals(paths);
  // The one `lxc list` is spawned first (states() spawns before its first await); the machines'
  // files are read and the driver flake hashed while it runs.
  const drv = names.length || journals.length ? await d.driver() : undefined;
  const states = drv ? drv.states() : Promise.resolve(undefined);
  const rows = remoteRows(await statusRows(paths, d.env, names, states), drv?.remote);
  const state = await states;
  const store = state && storeStatus(state.store, journals.includes(STORE_KEY));
  // JSON: every row carries the store's state (the listing stays a list, as documented).
  const json = store
    ? rows.map((r) => ({
      ...r,
      store: store.state,
      ...(store.reason ? { storeReason: store.reason } : {}),
    }))
    : rows;
  const table = rows.length
    ? renderTable(
      ["NAME", "STATUS", "RUNNING", "HOME"],
      rows.map((r) => [
        r.name,
        r.reason ? `${r.status}: ${r.reason}` : r.status,
        r.running ? "yes" : "no",
        r.home,
      ]),
      d.ui.opts.color,
    )
    : "No machines yet. Create one with: codchi init <name> [<url> [<module>…]]";
  d.ui.result(
    store && (rows.length || store.state === "broken") ? `${table}\n${storeLine(store)}` : table,
    json,
  );
  return state !== undefined;
}
