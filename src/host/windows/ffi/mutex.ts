/** One instance per user session: a named mutex (`Local\…`) held for the life of the process. Windows only. */
import { wide } from "./wide.ts";
import { ToolError } from "../../../errors.ts";

const WAIT_OBJECT_0 = 0;
const WAIT_ABANDONED = 0x80;

let kernel32: ReturnType<typeof open> | undefined;
function open() {
  return Deno.dlopen(
    "kernel32.dll",
    {
      CreateMutexW: { parameters: ["pointer", "i32", "buffer"], result: "pointer" },
      WaitForSingleObject: { parameters: ["pointer", "u32"], result: "u32" },
      ReleaseMutex: { parameters: ["pointer"], result: "i32" },
      CloseHandle: { parameters: ["pointer"], result: "i32" },
    } as const,
  );
}

/** A held instance lock. */
export interface InstanceLock {
  /** Lets the next instance start. */
  release(): void;
}

/**
 * Takes the session-wide lock `name` without waiting; undefined when another process holds it.
 * A lock left by a crashed process (abandoned mutex) is taken over.
 */
export function acquireInstanceLock(name: string): InstanceLock | undefined {
  kernel32 ??= open();
  const k = kernel32.symbols;
  const handle = k.CreateMutexW(null, 0, wide(`Local\\${name}`));
  if (!handle) throw new ToolError("windows", `CreateMutexW(${name}) failed`);
  const got = k.WaitForSingleObject(handle, 0);
  if (got !== WAIT_OBJECT_0 && got !== WAIT_ABANDONED) {
    k.CloseHandle(handle);
    return undefined;
  }
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      k.ReleaseMutex(handle);
      k.CloseHandle(handle);
    },
  };
}
