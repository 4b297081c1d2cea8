/**
 * `duplicate` of a machine's container: on a local daemon the copy is re-pointed at the new
 * machine's host folders; on a remote its volumes are copied on the server first. Any failure or
 * Ctrl-C removes what was made.
 */
import { containerName } from "../../config/names.ts";
import { faultPoint } from "../../fault.ts";
import type { Reporter } from "../types.ts";
import { configSetArgv, copyArgv, deleteArgv, deviceSetArgv } from "./argv.ts";
import type { LxdInstances } from "./instances.ts";
import { withInterrupts } from "./interrupts.ts";
import { machineDisks, machineHostDirs } from "./mounts.ts";
import {
  remoteMachineDisks,
  remoteVolumes,
  volumeCopyArgv,
  volumeDeleteArgv,
} from "./remote_layout.ts";

/** Copies the container of machine `from` to one of `to` (which must not exist yet). */
export async function duplicateContainer(
  i: LxdInstances,
  from: string,
  to: string,
  reporter?: Reporter,
): Promise<void> {
  if (i.remote) return await duplicateRemote(i, from, to, reporter);
  const { lxc, bin, paths } = i;
  const createMs = i.timeouts.createMs;
  const target = containerName(to);
  await withInterrupts(async (check) => {
    for (const d of machineHostDirs(paths, to)) await Deno.mkdir(d, { recursive: true });
    reporter?.step(`Copying ${from} to ${to}`);
    try {
      await lxc.call(copyArgv(bin, containerName(from), target), {
        timeoutMs: createMs,
        uninterruptible: true,
      });
      faultPoint(`${target}: copied`);
      check();
      const before = new Map(machineDisks(paths, from).map((d) => [d.name, d.source]));
      for (const d of machineDisks(paths, to)) {
        if (before.get(d.name) === d.source) continue;
        await lxc.call(deviceSetArgv(bin, target, d.name, { source: d.source }), {
          uninterruptible: true,
        });
        faultPoint(`${target}: ${d.name} set`);
        check();
      }
      await lxc.call(configSetArgv(bin, target, { "user.codchi.machine": to }));
    } catch (e) {
      await lxc.call(deleteArgv(bin, target), { check: false, uninterruptible: true });
      throw e;
    }
  });
}

/** `duplicate` on a remote: the volumes are copied on the server, then the container. */
async function duplicateRemote(
  i: LxdInstances,
  from: string,
  to: string,
  reporter?: Reporter,
): Promise<void> {
  const { lxc, bin } = i;
  const createMs = i.timeouts.createMs;
  const pool = await i.volumes.pool();
  const v = remoteVolumes(i.project);
  const target = containerName(to);
  reporter?.step(`Copying ${from} to ${to} on ${i.remote}`);
  const made: string[] = [];
  try {
    for (const [a, b] of [[v.profiles(from), v.profiles(to)], [v.home(from), v.home(to)]]) {
      await lxc.call(volumeCopyArgv(bin, pool, a, b), { timeoutMs: createMs });
      made.push(b);
    }
    await lxc.call(copyArgv(bin, containerName(from), target), {
      timeoutMs: createMs,
      uninterruptible: true,
    });
    for (const d of remoteMachineDisks(i.project, pool, to)) {
      await lxc.call(deviceSetArgv(bin, target, d.name, { source: d.options.source }));
    }
    await lxc.call(configSetArgv(bin, target, { "user.codchi.machine": to }));
    await i.volumes.ensureMachine(to);
  } catch (e) {
    await lxc.call(deleteArgv(bin, target), { check: false, uninterruptible: true });
    for (const b of made) await lxc.call(volumeDeleteArgv(bin, pool, b), { check: false });
    throw e;
  }
}
