/** HTTP Range arithmetic of resumable downloads (pure). */

/** The `Range` header asking for the bytes from `offset` on, or undefined for the whole file. */
export function rangeHeader(offset: number): string | undefined {
  return offset > 0 ? `bytes=${offset}-` : undefined;
}

/** A parsed `Content-Range: bytes start-end/total` (total undefined when `*`). */
export interface ContentRange {
  start: number;
  end: number;
  total?: number;
}

/** Parses a Content-Range header of a 206 answer; undefined when absent or malformed. */
export function parseContentRange(header: string | null | undefined): ContentRange | undefined {
  const m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(header ?? "");
  if (!m) return undefined;
  const start = Number(m[1]), end = Number(m[2]);
  const total = m[3] === "*" ? undefined : Number(m[3]);
  if (end < start || (total !== undefined && end >= total)) return undefined;
  return { start, end, total };
}

/** What to do with an answer to a (possibly ranged) request. */
export type ResumePlan =
  /** Append the body to the partial file (a matching 206). */
  | { action: "append" }
  /** Write the body from byte 0 (a 200: the server sent the whole file). */
  | { action: "restart" }
  /** Throw the partial file away and ask again without a range (416, or a 206 of other bytes). */
  | { action: "discard" }
  /** The answer is an error. */
  | { action: "fail"; status: number };

/**
 * Decides from the status and Content-Range of an answer what happens to `have` bytes already
 * on disk of a file of `size` bytes.
 */
export function resumePlan(
  status: number,
  contentRange: string | null | undefined,
  have: number,
  size: number,
): ResumePlan {
  if (status === 200) return { action: "restart" };
  if (status === 206) {
    const r = parseContentRange(contentRange);
    if (!r || r.start !== have || (r.total !== undefined && r.total !== size)) {
      return { action: "discard" };
    }
    return { action: "append" };
  }
  if (status === 416) return { action: "discard" };
  return { action: "fail", status };
}
