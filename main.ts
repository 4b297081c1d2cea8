/** codchi's entry point: builds the CLI, runs it, and is the ONLY place that exits. */
import { run } from "./src/cli/program.ts";

if (import.meta.main) {
  Deno.exit(await run(Deno.args));
}
