/** How a download's progress reads: sizes, rate and time left (pure). */

/** A byte count for people: `512 B`, `1.5 KiB`, `12.3 MiB`, `1.02 GiB`. */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n, i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  if (i === 0) return `${n} B`;
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${units[i]}`;
}

/** A duration for people: `45 s`, `3 min 05 s`, `1 h 02 min`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/**
 * One progress line of a transfer: `step  12.3 MiB / 80.0 MiB (15%)  4.50 MiB/s  ETA 15 s`.
 * `base` bytes were there before this transfer began (a resume) and do not count for the rate.
 */
export function transferText(
  step: string,
  done: number,
  total: number,
  elapsedMs: number,
  base = 0,
  width = 20,
): string {
  const moved = Math.max(0, done - base);
  const rate = elapsedMs > 0 ? moved / (elapsedMs / 1000) : 0;
  const parts = [step];
  if (total > 0) {
    const frac = Math.min(1, done / total);
    const fill = Math.round(frac * width);
    parts.push(
      `[${"#".repeat(fill)}${"-".repeat(width - fill)}]`,
      `${formatBytes(done)} / ${formatBytes(total)} (${Math.floor(frac * 100)}%)`,
    );
  } else parts.push(formatBytes(done));
  if (elapsedMs >= 500 && rate > 0) {
    parts.push(`${formatBytes(Math.round(rate))}/s`);
    if (total > 0 && done < total) parts.push(`ETA ${formatDuration((total - done) / rate)}`);
  }
  return parts.join("  ");
}

/**
 * The quarter (0–4) a transfer has reached, for plain (non-terminal) output: a line is printed
 * each time it grows, so a log gets at most five lines per file.
 */
export function quarter(done: number, total: number): number {
  if (total <= 0) return 0;
  return Math.min(4, Math.floor((done / total) * 4));
}
