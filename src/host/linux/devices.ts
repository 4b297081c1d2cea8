/**
 * LXD devices that bring the host's display, sound and GPU into a machine, and the login
 * environment that goes with them. Pure: the host's environment and socket checks are injected.
 */
import { posix } from "../../path.ts";
import {
  HOST_DIR,
  hostFile,
  MACHINE_DISPLAY as CONTRACT_DISPLAY,
  MACHINE_USER,
} from "../../contract.ts";

/** The host session as seen by codchi (a subset of its environment plus its ids). */
export interface HostGuiEnv {
  DISPLAY?: string;
  XAUTHORITY?: string;
  WAYLAND_DISPLAY?: string;
  XDG_RUNTIME_DIR?: string;
  PULSE_SERVER?: string;
  /** Host user's uid/gid (the proxy connects to host sockets as this user). */
  uid: number;
  gid: number;
}

/** The machine user that owns the sockets inside (NixOS user `codchi`, group `users`). */
export interface MachineUser {
  uid: number;
  gid: number;
}

/** The machine user of codchi's NixOS module (nix/contract.json). */
export const DEFAULT_MACHINE_USER: MachineUser = { uid: MACHINE_USER.uid, gid: MACHINE_USER.gid };

/** Whether a host path exists; a path starting with `@` names an abstract unix socket. */
export type Exists = (path: string) => boolean;

/** LXD device name → device config, plus the variables for the machine's login environment. */
export interface GuiDevices {
  devices: Record<string, Record<string, string>>;
  env: Record<string, string>;
}

/** Folder inside the machine where proxied sockets and per-exec files live (not a tmpfs). */
export const MACHINE_SOCKET_DIR = HOST_DIR;
/** Wayland socket inside the machine. */
export const MACHINE_WAYLAND_SOCKET = hostFile("wayland");
/** PulseAudio native socket inside the machine. */
export const MACHINE_PULSE_SOCKET = hostFile("pulse");
/** Where the driver pushes the FamilyWild X cookie (see xauth.ts) before each exec. */
export const MACHINE_XAUTHORITY = hostFile("xauthority");
/** Where the driver pushes the PulseAudio client config (see pulse.ts). */
export const MACHINE_PULSE_CLIENT_CONF = hostFile("pulseClientConf");
/** Where the driver pushes the host's PulseAudio cookie. */
export const MACHINE_PULSE_COOKIE = hostFile("pulseCookie");
/** The display number the machine always sees. */
export const MACHINE_DISPLAY = CONTRACT_DISPLAY;
/** Prefix of every device codchi manages (so refreshing never touches the user's own devices). */
export const DEVICE_PREFIX = "codchi-";

/** Names of the devices `guiDevices` may return. */
export const GUI_DEVICE_NAMES = ["codchi-x11", "codchi-wayland", "codchi-pulse", "codchi-gpu"];

/** The host X display a `DISPLAY` value names: a local display number, or undefined. */
export function localDisplayNumber(display: string | undefined): number | undefined {
  if (!display) return undefined;
  const m = /^(?:unix)?:(\d+)(?:\.\d+)?$/.exec(display.trim());
  return m ? Number(m[1]) : undefined;
}

/** The host path of the Wayland socket, or undefined without a Wayland session. */
export function waylandSocketPath(env: HostGuiEnv): string | undefined {
  const w = env.WAYLAND_DISPLAY;
  if (!w) return undefined;
  if (w.startsWith("/")) return w;
  return env.XDG_RUNTIME_DIR ? posix.join(env.XDG_RUNTIME_DIR, w) : undefined;
}

/** The host path of the PulseAudio/PipeWire-pulse native socket (`PULSE_SERVER` or the default). */
export function pulseSocketPath(env: HostGuiEnv): string | undefined {
  if (env.PULSE_SERVER) {
    for (const s of env.PULSE_SERVER.split(/\s+/)) {
      const m = /^(?:\{[^}]*\})?unix:(\/.+)$/.exec(s);
      if (m) return m[1];
      if (s.startsWith("/")) return s;
    }
    return undefined;
  }
  return env.XDG_RUNTIME_DIR ? posix.join(env.XDG_RUNTIME_DIR, "pulse", "native") : undefined;
}

/** GPU device nodes whose presence gives the machine a `gpu` device. */
export const GPU_NODES = ["/dev/dri", "/dev/nvidiactl", "/dev/nvidia0"];

/**
 * Devices for the machine: an X11 proxy from the host's display (abstract socket when present,
 * else its path) to the machine's abstract `@/tmp/.X11-unix/X0`; a Wayland and a PulseAudio
 * proxy listening under MACHINE_SOCKET_DIR (outside the tmpfs of /tmp and /run); a `gpu` device when
 * the host has GPU nodes. Only devices whose host side exists are returned.
 */
