/** DPAPI (`CryptProtectData` / `CryptUnprotectData`): per-user encryption of small blobs. Windows only. */
import { addrOf, hex, PointerCell, wide } from "./wide.ts";
import { ToolError } from "../../../errors.ts";

const CRYPTPROTECT_UI_FORBIDDEN = 0x1;

let libs: ReturnType<typeof open> | undefined;
function open() {
  return {
    crypt32: Deno.dlopen(
      "crypt32.dll",
      {
        CryptProtectData: {
          parameters: ["buffer", "buffer", "buffer", "pointer", "pointer", "u32", "buffer"],
          result: "i32",
        },
        CryptUnprotectData: {
          parameters: ["buffer", "buffer", "buffer", "pointer", "pointer", "u32", "buffer"],
          result: "i32",
        },
      } as const,
    ),
    kernel32: Deno.dlopen(
      "kernel32.dll",
      {
        LocalFree: { parameters: ["pointer"], result: "pointer" },
        GetLastError: { parameters: [], result: "u32" },
      } as const,
    ),
  };
}

/** A DATA_BLOB (x64: u32 length, 4 bytes padding, pointer) over `data`. */
function blobOf(data: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(16);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length, true);
  v.setBigUint64(8, data.length ? addrOf(data) : 0n, true);
  return out;
}

/** Copies a DATA_BLOB the API allocated, wipes and frees the native memory. */
function takeBlob(blob: Uint8Array<ArrayBuffer>): Uint8Array {
  const v = new DataView(blob.buffer);
  const len = v.getUint32(0, true);
  const ptr = Deno.UnsafePointer.create(v.getBigUint64(8, true));
  if (!ptr) return new Uint8Array(0);
  const native = new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(ptr, len));
  const copy = native.slice();
  native.fill(0);
  libs!.kernel32.symbols.LocalFree(ptr);
  return copy;
}

/** Encrypts `plain` for the current user; `entropy` must be given again to decrypt. */
export function protect(
  plain: Uint8Array,
  entropy: Uint8Array,
  description = "codchi",
): Uint8Array {
  libs ??= open();
  const input = plain.slice();
  const salt = entropy.slice();
  const out = new Uint8Array(16);
  const ok = libs.crypt32.symbols.CryptProtectData(
    blobOf(input),
    wide(description),
    blobOf(salt),
    null,
    null,
    CRYPTPROTECT_UI_FORBIDDEN,
    out,
  );
  input.fill(0);
  if (!ok) {
    throw new ToolError(
      "windows",
      `CryptProtectData failed: ${hex(libs.kernel32.symbols.GetLastError())}`,
    );
  }
  return takeBlob(out);
}

/** Decrypts a blob of `protect`; throws on a changed blob, wrong entropy or another user. */
export function unprotect(blob: Uint8Array, entropy: Uint8Array): Uint8Array {
  libs ??= open();
  const input = blob.slice();
  const salt = entropy.slice();
  const out = new Uint8Array(16);
  const desc = new PointerCell();
  const ok = libs.crypt32.symbols.CryptUnprotectData(
    blobOf(input),
    desc.buf,
    blobOf(salt),
    null,
    null,
    CRYPTPROTECT_UI_FORBIDDEN,
    out,
  );
  const err = ok ? 0 : libs.kernel32.symbols.GetLastError();
  if (desc.value) libs.kernel32.symbols.LocalFree(desc.value);
  if (!ok) throw new ToolError("windows", `CryptUnprotectData failed: ${hex(err)}`);
  return takeBlob(out);
}
