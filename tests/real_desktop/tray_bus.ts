/** A private session bus for tray tests, and reading a dbusmenu layout as a host does. */
import assert from "node:assert/strict";
import { Background, waitFor } from "./helpers.ts";

/** A dbusmenu layout node: id, properties, children. */
export type Layout = [number, Record<string, { value: unknown }>, { value: Layout }[]];

/** Every node of a dbusmenu layout, depth first: id, label, enabled, number of children. */
export function flatten(
  layout: Layout,
): { id: number; label: string; enabled: boolean; children: number }[] {
  const [id, props, children] = layout;
  return [
    {
      id,
      label: String(props.label?.value ?? props.type?.value ?? ""),
      enabled: props.enabled?.value !== false,
      children: children.length,
    },
    ...children.flatMap((c) => flatten(c.value)),
  ];
}

/** Runs `fn` with a private session bus (`dbus-daemon --session`) at `address` in `dir`. */
export async function withBus(fn: (address: string, dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "codchi-tray-" });
  const address = `unix:path=${dir}/bus`;
  const daemon = new Background([
    "dbus-daemon",
    "--session",
    "--nofork",
    "--nopidfile",
    `--address=${address}`,
  ]);
  try {
    // The socket file appears at bind(), a moment before listen(): wait until it accepts.
    const accepts = async () => {
      try {
        (await Deno.connect({ transport: "unix", path: `${dir}/bus` })).close();
        return true;
      } catch {
        return false;
      }
    };
    assert.ok(await waitFor(accepts, 10000), "dbus-daemon did not come up");
    await fn(address, dir);
  } finally {
    await daemon.stop();
    await Deno.remove(dir, { recursive: true });
  }
}
