/** Minimal COM through Deno FFI: init, create an in-process object, call vtable slots, release. */
import { guidBytes } from "../guid.ts";
import { hex, PointerCell } from "./wide.ts";
import { ToolError } from "../../../errors.ts";

const COINIT_APARTMENTTHREADED = 0x2;
const CLSCTX_INPROC_SERVER = 0x1;
const RPC_E_CHANGED_MODE = 0x80010106 | 0;

let ole32: ReturnType<typeof open> | undefined;
function open() {
  return Deno.dlopen(
    "ole32.dll",
    {
      CoInitializeEx: { parameters: ["pointer", "u32"], result: "i32" },
      CoCreateInstance: {
        parameters: ["buffer", "pointer", "u32", "buffer", "buffer"],
        result: "i32",
      },
    } as const,
  );
}

/** Initialises COM on this thread (single-threaded apartment); an already chosen mode is fine. */
export function comInit(): void {
  ole32 ??= open();
  const hr = ole32.symbols.CoInitializeEx(null, COINIT_APARTMENTTHREADED);
  if (hr < 0 && hr !== RPC_E_CHANGED_MODE) {
    throw new ToolError("windows", `CoInitializeEx failed: ${hex(hr)}`);
  }
}

/** Calls slot `index` of the object's vtable with `this` first; returns the native result. */
export function vcall<R extends Deno.NativeResultType>(
  obj: Deno.PointerObject,
  index: number,
  params: Deno.NativeType[],
  result: R,
  ...args: unknown[]
): unknown {
  const vtable = new Deno.UnsafePointerView(obj).getPointer(0);
  const fn = vtable && new Deno.UnsafePointerView(vtable).getPointer(index * 8);
  if (!fn) throw new ToolError("windows", `COM vtable slot ${index} is empty`);
  const def: Deno.UnsafeCallbackDefinition = { parameters: ["pointer", ...params], result };
  const call = new Deno.UnsafeFnPointer(fn as Deno.PointerObject<typeof def>, def);
  return (call.call as (...a: unknown[]) => unknown)(obj, ...args);
}

/** Calls an HRESULT-returning slot and throws on failure. */
export function hcall(
  obj: Deno.PointerObject,
  index: number,
  what: string,
  params: Deno.NativeType[],
  ...args: unknown[]
): void {
  const hr = vcall(obj, index, params, "i32", ...args) as number;
  if (hr < 0) throw new ToolError("windows", `${what} failed: ${hex(hr)}`);
}

/** Creates an in-process COM object and returns the interface `iid`. */
export function coCreate(clsid: string, iid: string): Deno.PointerObject {
  comInit();
  const out = new PointerCell();
  const hr = ole32!.symbols.CoCreateInstance(
    guidBytes(clsid),
    null,
    CLSCTX_INPROC_SERVER,
    guidBytes(iid),
    out.buf,
  );
  if (hr < 0 || !out.value) {
    throw new ToolError("windows", `CoCreateInstance(${clsid}) failed: ${hex(hr)}`);
  }
  return out.value;
}

/** IUnknown::QueryInterface. */
export function queryInterface(obj: Deno.PointerObject, iid: string): Deno.PointerObject {
  const out = new PointerCell();
  hcall(obj, 0, "QueryInterface", ["buffer", "buffer"], guidBytes(iid), out.buf);
  return out.value!;
}

/** IUnknown::Release. */
export function release(obj: Deno.PointerObject): void {
  vcall(obj, 2, [], "u32");
}
