/**
 * Test helper: asks scripts/test-windows.sh (outside Wine) to look for a window on the X display
 * with `xwininfo` and to save a screenshot of it with `xwd`. The script watches the folder named by
 * CODCHI_XPROBE (a Windows path); without it, no probe is possible (undefined).
 */
import { win32 } from "node:path";

/** What xwininfo said about the window titled `title`, or undefined when there is no probe. */
export async function xProbe(title: string, ms = 20_000): Promise<string | undefined> {
  const dir = Deno.env.get("CODCHI_XPROBE");
  if (!dir) return undefined;
  const base = win32.join(dir, `probe-${Deno.pid}-${Date.now()}`);
  await Deno.writeTextFile(`${base}.tmp`, title);
  await Deno.rename(`${base}.tmp`, `${base}.req`);
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      return await Deno.readTextFile(`${base}.res`);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the X probe did not answer for "${title}" within ${ms} ms`);
}
