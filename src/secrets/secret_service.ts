/**
 * The Secret Service backend (org.freedesktop.secrets: gnome-keyring, KWallet, KeePassXC) over
 * the D-Bus session bus, with `dbus-next`. Items carry the attributes
 * {application: "codchi", scope, key} and the label "codchi: <scope>/<key>"; values travel in a
 * "plain" session (the bus is a local socket of this user). A locked keyring is unlocked through
 * the service's own prompt; a prompt that is dismissed or never answered is a clear error.
 */
import { Buffer } from "node:buffer";
import dbus from "dbus-next";
import { CodchiError, PrerequisiteError, TimeoutError, ToolError } from "../errors.ts";
import { registerSecret } from "../process.ts";
import type { SecretStore } from "./types.ts";

const SERVICE = "org.freedesktop.secrets";
const SERVICE_PATH = "/org/freedesktop/secrets";
const IF_SERVICE = "org.freedesktop.Secret.Service";
const IF_ITEM = "org.freedesktop.Secret.Item";
const IF_COLLECTION = "org.freedesktop.Secret.Collection";
const IF_PROMPT = "org.freedesktop.Secret.Prompt";
const IF_PROPS = "org.freedesktop.DBus.Properties";
const BUS = "org.freedesktop.DBus";
const BUS_PATH = "/org/freedesktop/DBus";
const NO_OBJECT = "/";
const CONTENT_TYPE = "text/plain; charset=utf8";

/** The `application` attribute of every codchi item. */
export const APPLICATION = "codchi";

/** Attributes that identify one secret. */
export function itemAttributes(scope: string, key: string): Record<string, string> {
  return { application: APPLICATION, scope, key };
}

/** The label shown in keyring apps (Seahorse, KWalletManager). */
export function itemLabel(scope: string, key: string): string {
  return `codchi: ${scope}/${key}`;
}

/** What to do when the keyring cannot be used (printed after the error). */
const FALLBACK_HINT = "Unlock your keyring (log in to the desktop session or open your " +
  "keyring app), or set CODCHI_SECRET_BACKEND=file to keep secrets in a file instead.";

/** Timeouts of the backend, in milliseconds. */
export interface SecretServiceTimeouts {
  /** Connecting and each plain call. Default 10 s. */
  callMs: number;
  /** How long a user may take to answer an unlock prompt. Default 120 s. */
  promptMs: number;
}

const DEFAULT_TIMEOUTS: SecretServiceTimeouts = { callMs: 10_000, promptMs: 120_000 };

type Message = InstanceType<typeof dbus.Message>;
type Bus = ReturnType<typeof dbus.sessionBus>;

/** One connection to the session bus with timeouts, ref'd only while a call is pending. */
class BusConnection {
  #pending = 0;
  private constructor(private readonly bus: Bus, private readonly callMs: number) {}

  /** Connects to the bus at a unix socket path; rejects when it cannot within the timeout. */
  static async open(socket: string, callMs: number): Promise<BusConnection> {
    const bus = dbus.sessionBus({ busAddress: `unix:path=${socket}` });
    const conn = new BusConnection(bus, callMs);
    conn.#pending++;
    try {
      await withTimeout(
        new Promise<void>((resolve, reject) => {
          bus.once("connect", () => resolve());
          bus.once("error", (e: unknown) => reject(e));
        }),
        callMs,
        `connecting to the session bus at ${socket}`,
      );
    } catch (e) {
      conn.close();
      throw e;
    } finally {
      conn.#done();
    }
    bus.on("error", () => {}); // a later socket error fails the pending call through its timeout
    return conn;
  }

  /** Calls a method and returns the reply's body. */
  async call(
    dest: string,
    path: string,
    iface: string,
    member: string,
    signature = "",
    body: unknown[] = [],
  ): Promise<unknown[]> {
    const msg = new dbus.Message({
      destination: dest,
      path,
      interface: iface,
      member,
      signature,
      body,
    });
    this.#pending++;
    try {
      const reply = await withTimeout(this.bus.call(msg), this.callMs, `${iface}.${member}`);
      return (reply as Message | null)?.body ?? [];
    } finally {
      this.#done();
    }
  }

