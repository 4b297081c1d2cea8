/** PulseAudio client configuration for a machine reaching the host's server through a proxy. Pure. */
import { posix } from "../../path.ts";
import { MACHINE_PULSE_COOKIE, MACHINE_PULSE_SOCKET } from "./devices.ts";

/** What the machine's client.conf says. */
export interface PulseClientOptions {
  /** Server address, e.g. `unix:` + MACHINE_PULSE_SOCKET. */
  server?: string;
  /** Cookie file inside the machine (absent: no cookie line). */
  cookieFile?: string;
}

/**
 * client.conf content: the server, the cookie, no autospawn, and shared memory (SHM and memfd)
 * off — file descriptors cannot cross a socket proxy, so only the plain stream works.
 */
export function pulseClientConf(opts: PulseClientOptions = {}): string {
  const server = opts.server ?? `unix:${MACHINE_PULSE_SOCKET}`;
  const cookie = opts.cookieFile === undefined ? MACHINE_PULSE_COOKIE : opts.cookieFile;
  if (/[\n\r]/.test(server) || /[\n\r]/.test(cookie)) {
    throw new Error("pulse: server and cookie path must be single lines");
  }
  return [
    "# Written by codchi: the host's sound server through the machine's proxy socket.",
    `default-server = ${server}`,
    ...(cookie ? [`cookie-file = ${cookie}`] : []),
    "autospawn = no",
    "enable-shm = no",
    "enable-memfd = no",
    "",
  ].join("\n");
}

/** Candidate host cookie files, most specific first (`$PULSE_COOKIE`, XDG, legacy). */
export function hostPulseCookiePaths(env: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  if (env.PULSE_COOKIE) out.push(env.PULSE_COOKIE);
  const configHome = env.XDG_CONFIG_HOME || (env.HOME ? posix.join(env.HOME, ".config") : "");
  if (configHome) out.push(posix.join(configHome, "pulse", "cookie"));
  if (env.HOME) out.push(posix.join(env.HOME, ".pulse-cookie"));
  return out;
}

/** The host's PulseAudio cookie bytes (first readable candidate), or undefined (PipeWire needs none). */
export async function readHostPulseCookie(
  env: Record<string, string | undefined>,
): Promise<Uint8Array | undefined> {
  for (const p of hostPulseCookiePaths(env)) {
    try {
      const b = await Deno.readFile(p);
      if (b.length > 0) return b;
    } catch {
      // next candidate
    }
  }
  return undefined;
}
