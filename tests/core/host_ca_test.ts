import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { isPemBundle, LINUX_CA_BUNDLES, readHostCaBundle } from "../../src/core/host_ca.ts";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

Deno.test("readHostCaBundle takes the first PEM bundle, skips missing and non-PEM files", async () => {
  const files: Record<string, string> = {
    [LINUX_CA_BUNDLES[0]]: "not a certificate",
    [LINUX_CA_BUNDLES[2]]: PEM,
  };
  const read = (p: string) =>
    p in files ? Promise.resolve(files[p]) : Promise.reject(new Deno.errors.NotFound(p));
  assertEquals(await readHostCaBundle("linux", read), PEM);
  assertEquals(await readHostCaBundle("windows", read), undefined);
  assertEquals(await readHostCaBundle("linux", () => Promise.reject(new Error("x"))), undefined);
});

Deno.test("isPemBundle needs a whole certificate block", () => {
  assertEquals(isPemBundle(PEM), true);
  assertEquals(isPemBundle("-----BEGIN CERTIFICATE-----\nMIIB\n"), false);
});

Deno.test("this Debian host has a real bundle", async () => {
  const b = await readHostCaBundle("linux");
  assertEquals(b !== undefined && isPemBundle(b), true);
});