  /** Waits for one signal on `path` (subscribed before `trigger` runs). */
  async signal(
    path: string,
    iface: string,
    member: string,
    trigger: () => Promise<unknown>,
    timeoutMs: number,
  ): Promise<unknown[]> {
    const rule = `type='signal',interface='${iface}',member='${member}',path='${path}'`;
    await this.call(BUS, BUS_PATH, BUS, "AddMatch", "s", [rule]);
    let listener: ((m: Message) => void) | undefined;
    this.#pending++;
    try {
      const got = new Promise<unknown[]>((resolve) => {
        listener = (m: Message) => {
          if (m.type === dbus.MessageType.SIGNAL && m.path === path && m.member === member) {
            resolve(m.body);
          }
        };
        this.bus.on("message", listener);
      });
      await trigger();
      return await withTimeout(got, timeoutMs, `${iface}.${member}`);
    } finally {
      if (listener) this.bus.removeListener("message", listener);
      this.#done();
      await this.call(BUS, BUS_PATH, BUS, "RemoveMatch", "s", [rule]).catch(() => {});
    }
  }

  close(): void {
    try {
      this.bus.disconnect();
    } catch { /* already closed */ }
  }

  /** Lets the process exit while the connection is idle. */
  #done(): void {
    if (--this.#pending === 0) socketOf(this.bus)?.unref?.();
    else socketOf(this.bus)?.ref?.();
  }
}

function socketOf(bus: Bus): { ref?: () => void; unref?: () => void } | undefined {
  // deno-lint-ignore no-explicit-any
  return (bus as any)._connection?.stream;
}

/** Resolves `p` or rejects with a TimeoutError after `ms`. */
async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new TimeoutError(
                `The Secret Service did not answer ${what} within ${Math.round(ms / 1000)} s.`,
                FALLBACK_HINT,
              ),
            ),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** True when the bus at `socket` has, or can start, org.freedesktop.secrets. Never throws. */
export async function secretServiceAvailable(socket: string, timeoutMs = 3_000): Promise<boolean> {
  let conn: BusConnection | undefined;
  try {
    conn = await BusConnection.open(socket, timeoutMs);
    const [owned] = await conn.call(BUS, BUS_PATH, BUS, "NameHasOwner", "s", [SERVICE]);
    if (owned === true) return true;
    const [names] = await conn.call(BUS, BUS_PATH, BUS, "ListActivatableNames");
    return Array.isArray(names) && names.includes(SERVICE);
  } catch {
    return false;
  } finally {
    conn?.close();
  }
}

/** Secret store on the Secret Service of the session bus at a unix socket path. */
export class SecretServiceStore implements SecretStore {
  readonly name = "secret-service" as const;
  #conn?: Promise<BusConnection>;
  #session?: Promise<string>;
  readonly #timeouts: SecretServiceTimeouts;

