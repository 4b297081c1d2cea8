/**
 * Shared pieces of the end-to-end tests that drive the REAL CLI against the real LXD test bed
 * (host GUI/sound/tray/shortcuts, secrets): test-bed clean-up, a machine built from a local
 * module (a git checkout in its home, added through the CLI), and a screenshot writer (xwd → PNG, no image tools needed).
 */
import { equal } from "node:assert/strict";
import { REPO, type TestHome } from "../support/cli.ts";
import { ENGINE_BIN } from "../support/engine.ts";

/** Runs a helper command (not codchi) and returns its output. */
export async function run(
  argv: string[],
  opts: { env?: Record<string, string>; stdin?: Uint8Array } = {},
): Promise<{ code: number; stdout: string; stderr: string; bytes: Uint8Array }> {
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    env: opts.env,
    stdin: opts.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (opts.stdin) {
    const w = child.stdin.getWriter();
    await w.write(opts.stdin);
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
    bytes: out.stdout,
  };
}

/** `lxc …` (checks and clean-up outside codchi). */
export const lxc = (...args: string[]) => run([ENGINE_BIN, ...args]);

/**
 * Removes `codchistore` and every `codchi-*` container: one store per host, and a previous
 * run's store belongs to another temp HOME. (Callers hold /tmp/codchi-lxd.lock.)
 */
export async function removeCodchiContainers(): Promise<void> {
  const out = await lxc("list", "--format", "json");
  if (out.code !== 0) throw new Error(`lxc list failed: ${out.stderr}`);
  const names = (JSON.parse(out.stdout) as { name: string }[]).map((c) => c.name)
    .filter((n) => n === "codchistore" || n.startsWith("codchi-"));
  for (const n of names) await lxc("delete", "--force", n);
}

/** Whether the test bed (images) is set up. */
export function testbedReady(env: Record<string, string>): boolean {
  return !!env.CODCHI_LXD_STORE_IMAGE && !!env.CODCHI_LXD_MACHINE_IMAGE &&
    !!env.CODCHI_DRIVER_FLAKE;
}

/** Whether an executable is on PATH. */
export function have(name: string): boolean {
  return (Deno.env.get("PATH") ?? "").split(":").some((d) => {
    try {
      return Deno.statSync(`${d}/${name}`).isFile;
    } catch {
      return false;
    }
  });
}

/** Polls `check` until true or `ms` pass. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  ms = 15000,
  every = 100,
): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, every));
  }
  return await check();
}

/** The flake text of a local module `nixosModules.x` with `body` as the module. */
export function moduleFlake(body: string): string {
  return `{\n  outputs = { self }: {\n    nixosModules.x = ${body};\n  };\n}\n`;
}

/** `git …` on the host with a fixed identity (test repositories). */
export async function hostGit(dir: string, ...args: string[]): Promise<string> {
  const out = await run([
    "git",
    "-C",
    dir,
    "-c",
    "user.name=codchi test",
    "-c",
    "user.email=test@codchi.invalid",
    "-c",
    "init.defaultBranch=main",
    ...args,
  ]);
  if (out.code !== 0) throw new Error(`git ${args.join(" ")} failed: ${out.stderr}`);
  return out.stdout;
}

/**
 * Writes the local module flake into the machine's home (`~/mod`) as a committed git repository,
 * so the store reads it with the default `git+file` scheme, as a user's checkout.
 */
export async function writeLocalModule(home: TestHome, machine: string, body: string) {
  const dir = `${home.dataDir}/machine/${machine}/mod`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/flake.nix`, moduleFlake(body));
  if (!(await Deno.stat(`${dir}/.git`).then(() => true, () => false))) {
    await hostGit(dir, "init", "-q");
  }
  await hostGit(dir, "add", "-A");
  await hostGit(dir, "commit", "-q", "--allow-empty", "-m", "module");
}

/**
 * A machine with the local module in `~/mod`, made as users make it (`codchi init <m> -N`, the
 * checkout in its home, `codchi module add <m> mod nixosModules.x -N`): ready for `codchi rebuild`.
 */
export async function prepareMachine(home: TestHome, machine: string, body: string) {
  const init = await home.run(["init", machine, "-N"]);
  equal(init.code, 0, init.stderr);
  await writeLocalModule(home, machine, body);
  const add = await home.run(["module", "add", machine, "mod", "nixosModules.x", "-N"]);
  equal(add.code, 0, add.stderr);
}

/** Folder for test artifacts (screenshots). */
export const ARTIFACTS = `${REPO}/.testbed/artifacts`;

/** A screenshot of X display `display` as PNG bytes (xwd, converted here). */
export async function screenshotPng(env: Record<string, string>): Promise<Uint8Array> {
  const out = await run(["xwd", "-root", "-silent"], { env });
  if (out.code !== 0) throw new Error(`xwd failed: ${out.stderr}`);
  return await xwdToPng(out.bytes);
}

/** Converts a TrueColor ZPixmap XWD (as Xvfb writes at depth 24/32 bpp) to a PNG. */
export async function xwdToPng(xwd: Uint8Array): Promise<Uint8Array> {
  const v = new DataView(xwd.buffer, xwd.byteOffset, xwd.byteLength);
  const f = (i: number) => v.getUint32(i * 4);
  const [headerSize, width, height] = [f(0), f(4), f(5)];
  const [byteOrder, bpp, bytesPerLine] = [f(7), f(11), f(12)];
  const [rMask, gMask, bMask, ncolors] = [f(14), f(15), f(16), f(19)];
  if (bpp !== 32) throw new Error(`xwd: ${bpp} bits per pixel not supported`);
  const data = headerSize + ncolors * 12;
  const shift = (m: number) => 31 - Math.clz32(m & -m);
  const raw = new Uint8Array(height * (1 + width * 3));
  let o = 0;
  for (let y = 0; y < height; y++) {
    raw[o++] = 0;
    for (let x = 0; x < width; x++) {
      const p = v.getUint32(data + y * bytesPerLine + x * 4, byteOrder === 0);
      raw[o++] = (p & rMask) >>> shift(rMask);
      raw[o++] = (p & gMask) >>> shift(gMask);
      raw[o++] = (p & bMask) >>> shift(bMask);
    }
  }
  const zlib = new Uint8Array(
    await new Response(new Blob([raw]).stream().pipeThrough(new CompressionStream("deflate")))
      .arrayBuffer(),
  );
  const ihdr = new Uint8Array(13);
  const hv = new DataView(ihdr.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const sig = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);
  return concat([sig, chunk("IHDR", ihdr), chunk("IDAT", zlib), chunk("IEND", new Uint8Array())]);
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, body.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(body, 8);
  v.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Number of `codchi-trace: spawn` lines (processes codchi started). */
export function spawnCount(traces: string[]): number {
  return traces.filter((l) => l.startsWith("codchi-trace: spawn ")).length;
}
