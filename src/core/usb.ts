/**
 * `codchi usb`: the host's USB devices, and the per-machine list in machine.json that the driver
 * hands to the machine at every start (and at once when it runs).
 */
import { NotImplementedError } from "../errors.ts";
import { validateMachineName } from "../config/names.ts";
import { type HostUsbDevice, isUsbId, parseUsbId, resolveUsbDevice } from "../usb/id.ts";
import type { CoreContext } from "./context.ts";
import { loadMachine, saveMachine, withMachineLock } from "./machines.ts";
import type { Driver, UsbSupport } from "../driver/types.ts";

/** What attach/detach did. */
export interface UsbResult {
  machine: string;
  /** The machine's USB list after the change. */
  usb: string[];
  /** Whether the running machine got the change now (else: at its next start). */
  applied: boolean;
}

function support(driver: Driver): UsbSupport {
  if (!driver.usb) {
    throw new NotImplementedError(`USB devices are not supported by the ${driver.name} driver.`);
  }
  return driver.usb;
}

/** The host's USB devices. */
export async function listUsb(ctx: CoreContext): Promise<HostUsbDevice[]> {
  return await support(await ctx.driver()).list();
}

/** The list after adding or removing `id` (pure; order kept, no duplicates). */
export function changeUsbList(list: string[], id: string, op: "attach" | "detach"): string[] {
  const rest = list.filter((x) => x !== id);
  return op === "attach" ? [...rest, id] : rest;
}

/** Adds (attach) or removes (detach) a device of a machine; applies it now when it runs. */
export async function changeUsb(
  ctx: CoreContext,
  machine: string,
  device: string,
  op: "attach" | "detach",
): Promise<UsbResult> {
  validateMachineName(machine);
  // Validated before anything is touched: an id as it is, a bus id only against the host's list.
  const driver = await ctx.driver();
  const usb = support(driver);
  const id = isUsbId(device.trim())
    ? parseUsbId(device)
    : resolveUsbDevice(device, await usb.list());
  const paths = await ctx.paths();
  return await withMachineLock(paths, machine, async () => {
    const cfg = await loadMachine(paths, machine);
    const list = changeUsbList(cfg.usb ?? [], id, op);
    const { usb: _old, ...rest } = cfg;
    await saveMachine(paths, list.length ? { ...rest, usb: list } : rest);
    const running = (await driver.states()).machines.get(machine)?.running === true;
    if (running) await usb.apply(machine, list, op === "detach" ? [id] : []);
    return { machine, usb: list, applied: running };
  });
}
