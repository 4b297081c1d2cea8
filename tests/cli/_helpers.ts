/** Helpers of the CLI tests: file snapshots of a temporary home, hand-made machines. */
import { join } from "node:path";

/** Every path under `root` (relative, sorted); folders end with "/". */
export async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, rel: string) => {
    for await (const e of Deno.readDir(dir)) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) {
        out.push(`${r}/`);
        await walk(join(dir, e.name), r);
      } else out.push(r);
    }
  };
  await walk(root, "");
  return out.sort();
}

/** Writes `machines/<name>/machine.json` by hand (what `codchi init --no-build` would leave). */
export async function makeMachine(configDir: string, name: string, extra = {}): Promise<string> {
  const dir = join(configDir, "machines", name);
  await Deno.mkdir(dir, { recursive: true });
  const file = join(dir, "machine.json");
  await Deno.writeTextFile(
    file,
    JSON.stringify({ version: 1, name, createdAt: "2026-01-01T00:00:00.000Z", ...extra }, null, 2),
  );
  return file;
}

/** True when `text` contains an ANSI escape sequence. */
export function hasEscapes(text: string): boolean {
  return text.includes("\x1b");
}
