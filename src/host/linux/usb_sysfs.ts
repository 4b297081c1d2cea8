/** The host's USB devices from sysfs (`/sys/bus/usb/devices`): no process, no libusb. */
import type { HostUsbDevice } from "../../usb/id.ts";

/** Where the kernel lists USB devices. */
export const SYSFS_USB = "/sys/bus/usb/devices";

/** The attribute files of one sysfs device folder that codchi reads. */
export type SysfsAttrs = Partial<
  Record<"idVendor" | "idProduct" | "manufacturer" | "product" | "bDeviceClass", string>
>;

/**
 * One device from its folder name and attributes; undefined for interfaces (`1-2:1.0`, no ids)
 * and hubs (class 09), which cannot be handed to a machine usefully.
 */
export function deviceFromSysfs(folder: string, a: SysfsAttrs): HostUsbDevice | undefined {
  const vendor = a.idVendor?.trim().toLowerCase();
  const product = a.idProduct?.trim().toLowerCase();
  if (!vendor || !product || !/^[0-9a-f]{4}$/.test(vendor) || !/^[0-9a-f]{4}$/.test(product)) {
    return undefined;
  }
  if (a.bDeviceClass?.trim() === "09") return undefined;
  const name = [a.manufacturer, a.product].map((s) => s?.trim()).filter(Boolean).join(" ");
  return { id: `${vendor}:${product}`, bus: folder, name };
}

/** Every USB device below `root` (default: sysfs), sorted by bus; none when it does not exist. */
export async function listSysfsUsb(root = SYSFS_USB): Promise<HostUsbDevice[]> {
  const out: HostUsbDevice[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(root));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  for (const e of entries) {
    const attrs: SysfsAttrs = {};
    for (const k of ["idVendor", "idProduct", "manufacturer", "product", "bDeviceClass"] as const) {
      try {
        attrs[k] = await Deno.readTextFile(`${root}/${e.name}/${k}`);
      } catch {
        // absent attribute: interfaces have no ids, many devices no manufacturer string
      }
    }
    const d = deviceFromSysfs(e.name, attrs);
    if (d) out.push(d);
  }
  return out.sort((a, b) => a.bus.localeCompare(b.bus, "en", { numeric: true }));
}
