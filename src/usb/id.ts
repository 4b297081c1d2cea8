/** USB devices as codchi names them: `vvvv:pppp` (vendor and product id, lowercase hex). */
import { UsageError } from "../errors.ts";

/** A USB device as the host sees it. */
export interface HostUsbDevice {
  /** `vvvv:pppp`, lowercase. */
  id: string;
  /** Where it is plugged in (`1-2.3` on Linux, usbipd's BUSID on Windows); "" when unplugged. */
  bus: string;
  /** Manufacturer and product, as the device reports them. */
  name: string;
  /** Attached to a machine (WSL: to the WSL VM) right now, when the host can tell. */
  attached?: boolean;
}

const ID = /^([0-9a-fA-F]{4}):([0-9a-fA-F]{4})$/;

/** Whether `s` is a `vvvv:pppp` id. */
export function isUsbId(s: string): boolean {
  return ID.test(s);
}

/** Normalises a `vvvv:pppp` id to lowercase; anything else is a UsageError. */
export function parseUsbId(s: string): string {
  const m = ID.exec(s.trim());
  if (!m) {
    throw new UsageError(
      `${JSON.stringify(s)} is not a USB device id.`,
      "Use vendor:product as `codchi usb list` shows it (four hex digits each, e.g. 046d:c52b), " +
        "or the device's bus id from that list.",
    );
  }
  return `${m[1]}:${m[2]}`.toLowerCase();
}

/**
 * Resolves what the user typed (an id, or a bus id from `codchi usb list`) against the host's
 * devices. An id needs no device plugged in (LXD attaches it when it appears).
 */
export function resolveUsbDevice(arg: string, devices: HostUsbDevice[]): string {
  if (isUsbId(arg.trim())) return parseUsbId(arg);
  const byBus = devices.find((d) => d.bus !== "" && d.bus === arg.trim());
  if (byBus) return byBus.id;
  return parseUsbId(arg);
}