  constructor(readonly socket: string, timeouts: Partial<SecretServiceTimeouts> = {}) {
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...timeouts };
  }

  async get(scope: string, key: string): Promise<string | undefined> {
    return await this.#guard("read", async () => {
      const items = await this.#unlockedItems(itemAttributes(scope, key));
      if (items.length === 0) return undefined;
      const [secret] = await this.#call(items[0], IF_ITEM, "GetSecret", "o", [await this.#sess()]);
      const value = decodeSecret(secret);
      registerSecret(value);
      return value;
    });
  }

  async set(scope: string, key: string, value: string): Promise<void> {
    registerSecret(value);
    await this.#guard("store", async () => {
      const attrs = itemAttributes(scope, key);
      const secret = encodeSecret(await this.#sess(), value);
      const [first, ...dupes] = await this.#unlockedItems(attrs);
      if (first) {
        await this.#call(first, IF_ITEM, "SetSecret", "(oayays)", [secret]);
        for (const item of dupes) await this.#deleteItem(item);
        return;
      }
      const collection = await this.#defaultCollection();
      const props = {
        [`${IF_ITEM}.Label`]: new dbus.Variant("s", itemLabel(scope, key)),
        [`${IF_ITEM}.Attributes`]: new dbus.Variant("a{ss}", attrs),
      };
      const [, prompt] = await this.#call(
        collection,
        IF_COLLECTION,
        "CreateItem",
        "a{sv}(oayays)b",
        [props, secret, true],
      );
      await this.#prompt(String(prompt));
    });
  }

  async delete(scope: string, key: string): Promise<void> {
    await this.#guard("delete", async () => {
      for (const item of await this.#unlockedItems(itemAttributes(scope, key))) {
        await this.#deleteItem(item);
      }
    });
  }

  async list(scope: string): Promise<string[]> {
    return await this.#guard("list", async () => {
      const [unlocked, locked] = await this.#search({ application: APPLICATION, scope });
      const keys = new Set<string>();
      for (const item of [...unlocked, ...locked]) {
        const [attrs] = await this.#call(item, IF_PROPS, "Get", "ss", [IF_ITEM, "Attributes"]);
        const key = (variantValue(attrs) as Record<string, string> | undefined)?.key;
        if (typeof key === "string") keys.add(key);
      }
      return [...keys].sort();
    });
  }

  async deleteScope(scope: string): Promise<void> {
    await this.#guard("delete", async () => {
      for (const item of await this.#unlockedItems({ application: APPLICATION, scope })) {
        await this.#deleteItem(item);
      }
    });
  }

  /** Closes the bus connection (the next call opens a new one). */
  async close(): Promise<void> {
    const conn = this.#conn;
    this.#conn = undefined;
    this.#session = undefined;
    if (conn) (await conn.catch(() => undefined))?.close();
  }

  #connection(): Promise<BusConnection> {
    this.#conn ??= BusConnection.open(this.socket, this.#timeouts.callMs);
    this.#conn.catch(() => (this.#conn = undefined));
    return this.#conn;
  }

  async #call(
    path: string,
    iface: string,
    member: string,
    sig = "",
    body: unknown[] = [],
  ): Promise<unknown[]> {
    return await (await this.#connection()).call(SERVICE, path, iface, member, sig, body);
  }

  #sess(): Promise<string> {
    this.#session ??= this.#call(SERVICE_PATH, IF_SERVICE, "OpenSession", "sv", [
      "plain",
      new dbus.Variant("s", ""),
    ]).then(([, path]) => String(path));
    this.#session.catch(() => (this.#session = undefined));
    return this.#session;
  }

  async #search(attrs: Record<string, string>): Promise<[string[], string[]]> {
    const [unlocked, locked] = await this.#call(SERVICE_PATH, IF_SERVICE, "SearchItems", "a{ss}", [
      attrs,
    ]);
    return [(unlocked as string[]) ?? [], (locked as string[]) ?? []];
  }

  /** Every matching item, locked ones unlocked first (which may prompt). */
  async #unlockedItems(attrs: Record<string, string>): Promise<string[]> {
    const [unlocked, locked] = await this.#search(attrs);
    if (locked.length > 0) await this.#unlock(locked);
    return [...unlocked, ...locked].sort();
  }

  async #unlock(objects: string[]): Promise<void> {
    const [, prompt] = await this.#call(SERVICE_PATH, IF_SERVICE, "Unlock", "ao", [objects]);
    await this.#prompt(String(prompt));
  }

  async #deleteItem(item: string): Promise<void> {
    const [prompt] = await this.#call(item, IF_ITEM, "Delete");
    await this.#prompt(String(prompt));
  }

  /** The default collection, unlocked; created (through the service's prompt) when missing. */
  async #defaultCollection(): Promise<string> {
    const [alias] = await this.#call(SERVICE_PATH, IF_SERVICE, "ReadAlias", "s", ["default"]);
    let collection = String(alias);
    if (collection === NO_OBJECT) {
      const props = { [`${IF_COLLECTION}.Label`]: new dbus.Variant("s", "Default keyring") };
      const [made, prompt] = await this.#call(
        SERVICE_PATH,
        IF_SERVICE,
        "CreateCollection",
        "a{sv}s",
        [props, "default"],
      );
      collection = String(made);
      if (collection === NO_OBJECT) {
        collection = String(variantValue(await this.#prompt(String(prompt))));
      }
      if (!collection || collection === NO_OBJECT) {
        throw new PrerequisiteError("The Secret Service has no default keyring.", FALLBACK_HINT);
      }
    }
    await this.#unlock([collection]);
    return collection;
  }

  /** Runs a prompt (when the service asked for one); returns its result; dismissed is an error. */
  async #prompt(path: string): Promise<unknown> {
    if (path === NO_OBJECT || path === "") return undefined;
    const conn = await this.#connection();
    const [dismissed, result] = await conn.signal(
      path,
      IF_PROMPT,
      "Completed",
      () => conn.call(SERVICE, path, IF_PROMPT, "Prompt", "s", [""]),
      this.#timeouts.promptMs,
    );
    if (dismissed === true) {
      throw new PrerequisiteError(
        "The keyring holding codchi's secrets is locked, and the unlock prompt was dismissed " +
          "(or could not be shown).",
        FALLBACK_HINT,
      );
    }
    return result;
  }

  /** Maps D-Bus failures to codchi's errors; the message names what was being done. */
  async #guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toCodchiError(e, what, this.socket);
    }
  }
}

