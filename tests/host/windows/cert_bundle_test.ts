import { equal, throws } from "node:assert/strict";
import { derToPem, isWholeDer, pemBundle } from "../../../src/host/windows/cert_bundle.ts";

/** A real DER certificate, made by openssl here (not a constant written to match the code). */
async function opensslCert(cn: string): Promise<{ der: Uint8Array; pem: string }> {
  const dir = await Deno.makeTempDir();
  try {
    const run = async (args: string[]) => {
      const out = await new Deno.Command("openssl", { args, stderr: "piped" }).output();
      if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
      return out.stdout;
    };
    await run([
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      `${dir}/k`,
      "-subj",
      `/CN=${cn}`,
      "-days",
      "1",
      "-out",
      `${dir}/c.pem`,
    ]); // deno-fmt-ignore
    await run(["x509", "-in", `${dir}/c.pem`, "-outform", "DER", "-out", `${dir}/c.der`]);
    return {
      der: await Deno.readFile(`${dir}/c.der`),
      pem: await Deno.readTextFile(`${dir}/c.pem`),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("derToPem writes what openssl writes for the same certificate", async () => {
  const { der, pem } = await opensslCert("codchi test root");
  equal(derToPem(der), pem);
  equal(isWholeDer(der), true);
});

Deno.test("pemBundle: each certificate once, in order; cut or foreign bytes left out", async () => {
  const a = await opensslCert("a");
  const b = await opensslCert("b");
  const cut = a.der.slice(0, a.der.length - 1);
  const bundle = pemBundle([a.der, cut, b.der, a.der, new Uint8Array([1, 2, 3]), new Uint8Array()]);
  equal(bundle, a.pem + b.pem);
  equal(pemBundle([]), "");
  throws(() => derToPem(new Uint8Array([0x04, 0x00])), /not a DER certificate/);
});

Deno.test("isWholeDer reads short and long DER lengths", () => {
  equal(isWholeDer(new Uint8Array([0x30, 0x01, 0x00])), true);
  equal(isWholeDer(new Uint8Array([0x30, 0x02, 0x00])), false);
  const long = new Uint8Array(4 + 300);
  long.set([0x30, 0x82, 0x01, 0x2c]);
  equal(isWholeDer(long), true);
  equal(isWholeDer(long.slice(0, 303)), false);
  equal(isWholeDer(new Uint8Array([0x30, 0x80])), false); // indefinite length: not DER
});
