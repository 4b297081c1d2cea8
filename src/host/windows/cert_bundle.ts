/**
 * The Windows certificate store's certificates (DER, as `CertEnumCertificatesInStore` hands them
 * out) as one PEM bundle, the form Linux tools and NixOS's `security.pki` read. Pure.
 */
/** One DER certificate as a PEM block (base64 in 64-character lines). */
export function derToPem(der: Uint8Array): string {
  if (der.length < 2 || der[0] !== 0x30) {
    throw new Error("not a DER certificate (no ASN.1 SEQUENCE)");
  }
  let bin = "";
  for (const b of der) bin += String.fromCharCode(b);
  const b64 = btoa(bin);
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}

/** True when `der` starts with a DER SEQUENCE whose length is exactly the rest of the bytes. */
export function isWholeDer(der: Uint8Array): boolean {
  if (der.length < 2 || der[0] !== 0x30) return false;
  const first = der[1];
  if (first < 0x80) return der.length === 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || der.length < 2 + n) return false;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + der[2 + i];
  return der.length === 2 + n + len;
}

/** One bundle of the certificates: malformed ones left out, each certificate once, order kept. */
export function pemBundle(ders: readonly Uint8Array[]): string {
  const seen = new Set<string>();
  let out = "";
  for (const der of ders) {
    if (!isWholeDer(der)) continue;
    const pem = derToPem(der);
    if (seen.has(pem)) continue;
    seen.add(pem);
    out += pem;
  }
  return out;
}