/** A codchi error for a failure of the Secret Service (passes codchi errors through). */
export function toCodchiError(e: unknown, what: string, socket: string): Error {
  if (e instanceof CodchiError) return e;
  if (e instanceof dbus.DBusError) {
    if (e.type === "org.freedesktop.Secret.Error.IsLocked") {
      return new PrerequisiteError(
        `Cannot ${what} the secret: the keyring is locked.`,
        FALLBACK_HINT,
      );
    }
    if (
      e.type === "org.freedesktop.DBus.Error.ServiceUnknown" ||
      e.type === "org.freedesktop.DBus.Error.NameHasNoOwner" ||
      e.type === "org.freedesktop.DBus.Error.Spawn.ChildExited"
    ) {
      return new PrerequisiteError(
        `Cannot ${what} the secret: no Secret Service (org.freedesktop.secrets) runs on the session bus.`,
        "Install and start gnome-keyring or KWallet, or set CODCHI_SECRET_BACKEND=file.",
      );
    }
    return new ToolError("secret-service", `Cannot ${what} the secret: ${e.type}: ${e.text}`);
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new PrerequisiteError(
    `Cannot ${what} the secret: the session bus at ${socket} failed: ${msg}`,
    FALLBACK_HINT,
  );
}

function variantValue(v: unknown): unknown {
  return v instanceof dbus.Variant ? v.value : v;
}

/** The (oayays) secret struct of a "plain" session. */
function encodeSecret(session: string, value: string): unknown[] {
  return [session, Buffer.alloc(0), Buffer.from(new TextEncoder().encode(value)), CONTENT_TYPE];
}

/** The value of a (oayays) secret struct, UTF-8; anything else is an error. */
function decodeSecret(secret: unknown): string {
  const bytes = Array.isArray(secret) ? secret[2] : undefined;
  if (!(bytes instanceof Uint8Array)) {
    throw new ToolError("secret-service", "The Secret Service returned a malformed secret.");
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new ToolError(
      "secret-service",
      "A codchi secret in the keyring is not valid UTF-8; set it again with `codchi secrets set`.",
    );
  }
}
