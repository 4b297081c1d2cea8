/**
 * `deno task bench` rows of the release path: the test bed's images served as a release by a
 * real HTTP server on 127.0.0.1 (tests/support/release_bed.ts), downloaded and verified into a
 * fresh cache, then imported into LXD by the LXD driver, then asked for again (cached). The
 * caller holds the LXD lock; the images imported here are deleted again.
 */
import { computePaths } from "../src/config/paths.ts";
import { LxdDriver } from "../src/driver/lxd/mod.ts";
import { ProcessRunner } from "../src/process.ts";
import { ReleaseImages } from "../src/release/images.ts";
import { parseLocation } from "../src/release/location.ts";
import { formatBytes } from "../src/release/progress.ts";
import { testbedRelease } from "../tests/support/release_bed.ts";
import { serveRelease } from "../tests/support/release_server.ts";

async function lxc(...args: string[]): Promise<number> {
  return (await new Deno.Command("lxc", { args, stdout: "null", stderr: "null" }).output()).code;
}

/** Rows `[what, time, spawns, note]` for the release download and import. */
export async function releaseRows(bed: Record<string, string>): Promise<string[][]> {
  const dir = await testbedRelease(bed);
  const srv = serveRelease(dir);
  const home = await Deno.makeTempDir({ prefix: "codchi-bench-release-" });
  const rows: string[][] = [];
  try {
    const paths = computePaths("linux", { HOME: home });
    const images = new ReleaseImages({
      location: parseLocation(srv.url, "bench"),
      imagesDir: paths.imagesDir,
      embedded: null,
    });
    const env = { ...Deno.env.toObject() };
    delete env.CODCHI_LXD_STORE_IMAGE;
    delete env.CODCHI_LXD_MACHINE_IMAGE;
    const driver = new LxdDriver({ paths, runner: new ProcessRunner(), env, images });
    for (const kind of ["store", "machine"] as const) {
      const ref = await images.describe("lxd", kind);
      await lxc("image", "delete", ref.entry.sha256); // a real import, not an alias of an old one
      let t0 = performance.now();
      await images.obtain(ref);
      const dl = performance.now() - t0;
      const rate = ref.entry.size / (dl / 1000);
      rows.push([
        `${kind} image: download + SHA-256 (${formatBytes(ref.entry.size)}, loopback)`,
        `${dl.toFixed(0)} ms`,
        "0",
        `${formatBytes(Math.round(rate))}/s`,
      ]);
      t0 = performance.now();
      const alias = await driver.instances.ensureImage(kind);
      rows.push([
        `${kind} image: import into LXD (cached file verified again)`,
        `${(performance.now() - t0).toFixed(0)} ms`,
        "",
        alias,
      ]);
      t0 = performance.now();
      await driver.instances.ensureImage(kind);
      rows.push([
        `${kind} image: asked again (in LXD already)`,
        `${(performance.now() - t0).toFixed(0)} ms`,
        "1",
        "no request",
      ]);
      await lxc("image", "delete", ref.entry.sha256);
    }
  } finally {
    await srv.close();
    await Deno.remove(home, { recursive: true });
  }
  return rows;
}

/** Prints the release rows as their own Markdown table (what, time, spawns, note). */
export function printReleaseRows(rows: string[][]): void {
  if (!rows.length) return;
  console.log("\nRelease images on a loopback release (the test bed's images, gzip):\n");
  console.log("| what | time | spawns | note |");
  console.log("| --- | --- | --- | --- |");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
}
