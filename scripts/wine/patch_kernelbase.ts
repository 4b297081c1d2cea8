/**
 * Makes a copy of Wine's kernelbase.dll that V8 can live with (Wine 8.0 test bed only).
 *
 * Wine 8.0 rejects MEM_RESERVE_PLACEHOLDER, which V8 uses whenever
 * `GetProcAddress(kernelbase, "VirtualAlloc2")` succeeds. Renaming that export to
 * "VirtualAlloc1" (same length, same place in the sorted name table) makes V8 take its
 * fallback path. Wine loads builtin DLLs from its own folder first, so the copy must also
 * stop calling itself a builtin: then a `kernelbase=native` override picks it from system32.
 *
 * Usage: deno run --allow-read --allow-write patch_kernelbase.ts <wine kernelbase.dll> <out.dll>
 */

const EXPORT = "VirtualAlloc2";
const RENAMED = "VirtualAlloc1";
const BUILTIN_MARK = "Wine builtin DLL";
const NATIVE_MARK = "codchi patched!!"; // same length as BUILTIN_MARK

/** Maps a relative virtual address to a file offset through the section table. */
function fileOffset(view: DataView, sections: number, count: number, rva: number): number {
  for (let i = 0; i < count; i++) {
    const s = sections + 40 * i;
    const virtualSize = view.getUint32(s + 8, true);
    const virtualAddress = view.getUint32(s + 12, true);
    const rawSize = view.getUint32(s + 16, true);
    const rawPointer = view.getUint32(s + 20, true);
    if (rva >= virtualAddress && rva < virtualAddress + Math.max(virtualSize, rawSize)) {
      return rva - virtualAddress + rawPointer;
    }
  }
  throw new Error(`RVA 0x${rva.toString(16)} is in no section`);
}

/** Returns a patched copy of a PE32+ kernelbase.dll; throws when the export is missing. */
export function patchKernelbase(dll: Uint8Array): Uint8Array {
  const out = dll.slice();
  const view = new DataView(out.buffer);
  const pe = view.getUint32(0x3c, true);
  if (view.getUint32(pe, true) !== 0x4550) throw new Error("not a PE file");
  const sectionCount = view.getUint16(pe + 6, true);
  const optionalSize = view.getUint16(pe + 20, true);
  const optional = pe + 24;
  if (view.getUint16(optional, true) !== 0x20b) throw new Error("not a PE32+ (64-bit) DLL");
  const sections = optional + optionalSize;
  const off = (rva: number) => fileOffset(view, sections, sectionCount, rva);
  const exportDir = off(view.getUint32(optional + 112, true));
  const nameCount = view.getUint32(exportDir + 24, true);
  const nameTable = off(view.getUint32(exportDir + 32, true));
  const wanted = new TextEncoder().encode(EXPORT + "\0");
  let patched = false;
  for (let i = 0; i < nameCount && !patched; i++) {
    const at = off(view.getUint32(nameTable + 4 * i, true));
    if (wanted.every((b, j) => out[at + j] === b)) {
      out.set(new TextEncoder().encode(RENAMED), at);
      patched = true;
    }
  }
  if (!patched) throw new Error(`export ${EXPORT} not found`);
  const text = new TextDecoder("latin1").decode(out);
  const mark = text.indexOf(BUILTIN_MARK);
  if (mark >= 0) out.set(new TextEncoder().encode(NATIVE_MARK), mark);
  return out;
}

if (import.meta.main) {
  const [src, dst] = Deno.args;
  if (!src || !dst) throw new Error("usage: patch_kernelbase.ts <kernelbase.dll> <out.dll>");
  await Deno.writeFile(dst, patchKernelbase(await Deno.readFile(src)));
}
