/** USB passthrough on LXD/Incus: one `usb` device per vendor:product (the engine hotplugs it). */
import type { DeviceSpec } from "./argv.ts";

/** Prefix of codchi's USB device names (distinct from the session devices' `codchi-`). */
export const USB_DEVICE_PREFIX = "usb-";

/** The instance device for a `vvvv:pppp` id. */
export function usbDeviceSpec(id: string): DeviceSpec {
  const [vendorid, productid] = id.split(":");
  return {
    name: `${USB_DEVICE_PREFIX}${vendorid}-${productid}`,
    type: "usb",
    options: { vendorid, productid },
  };
}

/**
 * What to change so the instance carries exactly the wanted USB devices: `devices` are the
 * instance's own devices (name → options, as `lxc config device show` prints them).
 */
export function usbPlan(
  wanted: string[],
  devices: Record<string, Record<string, string>>,
): { add: DeviceSpec[]; remove: string[] } {
  const want = new Map(wanted.map((id) => [usbDeviceSpec(id).name, usbDeviceSpec(id)]));
  const add: DeviceSpec[] = [];
  const remove: string[] = [];
  for (const [name, opts] of Object.entries(devices)) {
    if (!name.startsWith(USB_DEVICE_PREFIX) || opts.type !== "usb") continue;
    const w = want.get(name);
    if (!w || w.options.vendorid !== opts.vendorid || w.options.productid !== opts.productid) {
      remove.push(name);
    }
  }
  for (const [name, spec] of want) {
    const have = devices[name];
    if (!have || have.type !== "usb" || remove.includes(name)) add.push(spec);
  }
  return { add, remove };
}
