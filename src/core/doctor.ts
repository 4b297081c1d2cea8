/**
 * `codchi doctor`: the driver's and the session's probes, asked through the ports (`doctor`), and
 * the rules, pure functions from those facts to checks with fixes.
 */
import type { DriverName } from "../driver/types.ts";
import type { CoreContext } from "./context.ts";

/** One doctor finding. */
export interface Check {
  name: string;
  ok: boolean;
  /** "error": codchi cannot work; "warning": a feature is missing. */
  severity: "error" | "warning";
  detail: string;
  /** The command or step that fixes it. */
  fix?: string;
}

/** What doctor learned about a Linux host. */
export interface LinuxFacts {
  driver: DriverName;
  driverReason: string;
  /** Path of the driver's CLI (lxc/incus), if found. */
  cliPath?: string;
  /** The daemon answered (`lxc query /1.0`), and its error text if not. */
  daemon: { ok: boolean; error?: string };
  /** The LXD/Incus project of this data folder and why it was chosen. */
  project?: { name: string; source: string };
  /**
   * The remote server the machines run on (config.json `remote` / CODCHI_LXD_REMOTE): whether
   * it answered (`lxc query <remote>:/1.0`), and why not.
   */
  remote?: { name: string; source: string; ok: boolean; error?: string };
  /** User is root or in the lxd/incus-admin group. */
  inGroup: boolean;
  user: string;
  display?: string;
  waylandDisplay?: string;
  pulse: boolean;
  secretService: boolean;
}

/** What doctor learned about a Windows host. */
export interface WindowsFacts {
  wslPath?: string;
  /** "2.0.14.0" etc., from `wsl.exe --version`. */
  wslVersion?: string;
  vcxsrv: { enabled: boolean; found: boolean };
  /** config.json `windows.vpnkit`: wsl-vpnkit runs in the store (absent: off). */
  vpnkit?: boolean;
  /** Path of usbipd-win's usbipd.exe (USB devices for machines), if found. */
  usbipdPath?: string;
}

const MIN_WSL = [2, 0, 14];

/** Compares dotted versions; negative when a < b. */
export function compareVersions(a: string, b: number[]): number {
  const pa = a.split(".").map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < b.length; i++) {
    const d = (pa[i] ?? 0) - b[i];
    if (d !== 0) return d;
  }
  return 0;
}

/** Checks for a Linux host. */
export function linuxChecks(f: LinuxFacts): Check[] {
  const bin = f.driver === "incus" ? "incus" : "lxc";
  const group = f.driver === "incus" ? "incus-admin" : "lxd";
  const checks: Check[] = [
    { name: "driver", ok: true, severity: "error", detail: `${f.driver} (${f.driverReason})` },
    ...(f.project
      ? [{
        name: "project",
        ok: true,
        severity: "error" as const,
        detail: `${f.project.name} (${f.project.source})`,
      }]
      : []),
    f.cliPath ? { name: `${bin} binary`, ok: true, severity: "error", detail: f.cliPath } : {
      name: `${bin} binary`,
      ok: false,
      severity: "error",
      detail: `${bin} is not on PATH`,
      fix: f.driver === "incus"
        ? "sudo apt-get install incus   (then: sudo incus admin init)"
        : "sudo apt-get install lxd   (or: sudo snap install lxd), then a safe `lxd init` (see README)",
    },
    f.inGroup
      ? { name: "permission", ok: true, severity: "error", detail: `${f.user} may use ${f.driver}` }
      : {
        name: "permission",
        ok: false,
        severity: "error",
        detail: `${f.user} is not in the "${group}" group`,
        fix: `sudo usermod -aG ${group} ${f.user}   (then log out and in again)`,
      },
  ];
  if (f.remote) {
    checks.push(
      f.remote.ok
        ? {
          name: "remote",
          ok: true,
          severity: "error",
          detail: `${f.remote.name} (${f.remote.source}) answers: machines run there`,
        }
        : {
          name: "remote",
          ok: false,
          severity: "error",
          detail: `the remote ${f.remote.name} (${f.remote.source}) does not answer${
            f.remote.error ? `: ${f.remote.error}` : ""
          }`,
          fix: `codchi remote list; add it with: codchi remote add ${f.remote.name} <url>`,
        },
    );
  }
  if (f.cliPath) {
    checks.push(
      f.daemon.ok
        ? { name: "daemon", ok: true, severity: "error", detail: `${f.driver} daemon answers` }
        : {
          name: "daemon",
          ok: false,
          severity: "error",
          detail: `the ${f.driver} daemon does not answer${
            f.daemon.error ? `: ${f.daemon.error}` : ""
          }`,
          fix: f.driver === "incus"
            ? "sudo systemctl start incus"
            : "sudo systemctl start lxd   (or snap.lxd.daemon), then `lxd init` if never done",
        },
    );
  }
  checks.push(
    f.remote
      ? {
        name: "display",
        ok: false,
        severity: "warning",
        detail:
          `machines on the remote ${f.remote.name} cannot reach this display or sound (terminal use only)`,
        fix: "run GUI machines on the local daemon (no `remote` in config.json)",
      }
      : f.display || f.waylandDisplay
      ? {
        name: "display",
        ok: true,
        severity: "warning",
        detail: [f.display && `X11 ${f.display}`, f.waylandDisplay && `Wayland ${f.waylandDisplay}`]
          .filter(Boolean).join(", "),
      }
      : {
        name: "display",
        ok: false,
        severity: "warning",
        detail: "no DISPLAY or WAYLAND_DISPLAY: GUI apps cannot open",
        fix: "run codchi from your desktop session",
      },
    f.pulse
      ? { name: "sound", ok: true, severity: "warning", detail: "PulseAudio/PipeWire socket found" }
      : {
        name: "sound",
        ok: false,
        severity: "warning",
        detail: "no PulseAudio/PipeWire socket in $XDG_RUNTIME_DIR/pulse",
        fix: "start pipewire-pulse or pulseaudio in your session",
      },
    f.secretService
      ? {
        name: "secrets",
        ok: true,
        severity: "warning",
        detail: "Secret Service on the session bus",
      }
      : {
        name: "secrets",
        ok: false,
        severity: "warning",
        detail: "no Secret Service: secrets go to a file only you can read",
        fix: "install and start gnome-keyring or KWallet",
      },
  );
  return checks;
}

