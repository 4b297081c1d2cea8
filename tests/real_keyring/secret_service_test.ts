/**
 * The Secret Service backend against a real gnome-keyring-daemon on a private session bus, and
 * backend selection on real buses. Run through scripts/test-host-secrets.sh (skipped otherwise).
 */
import { assert, assertEquals, assertRejects } from "../secrets/_assert.ts";
import { CodchiError } from "../../src/errors.ts";
import { sessionBusSocket } from "../../src/secrets/dbus_address.ts";
import { selectSecretStore } from "../../src/secrets/mod.ts";
import {
  itemLabel,
  secretServiceAvailable,
  SecretServiceStore,
} from "../../src/secrets/secret_service.ts";
import { hostileSecrets } from "../secrets/hostile_values.ts";
import { syncSecrets } from "../../src/core/secrets.ts";

const KEYRING_BUS = Deno.env.get("CODCHI_TEST_KEYRING_BUS");
const EMPTY_BUS = Deno.env.get("CODCHI_TEST_EMPTY_BUS");
const ignore = !KEYRING_BUS || !EMPTY_BUS;
const socket = KEYRING_BUS ? sessionBusSocket({ DBUS_SESSION_BUS_ADDRESS: KEYRING_BUS })! : "";

/** Runs secret-tool on the keyring bus; returns stdout bytes as text. */
async function secretTool(args: string[], stdin?: string): Promise<{ code: number; out: string }> {
  const child = new Deno.Command("secret-tool", {
    args,
    env: { DBUS_SESSION_BUS_ADDRESS: KEYRING_BUS! },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const res = await child.output();
  return { code: res.code, out: new TextDecoder().decode(res.stdout) };
}

const lookup = (scope: string, key: string) =>
  secretTool(["lookup", "application", "codchi", "scope", scope, "key", key]);

async function withStore(fn: (store: SecretServiceStore) => Promise<void>): Promise<void> {
  const store = new SecretServiceStore(socket);
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

Deno.test({
  name: "secret-service: store, read, replace, remove — cross-checked with secret-tool",
  ignore,
  fn: () =>
    withStore(async (store) => {
      assertEquals(store.name, "secret-service");
      assertEquals(await store.get("m1", "TOKEN"), undefined);
      await store.set("m1", "TOKEN", "first value");
      assertEquals(await store.get("m1", "TOKEN"), "first value");
      assertEquals((await lookup("m1", "TOKEN")).out, "first value");

      await store.set("m1", "TOKEN", "second 'value'");
      assertEquals(await store.get("m1", "TOKEN"), "second 'value'");
      assertEquals((await lookup("m1", "TOKEN")).out, "second 'value'");
      const search = await secretTool([
        "search",
        "--all",
        "application",
        "codchi",
        "scope",
        "m1",
        "key",
        "TOKEN",
      ]);
      const items = search.out.split("\n").filter((l) => l.startsWith("label = "));
      assertEquals(items, [`label = ${itemLabel("m1", "TOKEN")}`], "replaced, not duplicated");

      await store.delete("m1", "TOKEN");
      assertEquals(await store.get("m1", "TOKEN"), undefined);
      assertEquals((await lookup("m1", "TOKEN")).out, "");
      await store.delete("m1", "TOKEN"); // deleting again is fine
    }),
});

Deno.test({
  name: "secret-service: a value stored by secret-tool is read back exactly",
  ignore,
  fn: () =>
    withStore(async (store) => {
      const value = 'from secret-tool: $HOME `x` \\ "q" 🔑';
      const res = await secretTool(
        ["store", "--label=external", "application", "codchi", "scope", "m2", "key", "EXT"],
        value,
      );
      assertEquals(res.code, 0);
      assertEquals(await store.get("m2", "EXT"), value);
      assertEquals(await store.list("m2"), ["EXT"]);
      await store.deleteScope("m2");
    }),
});

Deno.test({
  name: "secret-service: hostile values round-trip; list and deleteScope are per scope",
  ignore,
  fn: () =>
    withStore(async (store) => {
      const secrets = hostileSecrets(3, 30);
      for (const [k, v] of Object.entries(secrets)) await store.set("hostile", k, v);
      await store.set("bystander", "KEEP", "kept");
      for (const [k, v] of Object.entries(secrets)) {
        assertEquals(await store.get("hostile", k), v, `value of ${k}`);
      }
      assertEquals((await lookup("hostile", "V004")).out, secrets.V004);
      assertEquals(await store.list("hostile"), Object.keys(secrets).sort());
      await store.deleteScope("hostile");
      assertEquals(await store.list("hostile"), []);
      assertEquals(await store.get("bystander", "KEEP"), "kept");
      await store.deleteScope("bystander");
    }),
});

Deno.test({
  name: "secret-service: a fresh instance sees what another stored (nothing cached)",
  ignore,
  async fn() {
    await withStore((a) => a.set("m3", "K", "v1"));
    await withStore(async (b) => {
      assertEquals(await b.get("m3", "K"), "v1");
      await b.delete("m3", "K");
    });
  },
});

Deno.test({
  name: "syncSecrets on the real keyring: env value saved, prompt asked, undeclared forgotten",
  ignore,
  fn: () =>
    withStore(async (store) => {
      await store.set("sync", "OLD", "old value");
      const declared = {
        FROM_ENV: { name: "FROM_ENV", description: "" },
        "ask.me": { name: "ask.me", description: "asked" },
      };
      const res = await syncSecrets({
        machine: "sync",
        declared,
        store,
        env: { CODCHI_SECRET_FROM_ENV: "env 'value'\n" },
        prompt: () => Promise.resolve("typed $value"),
      });
      assertEquals(res.values, { FROM_ENV: "env 'value'\n", "ask.me": "typed $value" });
      assertEquals(await store.list("sync"), ["FROM_ENV", "ask.me"]);
      assertEquals((await lookup("sync", "ask.me")).out, "typed $value");
      const again = await syncSecrets({ machine: "sync", declared, store, env: {} });
      assertEquals(again.plan.keep, ["FROM_ENV", "ask.me"]);
      await store.deleteScope("sync");
    }),
});

Deno.test({
  name: "probe: the keyring bus has a Secret Service, the empty bus none, a dead socket none",
  ignore,
  async fn() {
    assertEquals(await secretServiceAvailable(socket), true);
    const empty = sessionBusSocket({ DBUS_SESSION_BUS_ADDRESS: EMPTY_BUS })!;
    assertEquals(await secretServiceAvailable(empty), false);
    assertEquals(await secretServiceAvailable(`${socket}.missing`), false);
  },
});

Deno.test({
  name: "select: real keyring bus → secret-service; bus without one → file with a warning, 0600",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    const paths = { secretsFile: `${dir}/codchi/secrets.json` };
    try {
      const ss = await selectSecretStore(
        "linux",
        { DBUS_SESSION_BUS_ADDRESS: KEYRING_BUS },
        paths,
        () => {},
      );
      assertEquals(ss.name, "secret-service");
      await (ss as SecretServiceStore).close();

      const warnings: string[] = [];
      const file = await selectSecretStore(
        "linux",
        { DBUS_SESSION_BUS_ADDRESS: EMPTY_BUS },
        paths,
        (m) => warnings.push(m),
      );
      assertEquals(file.name, "file");
      await file.set("m", "A", "value");
      assertEquals(warnings.length, 1);
      assert(warnings[0].includes(paths.secretsFile) && warnings[0].includes("Secret Service"));
      assertEquals((await Deno.stat(paths.secretsFile)).mode! & 0o777, 0o600);
      assertEquals(await file.get("m", "A"), "value");

      const noBus = await selectSecretStore("linux", { XDG_RUNTIME_DIR: dir }, paths, () => {});
      assertEquals(noBus.name, "file");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  // Keep this test LAST in the file: it leaves the login keyring locked.
  name: "secret-service: a locked keyring whose prompt cannot be shown is a clear error",
  ignore,
  async fn() {
    const store = new SecretServiceStore(socket, { promptMs: 15_000 });
    try {
      await store.set("locked", "K", "v");
      await lockLogin();
      const err = await assertRejects(() => store.get("locked", "K"), CodchiError);
      assert(/locked|did not answer/.test(err.message), err.message);
      assert(err.hint?.includes("CODCHI_SECRET_BACKEND=file"), err.hint);
    } finally {
      await store.close(); // the keyring stays locked: this test runs last, in a throwaway HOME
    }
  },
});

/** Locks the login collection (gnome-keyring allows locking without a prompt). */
async function lockLogin(): Promise<void> {
  const out = await new Deno.Command("dbus-send", {
    args: [
      "--session",
      "--print-reply",
      "--dest=org.freedesktop.secrets",
      "/org/freedesktop/secrets",
      "org.freedesktop.Secret.Service.Lock",
      "array:objpath:/org/freedesktop/secrets/collection/login",
    ],
    env: { DBUS_SESSION_BUS_ADDRESS: KEYRING_BUS! },
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
}
