/** How long work reports progress to the user; every layer may import it. */

/** Progress reports from long work (imports, builds, downloads). */
export interface Reporter {
  /** A new step ("Importing the store image"). */
  step(message: string): void;
  /** Progress of the current step; total may be unknown (0). */
  progress(done: number, total: number, unit?: string): void;
  /** A log line shown with -v. */
  debug(message: string): void;
  /** A warning always shown (unless -q). */
  warn(message: string): void;
}
