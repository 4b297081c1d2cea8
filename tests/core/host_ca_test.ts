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
  // Windows: the certificate store's bundle (tests/windows/cert_store_test.ts reads Wine's).
  const store = (b: string | undefined) => () => Promise.resolve(b);
  assertEquals(await readHostCaBundle("windows", read, {}, store(PEM)), PEM);
  assertEquals(await readHostCaBundle("windows", read, {}, store(undefined)), undefined);
  assertEquals(await readHostCaBundle("windows", read, {}, store("garbage")), undefined);
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

import { WRITE_CA_ARGV } from "../../src/core/host_ca.ts";

Deno.test("WRITE_CA_ARGV makes the folder and writes stdin exactly (run by a real sh)", async () => {
  const root = await Deno.makeTempDir();
  try {
    const target = `${root}/etc/codchi/host-ca.pem`;
    const argv = [...WRITE_CA_ARGV.slice(0, -1), target];
    const child = new Deno.Command(argv[0], { args: argv.slice(1), stdin: "piped" }).spawn();
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(PEM + "$(touch x) `y`\n"));
    await w.close();
    assertEquals((await child.status).code, 0);
    assertEquals(await Deno.readTextFile(target), PEM + "$(touch x) `y`\n");
    assertEquals((await Deno.stat(target)).mode! & 0o777, 0o644);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("readHostCaBundle: SSL_CERT_FILE names the bundle first; a non-PEM one is passed over", async () => {
  const files: Record<string, string> = { "/own.pem": PEM + "own\n", [LINUX_CA_BUNDLES[0]]: PEM };
  const read = (p: string) =>
    p in files ? Promise.resolve(files[p]) : Promise.reject(new Deno.errors.NotFound(p));
  assertEquals(await readHostCaBundle("linux", read, { SSL_CERT_FILE: "/own.pem" }), PEM + "own\n");
  files["/own.pem"] = "junk";
  assertEquals(await readHostCaBundle("linux", read, { SSL_CERT_FILE: "/own.pem" }), PEM);
  assertEquals(await readHostCaBundle("linux", read, { SSL_CERT_FILE: "/gone.pem" }), PEM);
});
