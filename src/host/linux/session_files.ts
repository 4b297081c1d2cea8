/**
 * The per-exec files a machine needs (X cookie, sound config and cookie), read from the host
 * session. Kept apart from the desktop integration so `exec` loads only this.
 */
import {
  DEFAULT_MACHINE_USER,
  hostExists,
  hostGuiEnv,
  localDisplayNumber,
  MACHINE_PULSE_CLIENT_CONF,
  MACHINE_PULSE_COOKIE,
  MACHINE_XAUTHORITY,
  type MachineUser,
  pulseSocketPath,
} from "./devices.ts";
import { pulseClientConf, readHostPulseCookie } from "./pulse.ts";
import { hostXauthorityPath, machineXauthority } from "./xauth.ts";

/** A file the driver pushes into the machine before an exec (`Driver.pushFile` arguments). */
export interface SessionFile {
  path: string;
  data: Uint8Array;
  mode: number;
  /** The machine user, so the user's programs can read it (mode 0600 where it is a secret). */
  owner: MachineUser;
}

/**
 * Files a machine needs for this exec, read fresh from the host every time (so they never go
 * stale): a FamilyWild X cookie for the current display, and the sound client config and cookie.
 */
export async function sessionFiles(
  env: Record<string, string | undefined> = Deno.env.toObject(),
  hostname: string = Deno.hostname(),
  exists: (path: string) => boolean = hostExists(),
  owner: MachineUser = DEFAULT_MACHINE_USER,
): Promise<SessionFile[]> {
  const out: SessionFile[] = [];
  const display = localDisplayNumber(env.DISPLAY);
  const xauthPath = hostXauthorityPath(env);
  if (display !== undefined && xauthPath) {
    const host = await Deno.readFile(xauthPath).catch(() => undefined);
    const data = host && machineXauthority(host, display, hostname);
    if (data) out.push({ path: MACHINE_XAUTHORITY, data, mode: 0o600, owner });
  }
  const pulse = pulseSocketPath(hostGuiEnv(env, 0, 0));
  if (pulse && exists(pulse)) {
    const cookie = await readHostPulseCookie(env);
    if (cookie) out.push({ path: MACHINE_PULSE_COOKIE, data: cookie, mode: 0o600, owner });
    const conf = pulseClientConf({ cookieFile: cookie ? MACHINE_PULSE_COOKIE : "" });
    out.push({
      path: MACHINE_PULSE_CLIENT_CONF,
      data: new TextEncoder().encode(conf),
      mode: 0o644,
      owner,
    });
  }
  return out;
}
