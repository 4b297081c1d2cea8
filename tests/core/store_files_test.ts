import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import { storeFiles } from "../../src/core/store_files.ts";
import { CONTRACT } from "../../src/contract.ts";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** The variables `sh` has after sourcing the file (as the store's daemon.sh does). */
async function sourced(text: string): Promise<Record<string, string>> {
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(file, text);
    const out = await new Deno.Command("sh", {
      args: ["-c", 'set -a; . "$1"; set +a; env -0', "sh", file],
      clearEnv: true,
    }).output();
    const vars: Record<string, string> = {};
    for (const entry of dec(out.stdout).split("\0").filter((e) => e)) {
      const at = entry.indexOf("=");
      vars[entry.slice(0, at)] = entry.slice(at + 1);
    }
    return vars;
  } finally {
    await Deno.remove(file);
  }
}

Deno.test("storeFiles: the CA bundle and the proxy at the contract's paths, 0644", async () => {
  const files = storeFiles({
    hostCertificates: true,
    hostProxy: true,
    env: { HTTPS_PROXY: "http://127.0.0.1:3128", no_proxy: "localhost,'q' $x `y`" },
    bundle: PEM,
  });
  assertEquals(files.map((f) => [f.path, f.mode]), [
    [CONTRACT.hostCaFile, 0o644],
    [CONTRACT.proxyFile, 0o644],
  ]);
  equal(dec(files[0].data), PEM);
  const vars = await sourced(dec(files[1].data));
  equal(vars.https_proxy, "http://127.0.0.1:3128");
  equal(vars.HTTPS_PROXY, "http://127.0.0.1:3128");
  equal(vars.no_proxy, "localhost,'q' $x `y`");
  equal(vars.NO_PROXY, "localhost,'q' $x `y`");
  equal("http_proxy" in vars, false);
});

Deno.test("storeFiles: a switch that is off (or nothing to hand in) writes an empty file", () => {
  const off = storeFiles({
    hostCertificates: false,
    hostProxy: false,
    env: { https_proxy: "http://127.0.0.1:3128" },
    bundle: PEM,
  });
  assertEquals(off.map((f) => f.data.length), [0, 0]);
  const none = storeFiles({ hostCertificates: true, hostProxy: true, env: {} });
  assertEquals(none.map((f) => f.data.length), [0, 0]);
});
