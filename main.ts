/** codchi's entry point: runs the CLI and is the ONLY place that exits. */
import { run } from "./src/cli/entry.ts";

if (import.meta.main) {
  Deno.exit(await run(Deno.args));
}
