import { equal, rejects } from "node:assert/strict";
import { posix } from "node:path";
import { downloadTarget, downloadVerified } from "../../../src/driver/lxd/download.ts";
import { sha256Hex } from "../../../src/driver/lxd/images.ts";
import { ToolError } from "../../../src/errors.ts";

const BODY = new TextEncoder().encode("pretend this is a rootfs tarball\n".repeat(1000));

/** Serves BODY on loopback; counts requests. */
function serve() {
  let hits = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    hits++;
    return new Response(BODY, { headers: { "content-length": String(BODY.length) } });
  });
  const url = `http://127.0.0.1:${server.addr.port}/v1/codchi-lxd-machine.tar.xz`;
  return { url, hits: () => hits, stop: () => server.shutdown() };
}

Deno.test("downloadTarget names the file by kind and checksum", () => {
  equal(
    downloadTarget("/d/images", "store", "https://x.invalid/a/s.tar.xz", "ab".repeat(32)),
    "/d/images/store-abababababababab.tar.xz",
  );
});

Deno.test("downloadVerified: verified once, then reused; progress reported", async () => {
  const dir = await Deno.makeTempDir();
  const srv = serve();
  try {
    const sha = await sha256Hex(BODY);
    const target = posix.join(dir, "m.tar.xz");
    const seen: number[] = [];
    const reporter = {
      step() {},
      progress: (done: number) => seen.push(done),
      debug() {},
      warn() {},
    };
    equal(await downloadVerified(srv.url, sha, target, reporter), target);
    equal((await Deno.readFile(target)).length, BODY.length);
    equal(seen.at(-1), BODY.length);
    await downloadVerified(srv.url, sha, target);
    equal(srv.hits(), 1);
  } finally {
    await srv.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("downloadVerified: a checksum mismatch leaves nothing", async () => {
  const dir = await Deno.makeTempDir();
  const srv = serve();
  try {
    const target = posix.join(dir, "m.tar.xz");
    await rejects(downloadVerified(srv.url, "0".repeat(64), target), ToolError);
    equal([...Deno.readDirSync(dir)].length, 0);
  } finally {
    await srv.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("downloadVerified: HTTP errors are ToolErrors", async () => {
  const dir = await Deno.makeTempDir();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("no", { status: 404 }),
  );
  try {
    await rejects(
      downloadVerified(`http://127.0.0.1:${server.addr.port}/x.tar`, "0".repeat(64), `${dir}/x`),
      (e: Error) => e instanceof ToolError && /HTTP 404/.test(e.message),
    );
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
