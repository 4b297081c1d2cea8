/**
 * A remote's storage volumes (remote_layout.ts): on a remote nothing binds host folders, so the
 * store's /nix and each machine's profiles and home are volumes of the server's pool.
 */
import { STORE_CONTAINER } from "../../config/names.ts";
import { BrokenError } from "../../errors.ts";
import { toolError } from "../../process.ts";
import { deviceAddArgv, deviceRemoveArgv, execArgv } from "./argv.ts";
import type { Lxc } from "./lxc.ts";
import {
  parseCustomVolumes,
  remoteStoreMachineDisks,
  remoteVolumes,
  rootPoolArgv,
  volumeCreateArgv,
  volumeDeleteArgv,
  volumeListArgv,
} from "./remote_layout.ts";

/** The volumes of one data folder's project on its remote. */
export class LxdVolumes {
  #pool?: Promise<string>;

  constructor(private readonly lxc: Lxc) {}

  /** The remote's pool for volumes: the one its default profile's root disk uses (one call). */
  pool(): Promise<string> {
    this.#pool ??= (async () => {
      const out = await this.lxc.call(rootPoolArgv(this.lxc.bin));
      const pool = out.text.trim();
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(pool)) {
        const remote = this.lxc.remote;
        throw new BrokenError(
          `The remote ${remote}'s default profile has no root disk pool ("${pool}").`,
          `Give its default profile a root disk (lxc profile device add ${remote}:default root disk path=/ pool=default).`,
        );
      }
      return pool;
    })();
    return this.#pool;
  }

  /** The custom volumes of this data folder's pool (one call). */
  async list(): Promise<string[]> {
    const out = await this.lxc.call(volumeListArgv(this.lxc.bin, await this.pool()));
    return parseCustomVolumes(out.text);
  }

  /** Creates the volumes `names` that do not exist yet. */
  async ensure(names: string[], have?: string[]): Promise<void> {
    const pool = await this.pool();
    const existing = new Set(have ?? await this.list());
    for (const v of names.filter((n) => !existing.has(n))) {
      const argv = volumeCreateArgv(this.lxc.bin, pool, v);
      const out = await this.lxc.call(argv, { check: false });
      if (out.code !== 0 && !/already exists/i.test(out.errText)) throw toolError(argv, out);
    }
  }

  /** A remote machine's profiles and home volumes, made when missing and given to the store. */
  async ensureMachine(machine: string): Promise<void> {
    const v = remoteVolumes(this.lxc.project);
    await this.ensure([v.profiles(machine), v.home(machine)]);
    const store = (await this.lxc.listed()).find((c) => c.name === STORE_CONTAINER);
    if (!store) return;
    for (const d of remoteStoreMachineDisks(this.lxc.project, await this.pool(), machine)) {
      if (store.devices?.[d.name]) continue;
      await this.lxc.call(deviceAddArgv(this.lxc.bin, STORE_CONTAINER, d));
    }
  }

  /**
   * A remote machine's data: the store lets go of its volumes and forgets its flake, then the
   * volumes go (the home is the machine's data, as the host folder is on a local daemon).
   */
  async removeMachine(machine: string): Promise<void> {
    const bin = this.lxc.bin;
    const pool = await this.pool();
    const store = (await this.lxc.listed()).find((c) => c.name === STORE_CONTAINER);
    for (const d of remoteStoreMachineDisks(this.lxc.project, pool, machine)) {
      if (store?.devices?.[d.name]) {
        await this.lxc.call(deviceRemoveArgv(bin, STORE_CONTAINER, d.name));
      }
    }
    if (store?.status === "Running") {
      await this.lxc.call(
        execArgv(bin, STORE_CONTAINER, ["rm", "-rf", "--", `/config/machines/${machine}`], {
          tty: false,
        }),
      );
    }
    const v = remoteVolumes(this.lxc.project);
    const have = new Set(await this.list());
    for (const vol of [v.profiles(machine), v.home(machine)].filter((x) => have.has(x))) {
      await this.lxc.call(volumeDeleteArgv(bin, pool, vol));
    }
  }

  /** Deletes every volume of this project (the store's /nix, any machine's left behind). */
  async removeAll(): Promise<string[]> {
    const pool = await this.pool();
    const own = new RegExp(`^${this.lxc.project}-(nix|home-.+|prof-.+)$`);
    const mine = (await this.list()).filter((v) => own.test(v));
    for (const v of mine) await this.lxc.call(volumeDeleteArgv(this.lxc.bin, pool, v));
    return mine;
  }
}
