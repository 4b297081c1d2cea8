/**
 * usbipd-win (`usbipd.exe`), the tool WSL's documentation names for USB: argv builders and the
 * parser of `usbipd state` (its machine-readable JSON: `{"Devices": [{"BusId", "ClientIPAddress",
 * "Description", "InstanceId", "IsForced", "PersistedGuid", "StubInstanceId"}]}`).
 */
import type { HostUsbDevice } from "../../usb/id.ts";
import { ToolError } from "../../errors.ts";

/** The executable, found on PATH (winget installs it there). */
export const USBIPD = "usbipd.exe";

/** Every device and its state, as JSON. */
export function usbipdStateArgv(): string[] {
  return [USBIPD, "state"];
}

/** Shares a device (needs an elevated prompt the first time; persisted by usbipd). */
export function usbipdBindArgv(id: string): string[] {
  return [USBIPD, "bind", "--hardware-id", id];
}

/**
 * Attaches a shared device to the WSL VM (seen by every distro of the VM), once: without
 * `--auto-attach`, which would keep usbipd running to re-attach a replugged device.
 */
export function usbipdAttachArgv(id: string): string[] {
  return [USBIPD, "attach", "--wsl", "--hardware-id", id];
}

/** Detaches a device from WSL. */
export function usbipdDetachArgv(id: string): string[] {
  return [USBIPD, "detach", "--hardware-id", id];
}

/** vendor:product from a Windows device instance id (`USB\VID_046D&PID_C52B\…`). */
export function idFromInstanceId(instanceId: string): string | undefined {
  const m = /VID_([0-9A-F]{4})&PID_([0-9A-F]{4})/i.exec(instanceId);
  return m ? `${m[1]}:${m[2]}`.toLowerCase() : undefined;
}

/** The devices of `usbipd state` output; a ToolError on output that is not its JSON. */
export function parseUsbipdState(text: string): HostUsbDevice[] {
  return parseUsbipdDevices(text).map(({ shared: _s, ...d }) => d);
}

/** A device of `usbipd state`, with whether it is shared (bound: `PersistedGuid` set). */
export interface UsbipdDevice extends HostUsbDevice {
  shared: boolean;
}

/** `usbipd state`'s devices with their shared flag; a ToolError on output that is not its JSON. */
export function parseUsbipdDevices(text: string): UsbipdDevice[] {
  const unreadable = (cause?: unknown) =>
    new ToolError(
      "usbipd",
      "usbipd state printed no device list.",
      "",
      -1,
      "Update usbipd-win (winget upgrade usbipd), then try again.",
      { cause },
    );
  let data: {
    Devices?: {
      BusId?: string | null;
      ClientIPAddress?: string | null;
      Description?: string;
      InstanceId?: string;
      PersistedGuid?: string | null;
    }[];
  } | null;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw unreadable(e);
  }
  if (!data || !Array.isArray(data.Devices)) throw unreadable();
  const out: UsbipdDevice[] = [];
  for (const d of data.Devices) {
    const id = idFromInstanceId(d.InstanceId ?? "");
    if (!id) continue;
    out.push({
      id,
      bus: d.BusId ?? "",
      name: d.Description ?? "",
      attached: d.ClientIPAddress != null,
      shared: d.PersistedGuid != null,
    });
  }
  return out;
}

/** What to run so WSL carries the wanted devices: per id, in this order. */
export interface UsbipdPlan {
  /** Attached devices no longer wanted. */
  detach: string[];
  /** Wanted, plugged-in devices not shared yet (`usbipd bind`, elevated, once). */
  bind: string[];
  /** Wanted, plugged-in devices not attached yet. */
  attach: string[];
  /** Wanted devices that are not plugged in (attached at a later start or attach). */
  absent: string[];
}

/**
 * The plan for `wanted` ids and the `removed` ones (taken from the machine just now), from the
 * devices `usbipd state` lists. A device attached to WSL is seen by every distro of the VM, so
 * only the removed ones are detached, never other attachments.
 */
export function usbipdPlan(
  wanted: string[],
  removed: string[],
  devices: UsbipdDevice[],
): UsbipdPlan {
  const plan: UsbipdPlan = { detach: [], bind: [], attach: [], absent: [] };
  const plugged = (id: string) => devices.find((d) => d.id === id && d.bus !== "");
  for (const id of removed) {
    if (!wanted.includes(id) && devices.some((d) => d.id === id && d.attached)) {
      plan.detach.push(id);
    }
  }
  for (const id of wanted) {
    const d = plugged(id);
    if (!d) plan.absent.push(id);
    else if (!d.attached) {
      if (!d.shared) plan.bind.push(id);
      plan.attach.push(id);
    }
  }
  return plan;
}

/** usbipd's exit code when an operation needs administrator rights (its ExitCode.AccessDenied). */
export const USBIPD_ACCESS_DENIED = 3;

/** The command the user runs once in an elevated prompt to share a device. */
export function usbipdBindHint(id: string): string {
  return `usbipd bind --hardware-id ${id}`;
}
