/**
 * Downloads against a real HTTP server on 127.0.0.1 serving a release folder: verified once and
 * cached, resumed with Range after a cut, tampered bytes refused, and clear errors for 404, a
 * refused connection and a full disk.
 */
import { equal, ok, rejects } from "node:assert/strict";
import { downloadVerified, fileSha256 } from "../../src/release/download.ts";
import type { ImageEntry } from "../../src/release/manifest.ts";
import { NotFoundError, PrerequisiteError, ToolError } from "../../src/errors.ts";
import type { Reporter } from "../../src/driver/types.ts";
import { serveRelease } from "../support/release_server.ts";

const FILE = "codchi-lxd-machine.tar.xz";

/** A release folder with one 1 MiB pseudo-random "image". */
async function release() {
  const dir = await Deno.makeTempDir({ prefix: "codchi-rel-" });
  const bytes = new Uint8Array(1 << 20);
  for (let i = 0; i < bytes.length; i += 65536) {
    crypto.getRandomValues(bytes.subarray(i, i + 65536));
  }
  await Deno.writeFile(`${dir}/${FILE}`, bytes);
  const entry: ImageEntry = {
    file: FILE,
    sha256: await fileSha256(`${dir}/${FILE}`),
    size: bytes.length,
  };
  const srv = serveRelease(dir);
  const cache = await Deno.makeTempDir({ prefix: "codchi-cache-" });
  return {
    dir,
    entry,
    srv,
    url: `${srv.url}${FILE}`,
    target: `${cache}/images/x-${FILE}`,
    async [Symbol.asyncDispose]() {
      await srv.close();
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(cache, { recursive: true });
    },
  };
}

function recorder() {
  const lines: string[] = [];
  let last = 0;
  const r: Reporter = {
    step: (m) => lines.push(`step ${m}`),
    progress: (d) => void (last = d),
    debug: (m) => lines.push(`debug ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
  };
  return { r, lines, last: () => last };
}

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

Deno.test("download: streamed, verified, cached; the second time makes no request", async () => {
  await using t = await release();
  const rec = recorder();
  equal(await downloadVerified(t.url, t.entry, t.target, { reporter: rec.r }), t.target);
  equal(await fileSha256(t.target), t.entry.sha256);
  ok(!(await exists(`${t.target}.part`)));
  equal(rec.last(), t.entry.size, "progress reached the full size");
  ok(rec.lines[0].startsWith(`step Downloading ${FILE} (1.00 MiB)`));
  equal(t.srv.requests.length, 1);
  await downloadVerified(t.url, t.entry, t.target);
  equal(t.srv.requests.length, 1, "a cached file with the right sum is used as it is");
});

Deno.test("download: a connection cut halfway resumes with a Range request", async () => {
  await using t = await release();
  t.srv.cutOnce(FILE);
  const rec = recorder();
  await downloadVerified(t.url, t.entry, t.target, { reporter: rec.r });
  equal(await fileSha256(t.target), t.entry.sha256);
  equal(t.srv.requests.length, 2);
  equal(t.srv.requests[0].range, undefined);
  const half = t.entry.size >> 1;
  equal(t.srv.requests[1].range, `bytes=${half}-`, "the second request asks for the rest only");
  equal(t.srv.requests[1].status, 206);
});

Deno.test("download: a .part left by an earlier run is resumed; a server without ranges restarts", async () => {
  await using t = await release();
  const all = await Deno.readFile(`${t.dir}/${FILE}`);
  await Deno.mkdir(t.target.replace(/\/[^/]*$/, ""), { recursive: true });
  await Deno.writeFile(`${t.target}.part`, all.subarray(0, 1000));
  await downloadVerified(t.url, t.entry, t.target);
  equal(t.srv.requests[0].range, "bytes=1000-");
  equal(await fileSha256(t.target), t.entry.sha256);

  await Deno.remove(t.target);
  await Deno.writeFile(`${t.target}.part`, all.subarray(0, 1000));
  t.srv.ignoreRanges(true);
  await downloadVerified(t.url, t.entry, t.target);
  equal(t.srv.requests.at(-1)!.status, 200);
  equal(await fileSha256(t.target), t.entry.sha256, "a 200 answer is written from byte 0");
});

Deno.test("download: a complete but wrong .part is thrown away; a 416 answer starts over", async () => {
  await using t = await release();
  await Deno.mkdir(t.target.replace(/\/[^/]*$/, ""), { recursive: true });
  // Longer than the file: discarded without asking; then served whole.
  await Deno.writeFile(`${t.target}.part`, new Uint8Array(t.entry.size + 5));
  await downloadVerified(t.url, t.entry, t.target);
  equal(t.srv.requests[0].range, undefined);
  equal(await fileSha256(t.target), t.entry.sha256);
});

Deno.test("download: tampered bytes are refused (exit 6, URL and both sums), nothing kept", async () => {
  await using t = await release();
  t.srv.tamper(FILE);
  const err = await downloadVerified(t.url, t.entry, t.target).then(() => undefined, (e) => e);
  ok(err instanceof ToolError);
  equal(err.exitCode, 6);
  ok(err.message.includes(t.url), err.message);
  ok(err.message.includes(t.entry.sha256), err.message);
  const bad = /SHA-256 is ([0-9a-f]{64})/.exec(err.message)?.[1];
  ok(bad && bad !== t.entry.sha256, err.message);
  ok(!(await exists(t.target)) && !(await exists(`${t.target}.part`)));
});

Deno.test("download: a damaged cached file is downloaded again", async () => {
  await using t = await release();
  await downloadVerified(t.url, t.entry, t.target);
  await Deno.writeFile(t.target, new TextEncoder().encode("rot"));
  const rec = recorder();
  await downloadVerified(t.url, t.entry, t.target, { reporter: rec.r });
  equal(await fileSha256(t.target), t.entry.sha256);
  ok(rec.lines.some((l) => l.startsWith("warn") && l.includes("damaged")));
  equal(t.srv.requests.length, 2);
});

Deno.test("download: 404 is NotFound naming the URL; a refused connection a ToolError", async () => {
  await using t = await release();
  const missing = `${t.srv.url}codchi-wsl-store.tar.gz`;
  await rejects(downloadVerified(missing, t.entry, t.target), (e) => {
    ok(e instanceof NotFoundError);
    ok(e.message.includes(missing) && e.message.includes("404"));
    return true;
  });
  // A port nothing listens on: bind one, then close it.
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  await rejects(downloadVerified(`http://127.0.0.1:${port}/${FILE}`, t.entry, t.target), (e) => {
    ok(e instanceof ToolError, String(e));
    ok(e.message.includes("connection was refused"), e.message);
    return true;
  });
  ok(!(await exists(t.target)));
});

Deno.test("download: a full disk is a PrerequisiteError naming the file; no partial file kept", async () => {
  await using t = await release();
  await Deno.mkdir(t.target.replace(/\/[^/]*$/, ""), { recursive: true });
  // /dev/full answers every write with ENOSPC, as a full file system does.
  await Deno.symlink("/dev/full", `${t.target}.part`);
  await rejects(downloadVerified(t.url, t.entry, t.target), (e) => {
    ok(e instanceof PrerequisiteError, String(e));
    ok(e.message.includes("disk is full") && e.message.includes(".part"), e.message);
    return true;
  });
  ok(!(await Deno.lstat(`${t.target}.part`).then(() => true, () => false)));
  ok(!(await exists(t.target)));
});
