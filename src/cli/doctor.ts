/** `codchi doctor`: which driver applies here and every missing prerequisite, with its fix. */
import type { ProjectSource } from "../driver/lxd/project.ts";
import { Command } from "@commander-js/extra-typings";
import type { Context } from "./context.ts";
import { canWork, type Check, linuxChecks, windowsChecks } from "../core/doctor.ts";
import { selectDriverName } from "../driver/mod.ts";
import { isExecutableFile, onPath } from "../driver/select.ts";
import { ExitCode } from "../errors.ts";
import { renderTable } from "../ui.ts";

/** Builds the `doctor` command. */
export function doctorCommand(ctx: Context) {
  return new Command("doctor")
    .description("check this host: driver, daemon, permissions, display, sound, secrets")
    .addHelpText("after", "\nExample:\n  codchi doctor --json")
    .action(async () => {
      const cfg = await ctx.config();
      const choice = selectDriverName(ctx.os, ctx.env, cfg.driver);
      const checks = ctx.os === "windows"
        ? windowsChecks({
          ...await windowsFacts(ctx, cfg.windows.vcxsrv.enable),
          vpnkit: cfg.windows.vpnkit,
        })
        : linuxChecks(await linuxFacts(ctx, choice.name, choice.reason));
      const ok = canWork(checks);
      ctx.ui.result(render(checks, ok, ctx.ui.opts.color), { driver: choice.name, ok, checks });
      if (!ok) ctx.exitCode = ExitCode.prerequisite;
    });
}

function render(checks: Check[], ok: boolean, color: boolean): string {
  const mark = (c: Check) => c.ok ? "ok" : c.severity === "error" ? "MISSING" : "warning";
  const table = renderTable(
    ["CHECK", "RESULT", "DETAIL", "FIX"],
    checks.map((c) => [c.name, mark(c), c.detail, c.fix ?? ""]),
    color,
  );
  return `${table}\n\n${
    ok
      ? "codchi can work on this host."
      : "codchi cannot work on this host yet: fix the MISSING items above."
  }`;
}

async function linuxFacts(ctx: Context, driver: "lxd" | "incus" | "wsl", reason: string) {
  const cfg = await ctx.config();
  const bin = driver === "incus" ? "incus" : "lxc";
  const cliPath = onPath(bin, ctx.env.PATH ?? "", isExecutableFile);
  let daemon: { ok: boolean; error?: string } = { ok: false };
  if (cliPath) {
    const out = await ctx.runner.run([bin, "query", "/1.0"], { check: false, timeoutMs: 10_000 });
    daemon = out.code === 0
      ? { ok: true }
      : { ok: false, error: (out.errText || out.text).trim().split("\n").pop() };
  }
  const user = ctx.env.USER ?? ctx.env.LOGNAME ?? `uid ${Deno.uid()}`;
  const group = driver === "incus" ? "incus-admin" : "lxd";
  let project: { name: string; source: string } | undefined;
  if (cliPath) {
    const d = await ctx.driver().catch(() => undefined) as
      | { project?: string; projectSource?: string }
      | undefined;
    if (d?.project) {
      const { describeProjectSource } = await import("../driver/lxd/project.ts");
      project = {
        name: d.project,
        source: describeProjectSource((d.projectSource ?? "env") as ProjectSource),
      };
    }
  }
  let remote: { name: string; source: string; ok: boolean; error?: string } | undefined;
  const { chooseRemote } = await import("../driver/lxd/remote.ts");
  const chosen = chooseRemote({ env: ctx.env.CODCHI_LXD_REMOTE || undefined, config: cfg.remote });
  if (chosen) {
    const source = chosen.source === "env" ? "CODCHI_LXD_REMOTE" : "config.json remote";
    const out = cliPath
      ? await ctx.runner.run([bin, "query", `${chosen.name}:/1.0`], {
        check: false,
        timeoutMs: 15_000,
      })
      : undefined;
    // The server answers /1.0 to anyone; `auth` says whether it trusts this client.
    const untrusted = out?.code === 0 && /"auth":\s*"untrusted"/.test(out.text);
    remote = out?.code === 0 && !untrusted ? { name: chosen.name, source, ok: true } : {
      name: chosen.name,
      source,
      ok: false,
      error: untrusted
        ? `it does not trust this client (make a token there: ${bin} config trust add <name>; ` +
          `then ${bin} remote remove ${chosen.name} and codchi remote add it again)`
        : out
        ? (out.errText || out.text).trim().split("\n").pop()
        : `${bin} is not on PATH`,
    };
  }
  const runtime = ctx.env.XDG_RUNTIME_DIR;
  return {
    remote,
    driver,
    driverReason: reason,
    project,
    cliPath,
    daemon,
    inGroup: Deno.uid() === 0 || (await groupMembers(group)).includes(user),
    user,
    display: ctx.env.DISPLAY,
    waylandDisplay: ctx.env.WAYLAND_DISPLAY,
    pulse: runtime ? exists(`${runtime}/pulse/native`) : false,
    secretService: await hasSecretService(ctx),
  };
}

async function windowsFacts(ctx: Context, vcxsrvEnabled: boolean) {
  const wslPath = ctx.env.CODCHI_WSL_EXE ?? onPath("wsl.exe", ctx.env.PATH ?? "", exists, ";");
  let wslVersion: string | undefined;
  if (wslPath) {
    const out = await ctx.runner.run([wslPath, "--version"], {
      check: false,
      env: { WSL_UTF8: "1" },
      timeoutMs: 15_000,
    });
    wslVersion = out.code === 0
      ? out.text.replaceAll("\0", "").match(/\d+\.\d+\.\d+(\.\d+)?/)?.[0]
      : undefined;
  }
  // Where the installer, winget and scoop put it (vcxsrv.ts), as exec looks for it.
  const { findVcxsrv } = await import("../host/windows/vcxsrv_run.ts");
  const found = vcxsrvEnabled && (await findVcxsrv(ctx.env)) !== undefined;
  const usbipdPath = ctx.env.CODCHI_USBIPD_EXE ??
    onPath("usbipd.exe", ctx.env.PATH ?? "", exists, ";");
  return { wslPath, wslVersion, vcxsrv: { enabled: vcxsrvEnabled, found }, usbipdPath };
}

async function groupMembers(group: string): Promise<string[]> {
  try {
    const line = (await Deno.readTextFile("/etc/group")).split("\n")
      .find((l) => l.startsWith(`${group}:`));
    return line?.split(":")[3]?.split(",").filter(Boolean) ?? [];
  } catch {
    return [];
  }
}

async function hasSecretService(ctx: Context): Promise<boolean> {
  try {
    return (await ctx.secrets()).name === "secret-service";
  } catch {
    return false;
  }
}

function exists(p: string): boolean {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
}
