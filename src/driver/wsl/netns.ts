/**
 * WSL network isolation, the host's part: each machine's preferred address in the contract's
 * /24 (nix/contract.json `netns`), computed from its name alone. Two names may share one (253
 * host numbers); the collision is detected where it matters, at boot: the machine's init claims
 * the address by creating its veth pair, whose name is derived from it (so two running machines
 * never hold the same one), and takes the next free host number when another running machine
 * holds it (nix/container/machine/netns.sh).
 */
import { NETNS } from "../../contract.ts";
import { UsageError } from "../../errors.ts";

/** The host numbers a machine may get, as in the contract. */
export interface NetnsRange {
  subnet: string;
  gatewayHost: number;
  firstHost: number;
  lastHost: number;
}

/** FNV-1a (32 bit) of the name's UTF-8 bytes: stable across runs, platforms and releases. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The host number a machine prefers: its name's hash folded into the range (never the gateway). */
export function preferredHost(name: string, range: NetnsRange = NETNS): number {
  const { firstHost, lastHost, gatewayHost } = range;
  if (
    !(Number.isInteger(firstHost) && Number.isInteger(lastHost) && firstHost <= lastHost) ||
    firstHost < 1 || lastHost > 254 || (gatewayHost >= firstHost && gatewayHost <= lastHost)
  ) {
    throw new UsageError(
      `Invalid isolation range ${firstHost}..${lastHost} (gateway ${gatewayHost}).`,
    );
  }
  if (name === "") throw new UsageError("A machine name is needed for its network address.");
  return firstHost + fnv1a32(name) % (lastHost - firstHost + 1);
}

/** The IPv4 address of a host number in the range's /24. */
export function netnsAddress(host: number, range: NetnsRange = NETNS): string {
  return `${range.subnet}.${host}`;
}