/** Checks for a Windows host. */
export function windowsChecks(f: WindowsFacts): Check[] {
  const checks: Check[] = [];
  if (!f.wslPath) {
    checks.push({
      name: "wsl",
      ok: false,
      severity: "error",
      detail: "wsl.exe not found",
      fix: "wsl --install   (in an administrator PowerShell), then reboot",
    });
  } else if (!f.wslVersion || compareVersions(f.wslVersion, MIN_WSL) < 0) {
    checks.push({
      name: "wsl",
      ok: false,
      severity: "error",
      detail: f.wslVersion
        ? `WSL ${f.wslVersion} is older than ${MIN_WSL.join(".")}`
        : "WSL is the old inbox version (no --version)",
      fix: "wsl --update",
    });
  } else {
    checks.push({ name: "wsl", ok: true, severity: "error", detail: `WSL ${f.wslVersion}` });
  }
  if (f.vcxsrv.enabled) {
    checks.push(
      f.vcxsrv.found ? { name: "vcxsrv", ok: true, severity: "warning", detail: "VcXsrv found" } : {
        name: "vcxsrv",
        ok: false,
        severity: "warning",
        detail: "VcXsrv is enabled in config.json but not installed; WSLg is used",
        // The words of VCXSRV_INSTALL_HINT (src/host/windows/vcxsrv.ts; a test keeps them equal).
        fix: "winget install marha.VcXsrv   (or: scoop install extras/vcxsrv); " +
          "or set windows.vcxsrv.enable to false",
      },
    );
  }
  checks.push(vpnkitCheck(f.vpnkit ?? false));
  checks.push(
    f.usbipdPath
      ? { name: "usbipd", ok: true, severity: "warning", detail: `usbipd-win: ${f.usbipdPath}` }
      : {
        name: "usbipd",
        ok: false,
        severity: "warning",
        detail: "usbipd-win not found: `codchi usb` cannot hand USB devices to machines",
        // The words of USBIPD_INSTALL_HINT (src/driver/wsl/usb.ts; a test keeps them equal).
        fix: "winget install usbipd",
      },
  );
  return checks;
}

/** The words doctor uses for when to turn wsl-vpnkit on (the README and tray say the same). */
export const VPNKIT_WHEN =
  "machines have no network, or DNS lookups time out, while a Windows VPN is connected " +
  "(and work without it)";

/** wsl-vpnkit: never a failure; says when to turn it on, or that it is on and how to undo it. */
export function vpnkitCheck(on: boolean): Check {
  return on
    ? {
      name: "vpnkit",
      ok: true,
      severity: "warning",
      detail: "wsl-vpnkit is on: the store runs it, WSL's network goes through Windows' stack",
      fix: "if machines lose network without a VPN: set windows.vpnkit to false " +
        "(or the tray's VPN compatibility)",
    }
    : {
      name: "vpnkit",
      ok: true,
      severity: "warning",
      detail: "wsl-vpnkit is off (WSL's own network)",
      fix: `when ${VPNKIT_WHEN}: set windows.vpnkit to true in config.json ` +
        "(or the tray's VPN compatibility)",
    };
}

/** True when no error-severity check failed. */
export function canWork(checks: Check[]): boolean {
  return checks.every((c) => c.ok || c.severity !== "error");
}

/** What doctor found: every check, and whether codchi can work with them. */
export interface DoctorReport {
  checks: Check[];
  ok: boolean;
}

/**
 * Asks the driver (`CoreContext.diagnoseDriver`) and the host port (`Host.diagnose`) what they
 * see, and judges it: WSL's checks for the WSL driver, LXD's/Incus's with the session's display,
 * sound and secret store otherwise. `choice` is the driver in use and why (for people).
 */
export async function doctor(
  ctx: CoreContext,
  choice: { name: DriverName; reason: string },
): Promise<DoctorReport> {
  const d = await ctx.diagnoseDriver();
  const host = await ctx.host();
  let checks: Check[];
  if (d.kind === "wsl") {
    const windows = (await ctx.config()).windows;
    const enabled = windows.vcxsrv.enable;
    const session = await host.diagnose({ vcxsrv: enabled });
    checks = windowsChecks({
      wslPath: d.wslPath,
      wslVersion: d.wslVersion,
      vcxsrv: { enabled, found: session.vcxsrv === true },
      usbipdPath: d.usbipdPath,
      vpnkit: windows.vpnkit,
    });
  } else {
    const session = await host.diagnose({ vcxsrv: false });
    checks = linuxChecks({
      driver: choice.name,
      driverReason: choice.reason,
      cliPath: d.cliPath,
      daemon: d.daemon,
      project: d.project,
      remote: d.remote,
      inGroup: d.permission.ok,
      user: d.permission.user,
      display: session.display,
      waylandDisplay: session.waylandDisplay,
      pulse: session.pulse === true,
      secretService: await ctx.secrets().then((s) => s.name === "secret-service", () => false),
    });
  }
  return { checks, ok: canWork(checks) };
}
