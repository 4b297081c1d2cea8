/** Helpers shared by the Win32 bindings: UTF-16 strings, pointers in structs, HRESULT text. */

/** A NUL-terminated UTF-16 string for a `LPCWSTR` parameter. */
export function wide(s: string): Uint16Array<ArrayBuffer> {
  const out = new Uint16Array(s.length + 1);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Reads a NUL-terminated UTF-16 string from a buffer (up to its first NUL). */
export function fromWide(buf: Uint16Array): string {
  const end = buf.indexOf(0);
  let s = "";
  for (const c of buf.subarray(0, end < 0 ? buf.length : end)) s += String.fromCharCode(c);
  return s;
}

/** Reads a NUL-terminated UTF-16 string that native code allocated. */
export function readWide(ptr: Deno.PointerObject): string {
  const view = new Deno.UnsafePointerView(ptr);
  let s = "";
  for (let at = 0;; at += 2) {
    const c = view.getUint16(at);
    if (c === 0) return s;
    s += String.fromCharCode(c);
  }
}

/** The numeric value of a pointer, for writing into a struct (0n for null). */
export function addr(ptr: Deno.PointerValue): bigint {
  return BigInt(Deno.UnsafePointer.value(ptr));
}

/** The address of a buffer's first byte, for writing into a struct. */
export function addrOf(buf: BufferSource): bigint {
  return addr(Deno.UnsafePointer.of(buf as Uint8Array<ArrayBuffer>));
}

/** An 8-byte out-parameter cell (`void**`), and its value read back as a pointer. */
export class PointerCell {
  /** The cell's memory, passed as a "buffer" argument. */
  readonly buf = new BigUint64Array(1);
  /** The pointer the callee stored. */
  get value(): Deno.PointerValue {
    return Deno.UnsafePointer.create(this.buf[0]);
  }
}

/** Formats an HRESULT or Win32 error as 0x-prefixed unsigned hex. */
export function hex(code: number): string {
  return `0x${(code >>> 0).toString(16).padStart(8, "0")}`;
}
