/** The default session hook: the host's display, sound and GPU devices from host/linux/devices. */
import { guiDevices, hostExists, hostGuiEnv } from "../../host/linux/devices.ts";
import { MACHINE_USER } from "./argv.ts";
import type { HostIds } from "./mounts.ts";
import type { SessionDevicesHook } from "./mod.ts";

/** A hook computing a machine's GUI/sound/GPU devices from the host session in `env`. */
export function hostSessionDevices(
  env: Record<string, string | undefined>,
  ids: HostIds,
): SessionDevicesHook {
  return () =>
    guiDevices(hostGuiEnv(env, ids.uid, ids.gid), hostExists(), {
      uid: MACHINE_USER.uid,
      gid: MACHINE_USER.gid,
    });
}
