/** Windows: every CLI call starts the tray when `tray.autostart` is on and none runs (one instance). */
import type { Context } from "./context.ts";
import { selfArgv } from "./context.ts";

/** Commands after which no tray is started (the tray itself, and leaving codchi). */
const NO_TRAY = new Set(["tray", "uninstall", "completion", "help"]);

/** Starts the tray after a command on Windows when wanted; failures only reach the debug log. */
export async function startTrayIfWanted(ctx: Context, command: string | undefined): Promise<void> {
  if (Deno.build.os !== "windows" || ctx.os !== "windows") return;
  if (command !== undefined && NO_TRAY.has(command)) return;
  try {
    if (!(await ctx.config()).tray.autostart || !ctx.runner.spawnDetached) return;
    const { ensureTray } = await import("../host/windows/tray_start.ts");
    const { launcherFor } = await import("../host/windows/mod.ts");
    const paths = await ctx.paths();
    const launcher = launcherFor(selfArgv(ctx.env), ctx.env.LOCALAPPDATA ?? paths.dataDir);
    const runner = ctx.runner;
    if (await ensureTray({ launcher, spawnDetached: (argv) => runner.spawnDetached!(argv) })) {
      ctx.ui.debug("started the tray");
    }
  } catch (e) {
    ctx.ui.debug(`tray not started: ${e instanceof Error ? e.message : String(e)}`);
  }
}
