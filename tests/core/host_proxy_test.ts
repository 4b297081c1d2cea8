/** The host's proxy for machines: the proxy file's text, and the argv that writes it. */
import { equal } from "node:assert/strict";
import { CONTRACT } from "../../src/contract.ts";
import { renderProxyFile, WRITE_PROXY_ARGV } from "../../src/core/host_proxy.ts";

Deno.test("proxy file: both cases of each variable set on the host, quoted for sh", () => {
  const text = renderProxyFile({
    HTTPS_PROXY: "http://proxy.example:3128",
    http_proxy: "http://u:p'w@proxy.example:3128",
    no_proxy: "localhost,127.0.0.1",
  });
  equal(
    text,
    "# codchi: the host's proxy (config.json hostProxy)\n" +
      "http_proxy='http://u:p'\"'\"'w@proxy.example:3128'\n" +
      "HTTP_PROXY='http://u:p'\"'\"'w@proxy.example:3128'\n" +
      "https_proxy='http://proxy.example:3128'\n" +
      "HTTPS_PROXY='http://proxy.example:3128'\n" +
      "no_proxy='localhost,127.0.0.1'\n" +
      "NO_PROXY='localhost,127.0.0.1'\n",
  );
  equal(renderProxyFile({ PATH: "/bin" }), undefined);
});

Deno.test("proxy file: sourced by sh it sets exactly the host's values", async () => {
  const value = "http://u:p'w $x`y`@proxy.example:3128";
  const dir = await Deno.makeTempDir();
  const file = `${dir}/proxy.env`;
  const write = await new Deno.Command(WRITE_PROXY_ARGV[0], {
    args: [...WRITE_PROXY_ARGV.slice(1, -1), file],
    stdin: "piped",
  }).spawn();
  const w = write.stdin.getWriter();
  await w.write(new TextEncoder().encode(renderProxyFile({ http_proxy: value })!));
  await w.close();
  equal((await write.status).code, 0);
  equal(WRITE_PROXY_ARGV.at(-1), CONTRACT.proxyFile);
  const out = await new Deno.Command("sh", {
    args: ["-c", '. "$1"; printf %s "$HTTP_PROXY"', "sh", file],
    stdout: "piped",
  }).output();
  equal(new TextDecoder().decode(out.stdout), value);
  await Deno.remove(dir, { recursive: true });
});
