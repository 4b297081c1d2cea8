/** The Windows certificate store read through crypt32 under Wine (Wine fills ROOT from the host's CAs). */
import { equal, ok } from "node:assert/strict";
import { win32 } from "node:path";
import { readStoreCertificates, SYSTEM_STORES } from "../../src/host/windows/ffi/cert_store.ts";
import { isWholeDer, pemBundle } from "../../src/host/windows/cert_bundle.ts";
import { readHostCaBundle } from "../../src/core/host_ca.ts";
import { createHost } from "../../src/host/mod.ts";
import { computePaths } from "../../src/config/paths.ts";
import { ProcessRunner } from "../../src/process.ts";

Deno.test("the ROOT and CA stores' certificates become one well-formed PEM bundle", async () => {
  const root = readStoreCertificates(["ROOT"]);
  ok(root.length > 0, "Wine's ROOT store has certificates");
  ok(root.every(isWholeDer), "every certificate is whole DER");
  const all = readStoreCertificates();
  ok(all.length >= root.length);
  equal(readStoreCertificates(["NO-SUCH-STORE-" + Deno.pid]).length, 0);
  equal(SYSTEM_STORES.join(","), "ROOT,CA");
  // Through the host port, as the core gets it (core/host_ca.ts).
  const env = Deno.env.toObject();
  const host = createHost({
    paths: computePaths("windows", env),
    env,
    reporter: { step() {}, progress() {}, debug() {}, warn() {} },
    runner: new ProcessRunner(),
  });
  const bundle = await readHostCaBundle("windows", undefined, {}, host.caBundle);
  equal(bundle, pemBundle(all));
  const blocks = bundle!.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g)!;
  equal(blocks.join(""), bundle, "nothing but certificate blocks");
  // scripts/test-windows.sh has openssl parse every block of it (no openssl inside Wine).
  const out = Deno.env.get("CODCHI_WINE_OUT");
  if (out) {
    await Deno.writeTextFile(win32.join(out, "cert-bundle.pem"), bundle!);
    await Deno.writeTextFile(win32.join(out, "cert-bundle.count"), `${blocks.length}\n`);
  }
});
