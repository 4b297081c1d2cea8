/** Finding the D-Bus session bus address that codchi can use (pure). */
import { posix } from "node:path";

/** Environment as a plain record. */
type Env = Record<string, string | undefined>;

/** Decodes the %xx escapes of a D-Bus address value. */
function unescapeValue(v: string): string {
  return v.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Parses a D-Bus address list (`t1:k=v,k=v;t2:…`) into transports with their keys. */
export function parseBusAddress(
  address: string,
): { transport: string; params: Record<string, string> }[] {
  return address.split(";").filter((a) => a.includes(":")).map((a) => {
    const colon = a.indexOf(":");
    const params: Record<string, string> = {};
    for (const kv of a.slice(colon + 1).split(",")) {
      const eq = kv.indexOf("=");
      if (eq > 0) params[kv.slice(0, eq)] = unescapeValue(kv.slice(eq + 1));
    }
    return { transport: a.slice(0, colon), params };
  });
}

/**
 * The socket path of the session bus: the first usable `unix:path=` entry of
 * `DBUS_SESSION_BUS_ADDRESS`, else `$XDG_RUNTIME_DIR/bus` (the caller checks that it exists).
 * Abstract sockets cannot be opened from Deno, so such entries are skipped.
 */
export function sessionBusSocket(env: Env): string | undefined {
  const address = env.DBUS_SESSION_BUS_ADDRESS;
  if (address) {
    // dbus-next splits addresses on , ; and = itself, so such paths cannot be passed on.
    const entry = parseBusAddress(address).find((e) =>
      e.transport === "unix" && e.params.path && !/[,;=]/.test(e.params.path)
    );
    if (entry) return entry.params.path;
  }
  const runtime = env.XDG_RUNTIME_DIR;
  return runtime && posix.isAbsolute(runtime) ? posix.join(runtime, "bus") : undefined;
}
