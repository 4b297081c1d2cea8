/** Which of LXD's and Incus's clients is on PATH. */
import type { LxcBinary } from "./argv.ts";

/** Finds `lxc` or `incus` on PATH (lxc first), or undefined. */
export function detectBinary(path: string = Deno.env.get("PATH") ?? ""): LxcBinary | undefined {
  for (const bin of ["lxc", "incus"] as const) {
    for (const dir of path.split(":").filter((d) => d)) {
      try {
        if (Deno.statSync(`${dir}/${bin}`).isFile) return bin;
      } catch { /* not here */ }
    }
  }
  return undefined;
}
