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

/** Attaches a shared device to the WSL VM (seen by every distro), re-attaching when replugged. */
export function usbipdAttachArgv(id: string): string[] {
  return [USBIPD, "attach", "--wsl", "--hardware-id", id, "--auto-attach"];
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
    }[];
  } | null;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw unreadable(e);
  }
  if (!data || !Array.isArray(data.Devices)) throw unreadable();
  const out: HostUsbDevice[] = [];
  for (const d of data.Devices) {
    const id = idFromInstanceId(d.InstanceId ?? "");
    if (!id) continue;
    out.push({
      id,
      bus: d.BusId ?? "",
      name: d.Description ?? "",
      attached: d.ClientIPAddress != null,
    });
  }
  return out;
}
