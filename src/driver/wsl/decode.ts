/** Decoding of wsl.exe output: UTF-16LE (its default, with or without BOM) or UTF-8 (pure). */

const utf8 = new TextDecoder("utf-8");
const utf16 = new TextDecoder("utf-16le");

/** Whether bytes look like UTF-16LE: a BOM, or NULs in most odd positions of mostly-ASCII text. */
export function looksUtf16le(bytes: Uint8Array): boolean {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return true;
  if (bytes.length < 2) return false;
  let pairs = 0;
  let oddNuls = 0;
  for (let i = 1; i < bytes.length; i += 2) {
    pairs++;
    if (bytes[i] === 0 && bytes[i - 1] !== 0) oddNuls++;
  }
  return oddNuls / pairs > 0.6;
}

/** wsl.exe output as text: decoded, BOM and stray NULs dropped, CR/CRCRLF line ends made LF. */
export function decodeWslOutput(bytes: Uint8Array): string {
  const text = looksUtf16le(bytes) ? utf16.decode(bytes) : utf8.decode(bytes);
  return text.replace(/^\ufeff/, "").replaceAll("\0", "").replace(/\r+\n/g, "\n").replace(
    /\r/g,
    "\n",
  );
}
