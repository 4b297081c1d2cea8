/**
 * A real git server for the end-to-end tests: `git http-backend` (git's own smart-HTTP server, as
 * CGI) behind `Deno.serve` with TLS on 127.0.0.1, repositories from a folder, and HTTP basic auth
 * on the ones below `private/`. A throw-away CA (openssl) signs the server's certificate; the
 * store is given that CA as the host's, so git and nix verify the server for real.
 */
import { run } from "../lxd/e2e_helpers.ts";

/** The CA and server certificate files (PEM) of a test server. */
export interface TestTls {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** A throw-away CA and a certificate for 127.0.0.1 signed by it (openssl, EC P-256). */
export async function makeTls(dir: string): Promise<TestTls> {
  const sh = async (...argv: string[]) => {
    const out = await run(argv);
    if (out.code !== 0) throw new Error(`${argv.slice(0, 3).join(" ")} failed: ${out.stderr}`);
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await sh(
    "openssl",
    "req",
    "-x509",
    ...ec,
    "-keyout",
    `${dir}/ca.key`,
    "-out",
    `${dir}/ca.pem`,
    "-days",
    "2",
    "-subj",
    "/CN=codchi test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  );
  await sh(
    "openssl",
    "req",
    ...ec,
    "-keyout",
    `${dir}/srv.key`,
    "-out",
    `${dir}/srv.csr`,
    "-subj",
    "/CN=127.0.0.1",
  );
  await Deno.writeTextFile(
    `${dir}/srv.ext`,
    "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n" +
      "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
  );
  await sh(
    "openssl",
    "x509",
    "-req",
    "-in",
    `${dir}/srv.csr`,
    "-CA",
    `${dir}/ca.pem`,
    "-CAkey",
    `${dir}/ca.key`,
    "-CAcreateserial",
    "-out",
    `${dir}/srv.pem`,
    "-days",
    "2",
    "-extfile",
    `${dir}/srv.ext`,
  );
  return {
    caPem: await Deno.readTextFile(`${dir}/ca.pem`),
    certPem: await Deno.readTextFile(`${dir}/srv.pem`),
    keyPem: await Deno.readTextFile(`${dir}/srv.key`),
  };
}

/** One request the server answered. */
export interface Seen {
  method: string;
  path: string;
  status: number;
  /** The `Authorization` header as sent (tests check that the token arrived). */
  authorization?: string;
}

/** A running git server. */
export interface GitServer {
  port: number;
  /** `https://127.0.0.1:<port>/<repo>` */
  url(repo: string): string;
  /** Every request, in order. */
  seen: Seen[];
  close(): Promise<void>;
}

/** Splits a CGI response into status, headers and body. */
function parseCgi(out: Uint8Array): { status: number; headers: Headers; body: Uint8Array } {
  let end = -1, skip = 0;
  for (let i = 0; i < out.length - 1; i++) {
    if (out[i] === 10 && out[i + 1] === 10) [end, skip] = [i, 2];
    else if (out[i] === 13 && out[i + 1] === 10 && out[i + 2] === 13 && out[i + 3] === 10) {
      [end, skip] = [i, 4];
    }
    if (end >= 0) break;
  }
  if (end < 0) throw new Error("git http-backend wrote no header block");
  const headers = new Headers();
  let status = 200;
  for (const line of new TextDecoder().decode(out.subarray(0, end)).split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i < 0) continue;
    const [k, v] = [line.slice(0, i).trim(), line.slice(i + 1).trim()];
    if (k.toLowerCase() === "status") status = Number(v.split(" ")[0]);
    else headers.append(k, v);
  }
  return { status, headers, body: out.subarray(end + skip) };
}

/**
 * Serves the bare repositories below `root` over HTTPS on 127.0.0.1 (a free port). Paths below
 * `/private/` need HTTP basic auth with `user`:`token`.
 */
export function serveGit(
  root: string,
  tls: TestTls,
  auth: { user: string; token: string },
): GitServer {
  const seen: Seen[] = [];
  const expected = `Basic ${btoa(`${auth.user}:${auth.token}`)}`;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert: tls.certPem, key: tls.keyPem, onListen: () => {} },
    async (req) => {
      const u = new URL(req.url);
      const authorization = req.headers.get("authorization") ?? undefined;
      const note = (status: number) => {
        seen.push({ method: req.method, path: u.pathname, status, authorization });
      };
      if (u.pathname.startsWith("/private/") && authorization !== expected) {
        note(401);
        return new Response("authentication required\n", {
          status: 401,
          headers: { "WWW-Authenticate": 'Basic realm="codchi test"' },
        });
      }
      const env: Record<string, string> = {
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: "1",
        REQUEST_METHOD: req.method,
        PATH_INFO: decodeURIComponent(u.pathname),
        QUERY_STRING: u.search.replace(/^\?/, ""),
        REMOTE_ADDR: "127.0.0.1",
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      };
      const type = req.headers.get("content-type");
      if (type) env.CONTENT_TYPE = type;
      const enc = req.headers.get("content-encoding");
      if (enc) env.HTTP_CONTENT_ENCODING = enc;
      const proto = req.headers.get("git-protocol");
      if (proto) env.GIT_PROTOCOL = proto;
      if (authorization) env.REMOTE_USER = auth.user;
      const body = new Uint8Array(await req.arrayBuffer());
      if (body.length) env.CONTENT_LENGTH = String(body.length);
      const child = new Deno.Command("git", {
        args: ["http-backend"],
        env,
        clearEnv: true,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const w = child.stdin.getWriter();
      await w.write(body);
      await w.close();
      const out = await child.output();
      const cgi = parseCgi(out.stdout);
      note(cgi.status);
      return new Response(cgi.body.slice() as Uint8Array<ArrayBuffer>, {
        status: cgi.status,
        headers: cgi.headers,
      });
    },
  );
  const port = (server.addr as Deno.NetAddr).port;
  return {
    port,
    url: (repo) => `https://127.0.0.1:${port}/${repo}`,
    seen,
    close: () => server.shutdown(),
  };
}
