/** The host's Windows PATH as a machine sees it (pure). */
import { windowsPathInWsl } from "./wslenv.ts";

/**
 * The Windows PATH of `env` in Linux form, `:`-joined, for the machine to append after its own:
 * every variable named `Path` in any case (Windows names are case-insensitive), split at `;`,
 * each drive path translated (`C:\x` → `/mnt/c/x`); what WSL itself cannot translate (relative,
 * UNC, a Linux path, an element holding `:` after translation) is dropped, and repeats are kept
 * once, in order. Empty when nothing is left.
 */
export function windowsPathForWsl(env: Record<string, string | undefined>): string {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (name.toLowerCase() !== "path" || !value) continue;
    for (const raw of value.split(";")) {
      const el = raw.trim().replace(/^"(.*)"$/, "$1");
      if (!/^[A-Za-z]:[\\/]/.test(el) && !/^[A-Za-z]:$/.test(el)) continue;
      const linux = windowsPathInWsl(el);
      if (linux.includes(":") || /[\n\r]/.test(linux) || out.includes(linux)) continue;
      out.push(linux);
    }
  }
  return out.join(":");
}
