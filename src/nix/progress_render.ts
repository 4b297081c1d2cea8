/**
 * Shows nix progress events to the user: one live line on a terminal, plain lines otherwise, and
 * every build log line with --verbose. Output goes through an injected `write` (stderr in the CLI).
 */
import type { Reporter } from "../reporter.ts";
import type { NixEvent, NixProgress } from "./progress.ts";
import { ActivityType } from "./progress.ts";

/** How to render. */
export interface RenderOptions {
  /** stderr is a terminal: redraw one status line in place. */
  tty: boolean;
  /** Show build log lines and chatty messages. */
  verbose: boolean;
  /** Show nothing but errors. */
  quiet?: boolean;
  /** Terminal width for the live line (default 80). */
  columns?: number;
}

/** `512 B`, `1.5 KiB`, `20.0 MiB`, `1.2 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** The one-line summary of `p`, e.g. `[2/5 built, 3/10 fetched, 1.5 MiB of 20.0 MiB] hello (buildPhase)`. */
export function progressSummary(p: NixProgress): string {
  const parts: string[] = [];
  if (p.builds.total > 0 || p.builds.done > 0) {
    parts.push(
      `${p.builds.done}/${p.builds.total} built` +
        (p.builds.failed ? `, ${p.builds.failed} failed` : ""),
    );
  }
  if (p.downloads.total > 0 || p.downloads.done > 0) {
    parts.push(`${p.downloads.done}/${p.downloads.total} fetched`);
  }
  if (p.bytes.total > 0 || p.bytes.done > 0) {
    parts.push(`${formatBytes(p.bytes.done)} of ${formatBytes(p.bytes.total)}`);
  }
  const head = parts.length ? `[${parts.join(", ")}]` : "";
  const current = p.current ? `${p.current}${p.phase ? ` (${p.phase})` : ""}` : "";
  return [head, current].filter((s) => s !== "").join(" ");
}

function truncate(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : chars.slice(0, Math.max(1, width - 1)).join("") + "…";
}

/** Renders events; call `finish()` at the end to clear the live line. */
export class ProgressRenderer {
  #live = "";
  #lastPlain = "";
  constructor(
    private readonly opts: RenderOptions,
    private readonly write: (text: string) => void,
  ) {}

  /** Shows one event. */
  handle(ev: NixEvent): void {
    switch (ev.kind) {
      case "error":
        return this.#line(`error: ${ev.text}`, true);
      case "message":
        if (ev.level <= 3) return this.#line(ev.text, !this.opts.quiet);
        return this.#line(ev.text, this.opts.verbose && !this.opts.quiet);
      case "text":
        return this.#line(ev.line, !this.opts.quiet);
      case "log":
        return this.#line(
          ev.name ? `${ev.name}> ${ev.line}` : ev.line,
          this.opts.verbose && !this.opts.quiet,
        );
      case "start":
        if (this.opts.quiet) return;
        if (this.opts.verbose) return this.#line(ev.text, true);
        if (!this.opts.tty && isNotable(ev.activity)) return this.#line(ev.text, true);
        return;
      case "phase":
        if (!this.opts.tty && this.opts.verbose && !this.opts.quiet) {
          this.#line(`${ev.name}: ${ev.phase}`, true);
        }
        return;
      case "progress":
        return this.#progress(ev.progress);
    }
  }

  /** Clears the live line (TTY) so later output starts on a clean line. */
  finish(): void {
    if (this.#live !== "") {
      this.write("\r\x1b[2K");
      this.#live = "";
    }
  }

  #line(text: string, show: boolean): void {
    if (!show) return;
    if (this.opts.tty && this.#live !== "") {
      this.write(`\r\x1b[2K${text}\n${this.#live}`);
    } else {
      this.write(`${text}\n`);
    }
  }

  #progress(p: NixProgress): void {
    if (this.opts.quiet) return;
    const summary = progressSummary(p);
    if (this.opts.tty) {
      const live = truncate(summary, (this.opts.columns ?? 80) - 1);
      if (live === this.#live) return;
      this.#live = live;
      this.write(`\r\x1b[2K${live}`);
    } else if (this.opts.verbose && summary !== "" && summary !== this.#lastPlain) {
      this.#lastPlain = summary;
      this.write(`${summary}\n`);
    }
  }
}

function isNotable(activity: number): boolean {
  return activity === ActivityType.build || activity === ActivityType.substitute ||
    activity === ActivityType.fileTransfer;
}

/** Adapts events to a driver `Reporter`: builds as progress, errors and warnings as warnings. */
export function reportEvents(reporter: Reporter): (ev: NixEvent) => void {
  return (ev) => {
    switch (ev.kind) {
      case "progress": {
        const p = ev.progress;
        if (p.builds.total > 0) reporter.progress(p.builds.done, p.builds.total, "builds");
        else if (p.downloads.total > 0) {
          reporter.progress(p.downloads.done, p.downloads.total, "downloads");
        }
        return;
      }
      case "error":
        return reporter.warn(ev.text);
      case "message":
        return ev.level <= 1
          ? reporter.warn(ev.text.replace(/^warning:\s*/, ""))
          : reporter.debug(ev.text);
      case "log":
        return reporter.debug(ev.name ? `${ev.name}> ${ev.line}` : ev.line);
      case "start":
        return reporter.debug(ev.text);
      case "text":
        return reporter.debug(ev.line);
      case "phase":
        return reporter.debug(`${ev.name}: ${ev.phase}`);
    }
  };
}
