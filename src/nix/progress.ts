/**
 * Parser of `nix … --log-format internal-json` (stderr lines `@nix {json}`) into progress events.
 * Malformed lines never throw: bad `@nix` lines are dropped, other text comes back as `text`.
 */

/** Nix's activity types (src/libutil/logging.hh). */
export const ActivityType = {
  unknown: 0,
  copyPath: 100,
  fileTransfer: 101,
  realise: 102,
  copyPaths: 103,
  builds: 104,
  build: 105,
  optimiseStore: 106,
  verifyPaths: 107,
  substitute: 108,
  queryPathInfo: 109,
  postBuildHook: 110,
  buildWaiting: 111,
} as const;

/** Nix's result types. */
export const ResultType = {
  fileLinked: 100,
  buildLogLine: 101,
  untrustedPath: 102,
  corruptedPath: 103,
  setPhase: 104,
  progress: 105,
  setExpected: 106,
  postBuildLogLine: 107,
} as const;

/** Nix's verbosity levels: 0 error … 7 vomit. */
export type NixLevel = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** Done / total counter (total 0: unknown). */
export interface Count {
  done: number;
  total: number;
}

/** Aggregated progress of one nix command. */
export interface NixProgress {
  /** Derivations built. */
  builds: Count & { running: number; failed: number };
  /** Store paths fetched from a substituter (or copied). */
  downloads: Count & { running: number; failed: number };
  /** Bytes transferred by downloads. */
  bytes: Count;
  /** Name of the derivation built most recently started and still running. */
  current?: string;
  /** Its build phase (`configurePhase`, …), when the builder reports it. */
  phase?: string;
}

/** What a line meant. */
export type NixEvent =
  | { kind: "progress"; progress: NixProgress }
  | { kind: "start"; activity: number; text: string; name?: string }
  | { kind: "phase"; name: string; phase: string }
  | { kind: "log"; name?: string; line: string }
  | { kind: "message"; level: NixLevel; text: string }
  | { kind: "error"; text: string }
  | { kind: "text"; line: string };

/** A decoded `@nix` line. */
export type NixLogEntry =
  | { action: "start"; id: number; type: number; level: number; text: string; fields: unknown[] }
  | { action: "stop"; id: number }
  | { action: "result"; id: number; type: number; fields: unknown[] }
  | { action: "msg"; level: number; msg: string };

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** Removes ANSI escape sequences (colours, OSC links) from `text`. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** Decodes one line; undefined when it is not a well-formed `@nix` line. */
export function parseNixLogLine(line: string): NixLogEntry | undefined {
  const trimmed = line.replace(/\r?\n$/, "");
  if (!trimmed.startsWith("@nix ")) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(trimmed.slice(5));
  } catch {
    return undefined;
  }
  if (typeof v !== "object" || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const fields = Array.isArray(o.fields) ? o.fields : [];
  const id = num(o.id);
  const type = num(o.type);
  switch (o.action) {
    case "start":
      if (id === undefined || type === undefined) return undefined;
      return {
        action: "start",
        id,
        type,
        level: num(o.level) ?? 0,
        text: typeof o.text === "string" ? o.text : "",
        fields,
      };
    case "stop":
      return id === undefined ? undefined : { action: "stop", id };
    case "result":
      if (id === undefined || type === undefined) return undefined;
      return { action: "result", id, type, fields };
    case "msg":
      if (typeof o.msg !== "string") return undefined;
      return { action: "msg", level: num(o.level) ?? 3, msg: o.msg };
    default:
      return undefined;
  }
}

/** `hello-2.12` from `/nix/store/<hash>-hello-2.12.drv` (and from plain paths). */
export function storePathName(path: string): string {
  const base = path.split("/").pop() ?? path;
  const m = /^[0-9a-z]{32}-(.*)$/.exec(base);
  return (m ? m[1] : base).replace(/\.drv$/, "");
}

interface Activity {
  type: number;
  name?: string;
  /** Last progress result: done, expected, running, failed. */
  progress: [number, number, number, number];
  /** setExpected per activity type. */
  expected: Map<number, number>;
  running: boolean;
}

function emptyProgress(): NixProgress {
  return {
    builds: { done: 0, total: 0, running: 0, failed: 0 },
    downloads: { done: 0, total: 0, running: 0, failed: 0 },
    bytes: { done: 0, total: 0 },
  };
}

/** Turns internal-json lines into events, keeping the aggregate progress. */
export class NixLogParser {
  #activities = new Map<number, Activity>();
  #buildOrder: number[] = [];
  #progress: NixProgress = emptyProgress();
  #pending = "";
  #errors: string[] = [];

