/**
 * The journal of multi-step operations: before an operation touches anything it writes its
 * intent (`journal/<machine>.json`, or `journal/_store.json` for the store) under the machine's
 * (or the store's) lock, records each part before making it, and removes the record when done.
 * A record found by a later codchi (the writer was killed) is settled by `settlePlan`: what
 * was being made is removed again, a delete is finished.
 */
import { z } from "zod";
import type { Paths } from "./paths.ts";
import { readJson, writeJson } from "./store.ts";
import { faultPoint } from "../fault.ts";
import { journalFile } from "./journal_files.ts";

export { hasJournal, journalDir, journalFile, listJournals, STORE_KEY } from "./journal_files.ts";

/** Operations that keep a journal. */
export type JournalOp = "init" | "duplicate" | "delete" | "recover" | "store" | "switch";

/** Parts of a machine an operation makes or removes, in the order a clean-up removes them. */
export const PARTS = ["container", "apps", "secrets", "home", "config"] as const;
/** A part of a machine. */
export type Part = typeof PARTS[number];

/** One journal record. */
export const JournalSchema = z.strictObject({
  version: z.literal(1),
  op: z.enum(["init", "duplicate", "delete", "recover", "store", "switch"]),
  /** The machine the operation makes, removes or re-creates ("_store" for the store). */
  machine: z.string(),
  /** duplicate: the source machine. */
  from: z.string().optional(),
  pid: z.number(),
  startedAt: z.string(),
  /** Parts this operation has begun to make (recorded BEFORE each is made). */
  made: z.array(z.enum(PARTS)),
  /** switch: the build record written once the running machine runs the new system. */
  built: z.strictObject({
    version: z.literal(1),
    flakeHash: z.string(),
    lockHash: z.string(),
    system: z.string().startsWith("/nix/store/"),
    builtAt: z.string(),
    driver: z.string().optional(),
  }).optional(),
});
/** A journal record. */
export type Journal = z.infer<typeof JournalSchema>;

/** What to do with a record left by a process that did not finish. */
export interface SettlePlan {
  /** Parts to remove, in this order. */
  remove: Part[];
  /** What the user is told. */
  message: string;
}

/**
 * Pure: how to settle an unfinished operation. init and duplicate made the machine from
 * nothing (checked under its lock), so every part they began is removed again; a delete is
 * finished (all parts); a recover or store creation loses its half-made container only (the
 * machine's home and config stay; `rebuild` installs the container again).
 */
export function settlePlan(j: Journal): SettlePlan {
  const ordered = (parts: readonly Part[]) => PARTS.filter((p) => parts.includes(p));
  switch (j.op) {
    case "init":
      return {
        remove: ordered(j.made),
        message: `Removing the half-made machine "${j.machine}" of an interrupted init`,
      };
    case "duplicate":
      return {
        remove: ordered(j.made),
        message: `Removing the half-made copy "${j.machine}" of an interrupted duplicate`,
      };
    case "delete":
      return {
        remove: [...PARTS],
        message: `Finishing the interrupted delete of "${j.machine}"`,
      };
    case "switch":
      return {
        remove: [],
        message: `Finishing the interrupted switch of "${j.machine}" to its new system`,
      };
    case "recover":
    case "store":
      return {
        remove: j.made.includes("container") ? ["container"] : [],
        message: j.op === "store"
          ? "Removing the half-made store container of an interrupted store creation"
          : `Removing the half-made container of "${j.machine}" (run: codchi rebuild ${j.machine})`,
      };
  }
}

/** An open journal record of this process. */
export class JournalWriter {
  #j: Journal;
  constructor(readonly file: string, j: Journal) {
    this.#j = j;
  }

  /** The record as written. */
  get record(): Journal {
    return this.#j;
  }

  /** Starts a record (intent first: written before anything is touched). */
  static async begin(
    paths: Paths,
    key: string,
    op: JournalOp,
    extra: { from?: string; made?: Part[]; built?: Journal["built"] } = {},
  ): Promise<JournalWriter> {
    const j: Journal = {
      version: 1,
      op,
      machine: key,
      ...(extra.from ? { from: extra.from } : {}),
      ...(extra.built ? { built: extra.built } : {}),
      pid: Deno.pid,
      startedAt: new Date().toISOString(),
      made: extra.made ?? [],
    };
    const w = new JournalWriter(journalFile(paths, key), j);
    await writeJson(w.file, j);
    faultPoint(`${op} ${key}: begun`);
    return w;
  }

  /** Records that `part` is about to be made; call BEFORE making it. */
  async making(part: Part): Promise<void> {
    if (!this.#j.made.includes(part)) {
      this.#j = { ...this.#j, made: [...this.#j.made, part] };
      await writeJson(this.file, this.#j);
    }
    faultPoint(`${this.#j.op} ${this.#j.machine}: ${part}`);
  }

  /** A step without a new part (for the fault suite's stepping). */
  step(label: string): void {
    faultPoint(`${this.#j.op} ${this.#j.machine}: ${label}`);
  }

  /** The operation is complete (or fully rolled back): the record goes. */
  async end(): Promise<void> {
    await Deno.remove(this.file).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
  }
}

/** The unfinished record of `key`, if any. */
export function readJournal(paths: Paths, key: string): Promise<Journal | undefined> {
  return readJson(journalFile(paths, key), JournalSchema);
}
