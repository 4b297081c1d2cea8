/**
 * The per-exec files a machine needs (X cookie, sound config and cookie), read from the host
 * session. Kept apart from the desktop integration so `exec` loads only this.
 */
import type {
  SessionDevicesHook,
  SessionFile,
  SessionFilesHook,
  SessionHooks,
} from "../../driver/types.ts";
import {
  DEFAULT_MACHINE_USER,
  guiDevices,
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

export type { SessionFile };

/**
 * The host session's hooks for a driver (the Linux host port's `session()`): devices and files;
 * `ids`: the host user's (default: this process's).
 */
export function hostSessionHooks(
  env: Record<string, string | undefined>,
  ids = {
    uid: Deno.uid() ?? DEFAULT_MACHINE_USER.uid,
    gid: Deno.gid() ?? DEFAULT_MACHINE_USER.gid,
  },
): SessionHooks {
  return { devices: hostSessionDevices(env, ids), files: hostSessionFiles(env) };
}

/** A hook computing a machine's GUI/sound/GPU devices from the host session in `env`. */
export function hostSessionDevices(
  env: Record<string, string | undefined>,
  ids: { uid: number; gid: number },
): SessionDevicesHook {
  return () => guiDevices(hostGuiEnv(env, ids.uid, ids.gid), hostExists(), DEFAULT_MACHINE_USER);
}

/** A hook reading the per-exec files (X cookie, PulseAudio config and cookie) from `env`. */
export function hostSessionFiles(env: Record<string, string | undefined>): SessionFilesHook {
  return () => sessionFiles(env, Deno.hostname(), hostExists(), DEFAULT_MACHINE_USER);
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
