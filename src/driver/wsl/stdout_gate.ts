/**
 * wsl.exe prints its own errors on stdout, so a passed-through exec that fails before its command
 * starts would put "Catastrophic failure…" into the user's output (a pipe, a file). The gate
 * holds stdout back until the command has started (its start token exists): then everything held
 * and all that follows goes out in order; if it never started, what was held is wsl.exe's message.
 */
import { concatBytes, writeAll } from "../../bytes.ts";

/** A gate for one wsl.exe call. */
export interface StdoutGate {
  /** Takes stdout chunk by chunk (RunOpts.onStdout). */
  sink(chunk: Uint8Array): Promise<void>;
  /** Writes out whatever is still held (the call's output after all). */
  flush(): Promise<void>;
  /** What was held back: wsl.exe's own message when the command never started. */
  held(): Uint8Array;
}

/** A gate that opens once `started()` says so, writing through `write`. */
export function stdoutGate(
  started: () => Promise<boolean>,
  write: (bytes: Uint8Array) => Promise<void>,
): StdoutGate {
  const held: Uint8Array[] = [];
  let open = false;
  const flush = async () => {
    for (const h of held.splice(0)) await write(h);
  };
  return {
    async sink(chunk) {
      if (!open && await started()) {
        open = true;
        await flush();
      }
      if (open) await write(chunk);
      else held.push(chunk.slice());
    },
    async flush() {
      open = true;
      await flush();
    },
    held() {
      return concatBytes(held);
    },
  };
}

/** Writes all of `bytes` to the process's stdout. */
export async function writeStdout(bytes: Uint8Array): Promise<void> {
  await writeAll(Deno.stdout, bytes);
}
