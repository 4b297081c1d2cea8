/** The in-machine file writers (CA bundle, proxy) run by parallel execs never share a temp file. */
import assert from "node:assert/strict";
import { WRITE_CA_ARGV } from "../../src/core/host_ca.ts";
import { WRITE_PROXY_ARGV } from "../../src/core/host_proxy.ts";

async function writeWith(argv: readonly string[], target: string, text: string): Promise<number> {
  const a = [...argv.slice(0, -1), target];
  const child = new Deno.Command(a[0], { args: a.slice(1), stdin: "piped", stderr: "piped" })
    .spawn();
  const w = child.stdin.getWriter();
  // Slow writers overlap: the data comes in two parts.
  await w.write(new TextEncoder().encode(text.slice(0, 10)));
  await new Promise((r) => setTimeout(r, 20));
  await w.write(new TextEncoder().encode(text.slice(10)));
  await w.close();
  return (await child.output()).code;
}

Deno.test("ten parallel writers of one file all succeed; the file is whole; no temp left", async () => {
  for (const argv of [WRITE_CA_ARGV, WRITE_PROXY_ARGV]) {
    const root = await Deno.makeTempDir();
    try {
      const target = `${root}/etc/codchi/file`;
      const texts = Array.from({ length: 10 }, (_, i) => `writer ${i} `.repeat(50) + "\n");
      const codes = await Promise.all(texts.map((t) => writeWith(argv, target, t)));
      assert.deepEqual(codes, Array(10).fill(0));
      assert.ok(texts.includes(await Deno.readTextFile(target)), "a whole write, not a mix");
      assert.deepEqual([...Deno.readDirSync(`${root}/etc/codchi`)].map((e) => e.name), ["file"]);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  }
});
