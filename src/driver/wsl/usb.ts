/**
 * USB on WSL through usbipd-win: `usbipd state` lists the host's devices; a wanted device is
 * shared once (`usbipd bind`, elevated) and attached to the WSL VM (`usbipd attach --wsl`),
 * where every distro of the VM sees it. Every call through the Runner, bounded.
 */
import { PrerequisiteError, tail, TimeoutError, ToolError } from "../../errors.ts";
import type { Runner } from "../../process.ts";
import type { HostUsbDevice } from "../../usb/id.ts";
import type { UsbSupport } from "../types.ts";
import {
  parseUsbipdDevices,
  USBIPD,
  USBIPD_ACCESS_DENIED,
  usbipdAttachArgv,
  usbipdBindArgv,
  usbipdBindHint,
  usbipdDetachArgv,
  type UsbipdDevice,
  usbipdPlan,
  usbipdStateArgv,
} from "../../host/windows/usbipd.ts";

/** The fix when usbipd-win is not installed. */
export const USBIPD_INSTALL_HINT = "winget install usbipd";

/** What the WSL USB support needs. */
export interface WslUsbOptions {
  runner: Runner;
  /** usbipd.exe to run (default: USBIPD, on PATH). */
  exe?: string;
  /** Bound of one usbipd call (ms). */
  timeoutMs: number;
  debug: (line: string) => void;
}

/** UsbSupport for WSL: `apply` detaches the removed ids, binds and attaches the wanted ones. */
export function wslUsb(o: WslUsbOptions): UsbSupport {
  const exe = o.exe ?? USBIPD;
  const run = async (argv: string[]) => {
    const args = [exe, ...argv.slice(1)];
    const out = await o.runner.run(args, { check: false, timeoutMs: o.timeoutMs });
    const dec = new TextDecoder();
    const stdout = dec.decode(out.stdout);
    const stderr = dec.decode(out.stderr);
    if (out.code === 127 && stderr.includes(`${exe}: command not found`)) {
      throw new PrerequisiteError(
        "usbipd-win is not installed; codchi hands USB devices to WSL through it.",
        `Install it: ${USBIPD_INSTALL_HINT}   (then open a new terminal)`,
      );
    }
    if (out.code === 124) {
      throw new TimeoutError(
        `usbipd ${argv[1]} did not answer within ${Math.round(o.timeoutMs / 1000)} s.`,
        "Check the usbipd service (`sc query usbipd`), then try again.",
      );
    }
    return { code: out.code, stdout, stderr };
  };
  const failed = (argv: string[], r: { code: number; stderr: string }, hint?: string) =>
    new ToolError(
      "usbipd",
      `usbipd ${argv.slice(1).join(" ")} failed (exit ${r.code})`,
      tail(r.stderr, 6),
      r.code,
      hint,
    );
  const state = async (): Promise<UsbipdDevice[]> => {
    const r = await run(usbipdStateArgv());
    if (r.code !== 0) throw failed(usbipdStateArgv(), r);
    return parseUsbipdDevices(r.stdout);
  };
  const must = async (argv: string[], hint?: string) => {
    const r = await run(argv);
    if (r.code !== 0) throw failed(argv, r, hint);
  };
  return {
    list: async (): Promise<HostUsbDevice[]> => (await state()).map(({ shared: _s, ...d }) => d),
    apply: async (machine: string, ids: string[], removed: string[] = []) => {
      const plan = usbipdPlan(ids, removed, await state());
      for (const id of plan.detach) await must(usbipdDetachArgv(id));
      for (const id of plan.absent) o.debug(`usbipd: ${id} of ${machine} is not plugged in`);
      for (const id of plan.bind) {
        const r = await run(usbipdBindArgv(id));
        if (r.code === 0) continue;
        const how = `Run once in an elevated prompt (Run as administrator): ${usbipdBindHint(id)}` +
          `\nthen: codchi usb attach ${machine} ${id}`;
        if (r.code === USBIPD_ACCESS_DENIED) {
          throw new PrerequisiteError(
            `USB device ${id} is not shared yet, and sharing it needs administrator rights.`,
            how,
          );
        }
        throw failed(usbipdBindArgv(id), r, how);
      }
      for (const id of plan.attach) {
        await must(
          usbipdAttachArgv(id),
          "The device is attached to the WSL VM (every distro sees it); see `usbipd list`.",
        );
      }
    },
  };
}
