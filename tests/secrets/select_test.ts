import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { PrerequisiteError, UsageError } from "../../src/errors.ts";
import { forcedBackend, type SelectDeps, selectSecretStore } from "../../src/secrets/mod.ts";
import { parseBusAddress, sessionBusSocket } from "../../src/secrets/dbus_address.ts";
import { MemorySecretStore } from "../../src/secrets/memory_store.ts";
import type { FileSecretStore } from "../../src/secrets/file_store.ts";

const PATHS = { secretsFile: "/home/u/.local/share/codchi/secrets.json" };

function deps(opts: { bus?: boolean; service?: boolean } = {}) {
  const calls: string[] = [];
  const d: SelectDeps = {
    exists: (p) => {
      calls.push(`exists ${p}`);
      return Promise.resolve(opts.bus ?? false);
    },
    hasSecretService: (s) => {
      calls.push(`probe ${s}`);
      return Promise.resolve(opts.service ?? false);
    },
    dpapi: (file) => {
      calls.push(`dpapi ${file}`);
      return Promise.resolve(new MemorySecretStore("dpapi"));
    },
  };
  return { d, calls };
}

const BUS_ENV = { DBUS_SESSION_BUS_ADDRESS: "unix:path=/run/user/1000/bus,guid=abc" };

Deno.test("select: Linux with a Secret Service → secret-service, on the bus socket", async () => {
  const { d, calls } = deps({ bus: true, service: true });
  const store = await selectSecretStore("linux", BUS_ENV, PATHS, () => {}, d);
  assertEquals(store.name, "secret-service");
  assertEquals(calls, ["exists /run/user/1000/bus", "probe /run/user/1000/bus"]);
});

Deno.test("select: Linux without one → file, and the warning says why", async () => {
  for (const opts of [{ bus: true, service: false }, { bus: false }]) {
    const warnings: string[] = [];
    const store = await selectSecretStore(
      "linux",
      BUS_ENV,
      PATHS,
      (m) => warnings.push(m),
      deps(opts).d,
    );
    assertEquals(store.name, "file");
    assertEquals(warnings, [], "no warning before the first write");
  }
  const none = await selectSecretStore("linux", {}, PATHS, () => {}, deps().d);
  assertEquals(none.name, "file");
});

Deno.test("select: Windows → dpapi with the secrets file; never probes D-Bus", async () => {
  const { d, calls } = deps({ bus: true, service: true });
  const store = await selectSecretStore(
    "windows",
    BUS_ENV,
    { secretsFile: "C:\\s.json" },
    () => {},
    d,
  );
  assertEquals(store.name, "dpapi");
  assertEquals(calls, ["dpapi C:\\s.json"]);
});

Deno.test("select: CODCHI_SECRET_BACKEND forces, and a wrong value is a UsageError", async () => {
  const { d, calls } = deps({ bus: true, service: true });
  const env = { ...BUS_ENV, CODCHI_SECRET_BACKEND: "file" };
  assertEquals((await selectSecretStore("linux", env, PATHS, () => {}, d)).name, "file");
  const winFile = await selectSecretStore(
    "windows",
    env,
    { secretsFile: "C:\\d\\secrets.dpapi.json" },
    () => {},
    d,
  );
  assertEquals([winFile.name, (winFile as FileSecretStore).path], ["file", "C:\\d\\secrets.json"]);
  assertEquals(calls, []);
  const forcedSs = { ...BUS_ENV, CODCHI_SECRET_BACKEND: "secret-service" };
  assertEquals(
    (await selectSecretStore("linux", forcedSs, PATHS, () => {}, d)).name,
    "secret-service",
  );
  await assertRejects(
    () => selectSecretStore("linux", forcedSs, PATHS, () => {}, deps({ bus: true }).d),
    PrerequisiteError,
  );
  await assertRejects(
    () => selectSecretStore("linux", { CODCHI_SECRET_BACKEND: "dpapi" }, PATHS, () => {}, d),
    UsageError,
  );
  assertThrows(() => forcedBackend({ CODCHI_SECRET_BACKEND: "kwallet" }), UsageError);
  assertEquals(forcedBackend({ CODCHI_SECRET_BACKEND: "" }), undefined);
});

Deno.test("bus address: unix:path wins, escapes decoded, abstract skipped, XDG fallback", () => {
  assertEquals(sessionBusSocket(BUS_ENV), "/run/user/1000/bus");
  assertEquals(
    sessionBusSocket({ DBUS_SESSION_BUS_ADDRESS: "unix:abstract=/tmp/x;unix:path=/tmp/my%20bus" }),
    "/tmp/my bus",
  );
  assertEquals(
    sessionBusSocket({ DBUS_SESSION_BUS_ADDRESS: "unix:abstract=/tmp/dbus-x,guid=1" }),
    undefined,
  );
  assertEquals(sessionBusSocket({ DBUS_SESSION_BUS_ADDRESS: "unix:path=/a%2cb" }), undefined);
  assertEquals(sessionBusSocket({ XDG_RUNTIME_DIR: "/run/user/7" }), "/run/user/7/bus");
  assertEquals(sessionBusSocket({ XDG_RUNTIME_DIR: "relative" }), undefined);
  assertEquals(parseBusAddress("tcp:host=h,port=1;unix:path=/p")[1], {
    transport: "unix",
    params: { path: "/p" },
  });
  assert(parseBusAddress("").length === 0);
});
