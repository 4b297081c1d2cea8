/**
 * Fault injection for the fault suite: with `CODCHI_FAULT_STEP=<n>`, codchi sends itself
 * `CODCHI_FAULT_SIGNAL` (SIGKILL by default, or SIGINT/SIGTERM) when it reaches its n-th fault
 * point (the journal steps of multi-step operations). `CODCHI_FAULT_TRACE=1` prints every point
 * reached (`codchi-fault: <n> <label>`), so a test can step through an operation. Unset: no-op.
 */

let reached = 0;

/** Marks a step of a multi-step operation (a place where a crash must leave nothing broken). */
export function faultPoint(label: string): void {
  const at = Deno.env.get("CODCHI_FAULT_STEP");
  const trace = Deno.env.get("CODCHI_FAULT_TRACE") === "1";
  if (!at && !trace) return;
  reached++;
  if (trace) {
    Deno.stderr.writeSync(new TextEncoder().encode(`codchi-fault: ${reached} ${label}\n`));
  }
  if (Number(at) === reached) {
    const sig = Deno.env.get("CODCHI_FAULT_SIGNAL") ?? "SIGKILL";
    Deno.kill(Deno.pid, sig as Deno.Signal);
  }
}
