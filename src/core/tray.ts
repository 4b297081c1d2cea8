/** `codchi tray`: the tray's actions from the core, shown by the host's tray (the host port). */
import { ConflictError } from "../errors.ts";
import { whileSignalled } from "../process.ts";
import type { TrayActions, TraySettingKey, TraySettings } from "../host/types.ts";
import type { CoreContext } from "./context.ts";
import { rebuildMachine, startMachine } from "./lifecycle.ts";
import { listMachines } from "./machines.ts";
import { statusRows } from "./status.ts";

export type { TrayActions };

/** The config.json key each tray switch flips. */
export const TRAY_SETTING_KEYS: Readonly<Record<TraySettingKey, readonly string[]>> = {
  vcxsrv: ["windows", "vcxsrv", "enable"],
  vpnkit: ["windows", "vpnkit"],
  autostart: ["tray", "autostart"],
};

/** config.json as it is on disk now (the tray runs for long: an edit by hand shows too). */
async function freshConfig(ctx: CoreContext) {
  const paths = await ctx.paths();
  const { readJson } = await import("../config/store.ts");
  const { defaultGlobalConfig, GlobalConfigSchema } = await import("../config/schema.ts");
  return (await readJson(paths.configFile, GlobalConfigSchema)) ?? defaultGlobalConfig();
}

/** The tray's actions, on the core (one driver call per refresh). */
export function trayActions(ctx: CoreContext): TrayActions {
  return {
    // Its own autostart everywhere; VcXsrv and wsl-vpnkit where machines are WSL distros.
    async settings(): Promise<TraySettings> {
      const cfg = await freshConfig(ctx);
      const autostart = cfg.tray.autostart;
      if ((await ctx.driver()).name !== "wsl") return { autostart };
      return { vcxsrv: cfg.windows.vcxsrv.enable, vpnkit: cfg.windows.vpnkit, autostart };
    },
    async setSetting(key, on) {
      const paths = await ctx.paths();
      const { setConfigKey } = await import("../config/config_edit.ts");
      await setConfigKey(paths.configFile, TRAY_SETTING_KEYS[key], on);
      // Later commands of this process read the new file (and make a driver from it).
      ctx.reload?.();
      // VcXsrv: the next exec reads it. wsl-vpnkit: a running store follows at once.
      if (key === "vpnkit") await (await ctx.driver()).store.applyHostFiles?.(ctx.reporter);
      // The login entry is written or removed now (init and rebuild would do it later).
      if (key === "autostart") {
        await (await ctx.host()).apps({}).then((a) => a.trayAutostart?.(on, ctx.selfArgv));
      }
    },
    async machines() {
      const paths = await ctx.paths();
      const names = await listMachines(paths);
      const state = names.length ? (await ctx.driver()).states() : Promise.resolve(undefined);
      return (await statusRows(paths, ctx.env, names, state)).map(({ name, running, status }) => ({
        name,
        running,
        status,
      }));
    },
    async start(name) {
      await startMachine(ctx, await ctx.driver(), name);
    },
    async stop(name) {
      await (await ctx.driver()).stop(name);
    },
    async rebuild(name) {
      await rebuildMachine(ctx, name, { update: true });
    },
    terminalArgv: (name) => [...ctx.selfArgv, "exec", name],
  };
}

/** Runs the tray until Quit (Linux: StatusNotifierItem over D-Bus; Windows: the notification area). */
export async function runTray(ctx: CoreContext): Promise<void> {
  const paths = await ctx.paths();
  const abort = new AbortController();
  // Ctrl-C ends the tray (as Quit does).
  const ran = await whileSignalled(
    () => abort.abort(),
    async () =>
      await (await ctx.host()).runTray(trayActions(ctx), {
        watchDir: paths.configDir,
        signal: abort.signal,
        report: (m) => ctx.reporter.warn(m),
        started: () => ctx.reporter.step("The codchi tray is running (quit it from its menu)."),
      }),
    ["SIGINT"],
  );
  if (!ran) throw new ConflictError("A codchi tray is already running for this user.");
}
