/**
 * `codchi tar`: a machine as a standalone NixOS — its state folders (`/var/lib`, `/root`), the
 * home, and `/etc/nixos` holding its standalone flake (driver `none`) — as ONE tar stream from the
 * machine, compressed on the fly by the file's suffix and written to a temp name that is renamed
 * when complete. Nothing is staged on disk and nothing is written in the machine.
 */
import { machinePaths } from "../config/paths.ts";
import { MACHINE_USER } from "../contract.ts";
import { NotFoundError, UsageError } from "../errors.ts";
import type { CoreContext } from "./context.ts";
import { defaultDriverUrl, standaloneFlakeText } from "./flake.ts";
import { interruptible } from "./journal_ops.ts";
import { loadMachine } from "./machines.ts";
import { secretValuesFor } from "./machine_secrets.ts";
import {
  parentDirs,
  type TarCompression,
  tarCompression,
  type TarItem,
  tarItem,
} from "./tar_stream.ts";

/** The machine's folders an export carries (as the machine sees them). */
export const EXPORTED_STATE = ["/var/lib", "/root", MACHINE_USER.home];

/** Where the standalone flake goes in the export (a plain NixOS's own flake folder). */
export const EXPORT_FLAKE_DIR = "etc/nixos";

/** What `codchi tar` wrote. */
export interface TarResult {
  file: string;
  compression: TarCompression;
  secrets: boolean;
  /** The machine's folders in the archive (besides /etc/nixos). */
  state: string[];
}

/**
 * `codchi tar <name> <file>`: checks the name's suffix and the target folder first (nothing is
 * touched on a bad one), starts the machine when it is stopped, then streams the archive.
 */
export async function tarMachine(
  ctx: CoreContext,
  name: string,
  file: string,
  opts: { withSecrets: boolean },
): Promise<TarResult> {
  const compression = tarCompression(file);
  const out = await targetFile(file, "the archive");
  const paths = await ctx.paths();
  const cfg = await loadMachine(paths, name);
  const driver = await ctx.driver();
  const rt = (await driver.states()).machines.get(name);
  if (!rt) {
    throw new NotFoundError(
      `Machine "${name}" has no container yet (it was never built), so it has no state to export.`,
      `Build it first: codchi rebuild ${name}`,
    );
  }
  if (!rt.running) {
    const { startMachine } = await import("./start.ts");
    await startMachine(ctx, driver, name);
  }
  const items = await flakeItems(ctx, name, cfg, opts.withSecrets);
  ctx.reporter.step(`Exporting "${name}" to ${out}`);
  // Ctrl-C or SIGTERM stops the machine's tar at once; the partial file is removed.
  await interruptible(
    ctx,
    "the export was stopped",
    () =>
      writeArchive(out, compression, async (write) => {
        for (const item of items) await write(tarItem(item));
        // The machine's own stream comes last: it ends with the archive's end blocks.
        await driver.exportTree(name, EXPORTED_STATE, write);
      }),
  );
  return { file: out, compression, secrets: opts.withSecrets, state: EXPORTED_STATE };
}

/**
 * The absolute path of an export's target `file` (relative to the working folder), whose folder
 * must exist: checked before anything is built or started.
 */
export async function targetFile(file: string, what: string): Promise<string> {
  const out = file.startsWith("/") || /^[A-Za-z]:[\\/]/.test(file) || file.startsWith("\\\\")
    ? file
    : `${Deno.cwd()}/${file}`;
  const folder = out.replace(/[\\/][^\\/]*$/, "") || "/";
  const st = await Deno.stat(folder).catch(() => undefined);
  if (!st?.isDirectory) {
    throw new UsageError(
      `The folder of ${out} does not exist.`,
      `Create ${folder} first, or write ${what} elsewhere.`,
    );
  }
  return out;
}

/** `/etc/nixos`: the standalone flake, its lock, machine.json (and the secrets, when asked). */
async function flakeItems(
  ctx: CoreContext,
  name: string,
  cfg: Awaited<ReturnType<typeof loadMachine>>,
  withSecrets: boolean,
): Promise<TarItem[]> {
  const paths = await ctx.paths();
  const mtime = Math.floor(Date.now() / 1000);
  const enc = new TextEncoder();
  const driverUrl = ctx.env.CODCHI_DRIVER_FLAKE?.startsWith("/") === false
    ? ctx.env.CODCHI_DRIVER_FLAKE
    : defaultDriverUrl();
  const files: TarItem[] = [
    {
      path: `${EXPORT_FLAKE_DIR}/flake.nix`,
      data: enc.encode(standaloneFlakeText(cfg, driverUrl)),
      mode: 0o644,
      mtime,
    },
  ];
  const lock = await Deno.readFile(machinePaths(paths, name).lock).catch(() => undefined);
  if (lock) files.push({ path: `${EXPORT_FLAKE_DIR}/flake.lock`, data: lock, mode: 0o644, mtime });
  files.push({
    path: `${EXPORT_FLAKE_DIR}/codchi/machine.json`,
    data: enc.encode(JSON.stringify(cfg, null, 2) + "\n"),
    mode: 0o644,
    mtime,
  });
  if (withSecrets) {
    const values = await secretValuesFor(ctx, paths, name);
    files.push({
      path: `${EXPORT_FLAKE_DIR}/codchi/secrets.json`,
      data: enc.encode(JSON.stringify(values, null, 2) + "\n"),
      mode: 0o600,
      mtime,
    });
  }
  const dirs = [...new Set(files.flatMap((f) => parentDirs(f.path)))];
  return [...dirs.map((d) => ({ path: d, mode: 0o755, mtime })), ...files];
}

/** A byte stream through the compression asked for. */
async function compressor(
  c: TarCompression,
): Promise<{ writable: WritableStream<Uint8Array>; readable: ReadableStream<Uint8Array> }> {
  if (c === "none") return new TransformStream<Uint8Array, Uint8Array>();
  if (c === "gzip") {
    return new CompressionStream("gzip") as unknown as {
      writable: WritableStream<Uint8Array>;
      readable: ReadableStream<Uint8Array>;
    };
  }
  // zstd: node's zlib (no compressor program needed on the host, Windows included).
  const zlib = await import("node:zlib");
  const { Duplex } = await import("node:stream");
  return Duplex.toWeb(zlib.createZstdCompress()) as unknown as {
    writable: WritableStream<Uint8Array>;
    readable: ReadableStream<Uint8Array>;
  };
}

/**
 * Writes what `produce` writes, compressed, to `out` through a temp name in the same folder,
 * renamed once complete; on any failure the temp file is removed and `out` is untouched.
 */
async function writeArchive(
  out: string,
  compression: TarCompression,
  produce: (write: (chunk: Uint8Array) => Promise<void>) => Promise<void>,
): Promise<void> {
  const tmp = `${out}.codchi-part-${crypto.randomUUID().slice(0, 8)}`;
  const file = await Deno.open(tmp, { write: true, createNew: true, mode: 0o600 });
  const z = await compressor(compression);
  const done = z.readable.pipeTo(file.writable);
  const w = z.writable.getWriter();
  try {
    await produce(async (chunk) => {
      await w.ready;
      await w.write(chunk);
    });
    await w.close();
    await done;
    await Deno.rename(tmp, out);
  } catch (e) {
    await w.abort(e).catch(() => {});
    await done.catch(() => {});
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
