/**
 * Reads the certificates of the user's system stores (`ROOT`: trusted roots, `CA`: intermediate
 * authorities) with crypt32's `CertOpenSystemStoreW` / `CertEnumCertificatesInStore`, including
 * what group policy or a corporate proxy's installer put there. Windows only.
 */
import { wide } from "./wide.ts";

/** The stores read, in this order. */
export const SYSTEM_STORES = ["ROOT", "CA"] as const;
const X509_ASN_ENCODING = 0x1;

let crypt32: ReturnType<typeof open> | undefined;
function open() {
  return Deno.dlopen(
    "crypt32.dll",
    {
      CertOpenSystemStoreW: { parameters: ["usize", "buffer"], result: "pointer" },
      CertEnumCertificatesInStore: { parameters: ["pointer", "pointer"], result: "pointer" },
      CertCloseStore: { parameters: ["pointer", "u32"], result: "i32" },
    } as const,
  );
}

/** The DER bytes of every X.509 certificate in the stores `names` (a store that does not open is skipped). */
export function readStoreCertificates(
  names: readonly string[] = SYSTEM_STORES,
): Uint8Array[] {
  crypt32 ??= open();
  const c = crypt32.symbols;
  const out: Uint8Array[] = [];
  for (const name of names) {
    const store = c.CertOpenSystemStoreW(0n, wide(name));
    if (!store) continue;
    try {
      // CERT_CONTEXT: dwCertEncodingType u32 @0, pbCertEncoded ptr @8, cbCertEncoded u32 @16.
      for (let ctx = c.CertEnumCertificatesInStore(store, null); ctx;) {
        const view = new Deno.UnsafePointerView(ctx);
        const encoding = view.getUint32(0);
        const bytes = view.getPointer(8);
        const size = view.getUint32(16);
        if ((encoding & X509_ASN_ENCODING) && bytes && size > 0) {
          out.push(new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(bytes, size)).slice());
        }
        // The next call frees the previous context.
        ctx = c.CertEnumCertificatesInStore(store, ctx);
      }
    } finally {
      c.CertCloseStore(store, 0);
    }
  }
  return out;
}
