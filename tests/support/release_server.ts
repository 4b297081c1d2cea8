/**
 * A release folder served over HTTP on 127.0.0.1 (Deno.serve), as GitHub or a mirror serves it:
 * whole files, `Range: bytes=N-` answered with 206, 404 for missing files. It records every
 * request and can misbehave on purpose: cut a file's stream halfway (once), or serve a file with
 * one byte changed.
 */
import { join } from "node:path";

/** One request the server saw. */
export interface SeenRequest {
  path: string;
  range?: string;
  status: number;
}

/** A running release server. */
export interface ReleaseServer {
  /** The release folder URL (ends in `/`). */
  url: string;
  requests: SeenRequest[];
  /** Requests of image files (everything but the manifest). */
  imageRequests(): SeenRequest[];
  /** The next request of `file` gets half of it, then the connection breaks. */
  cutOnce(file: string): void;
  /** Every later request of `file` gets its bytes with one byte changed (`on` false: stop). */
  tamper(file: string, on?: boolean): void;
  /** Ignore Range headers (answer 200 with the whole file). */
  ignoreRanges(on: boolean): void;
  close(): Promise<void>;
}

/** Serves the folder `dir` on an ephemeral loopback port. */
export function serveRelease(dir: string): ReleaseServer {
  const requests: SeenRequest[] = [];
  const cut = new Set<string>();
  const tampered = new Set<string>();
  let noRanges = false;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const name = decodeURIComponent(new URL(req.url).pathname.replace(/^\/+/, ""));
      const range = req.headers.get("range") ?? undefined;
      const seen: SeenRequest = { path: name, range, status: 0 };
      requests.push(seen);
      const answer = (status: number, body?: BodyInit | null, headers: HeadersInit = {}) => {
        seen.status = status;
        return new Response(body, { status, headers });
      };
      if (!/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(name)) return answer(404);
      let bytes: Uint8Array<ArrayBuffer>;
      try {
        bytes = await Deno.readFile(join(dir, name));
      } catch {
        return answer(404, "not found\n");
      }
      if (tampered.has(name) && bytes.length) {
        bytes = bytes.slice();
        bytes[bytes.length >> 1] ^= 0xff;
      }
      let start = 0;
      const m = /^bytes=(\d+)-$/.exec(range ?? "");
      if (m && !noRanges) {
        start = Number(m[1]);
        if (start >= bytes.length) {
          return answer(416, null, { "content-range": `bytes */${bytes.length}` });
        }
      }
      const body = bytes.subarray(start);
      const headers: Record<string, string> = {
        "content-length": String(body.length),
        "accept-ranges": "bytes",
      };
      if (start > 0) {
        headers["content-range"] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
      }
      const status = start > 0 ? 206 : 200;
      if (cut.delete(name)) {
        // Half the bytes, then the stream fails: the connection closes before Content-Length.
        const half = body.subarray(0, body.length >> 1);
        const stream = new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(half);
          },
          pull(c) {
            c.close();
          },
        });
        return answer(status, stream, headers);
      }
      return answer(status, body, headers);
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    requests,
    imageRequests: () => requests.filter((r) => r.path.endsWith(".tar") || /\.tar\./.test(r.path)),
    cutOnce: (f) => void cut.add(f),
    tamper: (f, on = true) => void (on ? tampered.add(f) : tampered.delete(f)),
    ignoreRanges: (on) => void (noRanges = on),
    close: () => server.shutdown(),
  };
}