export function guiDevices(
  env: HostGuiEnv,
  exists: Exists,
  user: MachineUser = DEFAULT_MACHINE_USER,
): GuiDevices {
  const devices: Record<string, Record<string, string>> = {};
  const out: Record<string, string> = {};
  const proxy = (connect: string, listen: string, socketOwned: boolean) => ({
    type: "proxy",
    bind: "instance",
    connect,
    listen,
    "security.uid": String(env.uid),
    "security.gid": String(env.gid),
    ...(socketOwned ? { uid: String(user.uid), gid: String(user.gid), mode: "0600" } : {}),
  });

  const n = localDisplayNumber(env.DISPLAY);
  if (n !== undefined) {
    const abstract = `@/tmp/.X11-unix/X${n}`;
    const path = `/tmp/.X11-unix/X${n}`;
    const connect = exists(abstract) ? `unix:${abstract}` : exists(path) ? `unix:${path}` : "";
    if (connect) {
      devices["codchi-x11"] = proxy(connect, "unix:@/tmp/.X11-unix/X0", false);
      out.DISPLAY = MACHINE_DISPLAY;
      out.XAUTHORITY = MACHINE_XAUTHORITY;
    }
  }
  const wayland = waylandSocketPath(env);
  if (wayland && exists(wayland)) {
    devices["codchi-wayland"] = proxy(`unix:${wayland}`, `unix:${MACHINE_WAYLAND_SOCKET}`, true);
    out.WAYLAND_DISPLAY = MACHINE_WAYLAND_SOCKET;
  }
  const pulse = pulseSocketPath(env);
  if (pulse && exists(pulse)) {
    devices["codchi-pulse"] = proxy(`unix:${pulse}`, `unix:${MACHINE_PULSE_SOCKET}`, true);
    out.PULSE_SERVER = `unix:${MACHINE_PULSE_SOCKET}`;
    out.PULSE_CLIENTCONFIG = MACHINE_PULSE_CLIENT_CONF;
  }
  if (GPU_NODES.some(exists)) {
    devices["codchi-gpu"] = { type: "gpu", gid: String(user.gid), mode: "0660" };
  }
  return { devices, env: out };
}

/** What to change so a machine's codchi devices match `wanted` (other devices are left alone). */
export function diffDevices(
  current: Record<string, Record<string, string>>,
  wanted: Record<string, Record<string, string>>,
): { add: string[]; remove: string[]; replace: string[] } {
  const mine = Object.keys(current).filter((d) => d.startsWith(DEVICE_PREFIX));
  const remove = mine.filter((d) => !(d in wanted));
  const add = Object.keys(wanted).filter((d) => !(d in current));
  const replace = Object.keys(wanted).filter((d) =>
    d in current && !sameConfig(current[d], wanted[d])
  );
  return { add, remove, replace };
}

function sameConfig(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

/** Host environment for `guiDevices` from a plain environment record and the process ids. */
export function hostGuiEnv(
  env: Record<string, string | undefined>,
  uid: number,
  gid: number,
): HostGuiEnv {
  return {
    DISPLAY: env.DISPLAY,
    XAUTHORITY: env.XAUTHORITY,
    WAYLAND_DISPLAY: env.WAYLAND_DISPLAY,
    XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR,
    PULSE_SERVER: env.PULSE_SERVER,
    uid,
    gid,
  };
}

/**
 * A real `Exists`: abstract sockets (`@…`) and socket files count only while something listens
 * on them (per /proc/net/unix, read once), so a stale socket file left by a crashed server is
 * ignored; other paths by `lstat`. Effectful; the result caches the socket table.
 */
export function hostExists(): Exists {
  let table: Set<string> | undefined;
  const listening = (name: string) => {
    table ??= readSocketTable();
    return table.size === 0 || table.has(name);
  };
  return (path) => {
    if (path.startsWith("@")) {
      table ??= readSocketTable();
      return table.has(path);
    }
    try {
      const info = Deno.lstatSync(path);
      return info.isSocket ? listening(path) : true;
    } catch {
      return false;
    }
  };
}

/** Names of bound unix sockets in a /proc/net/unix text (abstract ones start with `@`). */
export function parseProcNetUnix(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    const p = cols[7];
    if (p?.startsWith("@") || p?.startsWith("/")) out.add(p);
  }
  return out;
}

function readSocketTable(): Set<string> {
  try {
    return parseProcNetUnix(Deno.readTextFileSync("/proc/net/unix"));
  } catch {
    return new Set();
  }
}
