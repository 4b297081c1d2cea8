/**
 * Keeps a machine in line with the host session (session.ts: its devices and files): at start,
 * and before each exec when the session changed since the last push (fingerprints recorded in
 * the runtime dir). Unchanged: no spawn at all.
 */
import { containerName } from "../../config/names.ts";
import { toolError } from "../../process.ts";
import { deviceAddArgv, deviceRemoveArgv, execArgv } from "./argv.ts";
import type { LxdInstances } from "./instances.ts";
import {
  clearSessionRecord,
  listensOnPath,
  readSessionRecord,
  type SessionDevicesHook,
  type SessionFilesHook,
  sessionFingerprints,
  sessionPushCommand,
  sessionRecordPath,
  socketDirArgv,
  writeSessionRecord,
} from "./session.ts";

/** codchi's own disks: never a session device, whatever the prefix. */
const OUR_DISKS = /^codchi-(config|data|nix|gcroots|store|daemon|db|profiles|home|logs)$/;

/** The session hooks (none: nothing is synced). */
export interface SessionSyncOptions {
  /** GUI/sound/GPU devices added at start. */
  devices?: SessionDevicesHook;
  /** Files pushed into the machine for the user's session (X cookie, sound). */
  files?: SessionFilesHook;
  /** Prefix of the devices the session hook owns (others are never removed). */
  prefix: string;
}

/** The host session's devices and files in the machines. */
export class LxdSessionSync {
  constructor(private readonly i: LxdInstances, private readonly o: SessionSyncOptions) {}

  /** The session's login variables for `machine` (GUI, sound), if there is a devices hook. */
  env(machine: string): Record<string, string> | undefined {
    return this.o.devices?.(machine).env;
  }

  /**
   * Brings the machine in line with the host session when it changed since the last time
   * (`force` at start): the session devices (one `list` + the changed devices, only when the
   * wanted set changed), then the session files (X cookie, sound config) in ONE spawn through
   * stdin. Returns false when the container is not running (nothing done).
   */
  async sync(machine: string, force: boolean): Promise<boolean> {
    if (!this.o.files) return true;
    const ctn = containerName(machine);
    const record = this.#record(machine);
    const files = await this.o.files(machine);
    const wanted = this.o.devices?.(machine);
    const [filesFp, devicesFp] = await sessionFingerprints(files, wanted);
    const [lastFiles, lastDevices] = (await readSessionRecord(record)).split(" ");
    if (!force && filesFp === lastFiles && devicesFp === lastDevices) return true;
    if (!force && wanted && devicesFp !== lastDevices) {
      const me = (await this.i.listed()).find((c) => c.name === ctn);
      if (me?.status !== "Running") return false;
      await this.applyDevices(machine, me.devices ?? {});
    }
    if (files.length > 0 && (force || filesFp !== lastFiles)) {
      const { argv, stdin } = sessionPushCommand(files);
      const out = await this.i.lxc.call(execArgv(this.i.bin, ctn, argv, { tty: false }), {
        stdin,
        check: false,
      });
      if (out.code !== 0) {
        await clearSessionRecord(record);
        if (/not running/i.test(out.errText)) return false;
        throw toolError(execArgv(this.i.bin, ctn, argv, { tty: false }), out);
      }
    }
    await writeSessionRecord(record, `${filesFp} ${devicesFp}`);
    return true;
  }

  /** Adds/replaces/removes the session hook's devices so they match the host's session now. */
  async applyDevices(
    machine: string,
    current: Record<string, Record<string, string>>,
  ): Promise<void> {
    if (!this.o.devices) return;
    const ctn = containerName(machine);
    const wanted = this.o.devices(machine);
    const mine = Object.keys(current).filter((d) =>
      d.startsWith(this.o.prefix) && !OUR_DISKS.test(d)
    );
    for (const name of mine) {
      if (!(name in wanted.devices) || !sameOptions(current[name], wanted.devices[name])) {
        await this.i.lxc.call(deviceRemoveArgv(this.i.bin, ctn, name));
      }
    }
    const added = Object.entries(wanted.devices).filter(([name, opts]) =>
      !(name in current && sameOptions(current[name], opts))
    );
    if (added.some(([, opts]) => listensOnPath(opts))) {
      await this.i.lxc.call(socketDirArgv(this.i.bin, ctn), { stdin: new Uint8Array() });
    }
    for (const [name, opts] of added) {
      const { type, ...options } = opts;
      await this.i.lxc.call(deviceAddArgv(this.i.bin, ctn, { name, type, options }));
    }
  }

  /** Forgets the last push to `machine`'s container (a new container starts fresh). */
  async forget(machine: string): Promise<void> {
    await clearSessionRecord(this.#record(machine));
  }

  #record(machine: string): string {
    return sessionRecordPath(this.i.paths.runtimeDir, containerName(machine));
  }
}

function sameOptions(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}