  /** The progress so far (a copy). */
  get progress(): NixProgress {
    return structuredClone(this.#progress);
  }

  /** Every error message seen, ANSI codes stripped. */
  get errors(): string[] {
    return [...this.#errors];
  }

  /** Feeds a chunk of stderr (any split); returns the events of its complete lines. */
  feed(chunk: string): NixEvent[] {
    const text = this.#pending + chunk;
    const lines = text.split("\n");
    this.#pending = lines.pop() ?? "";
    return lines.flatMap((l) => this.line(l));
  }

  /** Flushes a last line without newline. */
  end(): NixEvent[] {
    const rest = this.#pending;
    this.#pending = "";
    return rest === "" ? [] : this.line(rest);
  }

  /** Parses one complete line. */
  line(raw: string): NixEvent[] {
    const line = raw.replace(/\r$/, "");
    if (!/^@nix(\s|$)/.test(line)) {
      return line.trim() === "" ? [] : [{ kind: "text", line: stripAnsi(line) }];
    }
    const entry = parseNixLogLine(line);
    if (!entry) return [];
    switch (entry.action) {
      case "msg":
        return this.#msg(entry.level, entry.msg);
      case "start":
        return this.#start(entry);
      case "stop":
        return this.#stop(entry.id);
      case "result":
        return this.#result(entry.id, entry.type, entry.fields);
    }
  }

  #msg(level: number, msg: string): NixEvent[] {
    const text = stripAnsi(msg).replace(/\s+$/, "");
    if (level <= 0) {
      const clean = text.replace(/^error:\s*/, "");
      this.#errors.push(clean);
      return [{ kind: "error", text: clean }];
    }
    return [{
      kind: "message",
      level: Math.min(7, Math.max(1, Math.trunc(level))) as NixLevel,
      text,
    }];
  }

  #start(e: Extract<NixLogEntry, { action: "start" }>): NixEvent[] {
    const act: Activity = {
      type: e.type,
      progress: [0, 0, 0, 0],
      expected: new Map(),
      running: true,
    };
    const first = e.fields[0];
    if (
      (e.type === ActivityType.build || e.type === ActivityType.substitute ||
        e.type === ActivityType.copyPath) && typeof first === "string"
    ) {
      act.name = storePathName(first);
    } else if (e.type === ActivityType.fileTransfer && typeof first === "string") {
      act.name = first;
    }
    this.#activities.set(e.id, act);
    const events: NixEvent[] = [];
    if (e.type === ActivityType.build) {
      this.#buildOrder.push(e.id);
      if (this.#refreshCurrent()) events.push(this.#progressEvent());
    }
    const text = stripAnsi(e.text);
    if (text !== "") {
      const ev: NixEvent = { kind: "start", activity: e.type, text };
      if (act.name !== undefined) ev.name = act.name;
      events.unshift(ev);
    }
    return events;
  }

  #stop(id: number): NixEvent[] {
    const act = this.#activities.get(id);
    if (!act) return [];
    act.running = false;
    if (act.type === ActivityType.build) {
      this.#buildOrder = this.#buildOrder.filter((b) => b !== id);
      if (this.#refreshCurrent()) return [this.#progressEvent()];
    }
    return [];
  }

  #result(id: number, type: number, fields: unknown[]): NixEvent[] {
    const act = this.#activities.get(id);
    switch (type) {
      case ResultType.buildLogLine:
      case ResultType.postBuildLogLine: {
        if (typeof fields[0] !== "string") return [];
        const ev: NixEvent = { kind: "log", line: stripAnsi(fields[0]).replace(/\r$/, "") };
        if (act?.name !== undefined) ev.name = act.name;
        return [ev];
      }
      case ResultType.setPhase: {
        if (!act || typeof fields[0] !== "string") return [];
        const phase = fields[0];
        (act as Activity & { phase?: string }).phase = phase;
        this.#refreshCurrent();
        return [{ kind: "phase", name: act.name ?? "", phase }, this.#progressEvent()];
      }
      case ResultType.progress: {
        if (!act) return [];
        const n = fields.map((f) => num(f) ?? 0);
        act.progress = [n[0] ?? 0, n[1] ?? 0, n[2] ?? 0, n[3] ?? 0];
        return this.#recompute() ? [this.#progressEvent()] : [];
      }
      case ResultType.setExpected: {
        if (!act) return [];
        const t = num(fields[0]);
        const n = num(fields[1]);
        if (t === undefined || n === undefined) return [];
        act.expected.set(t, n);
        return this.#recompute() ? [this.#progressEvent()] : [];
      }
      default:
        return [];
    }
  }

  #refreshCurrent(): boolean {
    const id = this.#buildOrder[this.#buildOrder.length - 1];
    const act = id === undefined
      ? undefined
      : this.#activities.get(id) as (Activity & { phase?: string }) | undefined;
    const before = `${this.#progress.current}\0${this.#progress.phase}`;
    if (act?.name !== undefined) this.#progress.current = act.name;
    else delete this.#progress.current;
    if (act?.phase !== undefined) this.#progress.phase = act.phase;
    else delete this.#progress.phase;
    return before !== `${this.#progress.current}\0${this.#progress.phase}`;
  }

  /** Recomputes the totals; true when they changed. */
  #recompute(): boolean {
    const sum = (type: number) => {
      const c = { done: 0, total: 0, running: 0, failed: 0 };
      let expected = 0;
      for (const a of this.#activities.values()) {
        if (a.type === type) {
          c.done += a.progress[0];
          c.total += a.progress[1];
          c.running += a.progress[2];
          c.failed += a.progress[3];
        }
        expected += a.expected.get(type) ?? 0;
      }
      c.total = Math.max(c.total, expected, c.done);
      return c;
    };
    const builds = sum(ActivityType.builds);
    const downloads = sum(ActivityType.copyPaths);
    const transfer = sum(ActivityType.fileTransfer);
    const next: NixProgress = {
      builds,
      downloads,
      bytes: { done: transfer.done, total: transfer.total },
    };
    if (this.#progress.current !== undefined) next.current = this.#progress.current;
    if (this.#progress.phase !== undefined) next.phase = this.#progress.phase;
    const changed = JSON.stringify(next) !== JSON.stringify(this.#progress);
    this.#progress = next;
    return changed;
  }

  #progressEvent(): NixEvent {
    return { kind: "progress", progress: this.progress };
  }
}

/** Parses a whole recorded log at once. */
export function parseNixLog(text: string): { events: NixEvent[]; progress: NixProgress } {
  const p = new NixLogParser();
  const events = [...p.feed(text), ...p.end()];
  return { events, progress: p.progress };
}
