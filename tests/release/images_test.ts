/**
 * ReleaseImages: which sums are trusted (embedded beats the mirror's manifest), development
 * builds said once, local folder releases checked in place, clear errors for broken releases.
 * Against a real HTTP server on 127.0.0.1 serving a folder made by scripts/make_release.ts.
 */
import { equal, ok, rejects } from "node:assert/strict";
import { ReleaseImages } from "../../src/release/images.ts";
import { parseLocation } from "../../src/release/location.ts";
import { MANIFEST_FILE, type ReleaseManifest } from "../../src/release/manifest.ts";
import { NotFoundError, ToolError, UsageError } from "../../src/errors.ts";
import type { Reporter } from "../../src/driver/types.ts";
import { makeRelease } from "../../scripts/make_release.ts";
import { serveRelease } from "../support/release_server.ts";

async function fixture() {
  const dir = await Deno.makeTempDir({ prefix: "codchi-rel-" });
  const enc = new TextEncoder();
  await Deno.writeFile(`${dir}/store-lxd.tar.gz`, enc.encode("store bytes ".repeat(5000)));
  await Deno.writeFile(`${dir}/machine-lxd.tar.gz`, enc.encode("machine bytes ".repeat(5000)));
  await Deno.writeFile(`${dir}/store-wsl.tar.gz`, enc.encode("wsl store ".repeat(5000)));
  const manifest = await makeRelease(dir, "9.9.9");
  const srv = serveRelease(dir);
  const cache = await Deno.makeTempDir({ prefix: "codchi-cache-" });
  return {
    dir,
    manifest,
    srv,
    cache,
    async [Symbol.asyncDispose]() {
      await srv.close();
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(cache, { recursive: true });
    },
  };
}

function warnings() {
  const list: string[] = [];
  const r: Reporter = {
    step() {},
    progress() {},
    debug() {},
    warn: (m) => list.push(m),
  };
  return { r, list };
}

Deno.test("make_release: names, sums and sizes of every image in the folder", async () => {
  await using f = await fixture();
  equal(f.manifest.version, "9.9.9");
  equal(f.manifest.images.lxd?.store?.file, "store-lxd.tar.gz");
  equal(f.manifest.images.lxd?.store?.size, 60000);
  equal(f.manifest.images.wsl?.machine, undefined);
  const written = JSON.parse(await Deno.readTextFile(`${f.dir}/${MANIFEST_FILE}`));
  equal(written.images.lxd.machine.sha256, f.manifest.images.lxd?.machine?.sha256);
});

Deno.test("development build: sums from the manifest, said once; file downloaded and cached", async () => {
  await using f = await fixture();
  const imgs = new ReleaseImages({
    location: parseLocation(f.srv.url, "CODCHI_RELEASE_URL"),
    imagesDir: f.cache,
    embedded: null,
  });
  const w = warnings();
  const ref = await imgs.describe("lxd", "store", w.r);
  await imgs.describe("lxd", "machine", w.r);
  equal(w.list.length, 1);
  ok(w.list[0].includes("development build") && w.list[0].includes(f.srv.url), w.list[0]);
  equal(ref.trust, "manifest");
  equal(ref.source, `${f.srv.url}store-lxd.tar.gz`);
  const file = await imgs.obtain(ref);
  ok(file.startsWith(f.cache));
  equal(f.srv.requests.filter((r) => r.path === MANIFEST_FILE).length, 1, "manifest read once");
  equal(f.srv.imageRequests().length, 1);
  equal(await imgs.obtain(ref), file);
  equal(f.srv.imageRequests().length, 1, "cached: no second download");
});

Deno.test("embedded sums win: a mirror serving other bytes with a matching manifest is refused", async () => {
  await using f = await fixture();
  const embedded: ReleaseManifest = structuredClone(f.manifest);
  // The mirror swapped the file and rewrote its manifest to match.
  await Deno.writeFile(`${f.dir}/store-lxd.tar.gz`, new TextEncoder().encode("evil"));
  await makeRelease(f.dir, "9.9.9");
  const imgs = new ReleaseImages({
    location: parseLocation(f.srv.url, "CODCHI_RELEASE_URL"),
    imagesDir: f.cache,
    embedded,
  });
  const w = warnings();
  const ref = await imgs.describe("lxd", "store", w.r);
  equal(ref.trust, "embedded");
  equal(w.list.length, 0, "a release build says nothing about sums");
  equal(f.srv.requests.length, 0, "a release build does not even read the mirror's manifest");
  await rejects(imgs.obtain(ref), (e) => {
    ok(e instanceof ToolError && e.exitCode === 6, String(e));
    ok(e.message.includes(embedded.images.lxd!.store!.sha256));
    return true;
  });
  equal(
    [...Deno.readDirSync(f.cache)].flatMap((d) =>
      d.isDirectory ? [...Deno.readDirSync(`${f.cache}/${d.name}`)] : [d]
    ).length,
    0,
    "nothing left in the cache",
  );
});

Deno.test("folder release: used in place after its sum is checked; a changed file is refused", async () => {
  await using f = await fixture();
  const imgs = new ReleaseImages({
    location: parseLocation(`file://${f.dir}`, "x"),
    imagesDir: f.cache,
    embedded: null,
  });
  const ref = await imgs.describe("wsl", "store");
  equal(await imgs.obtain(ref), `${f.dir}/store-wsl.tar.gz`);
  await Deno.writeFile(`${f.dir}/store-wsl.tar.gz`, new TextEncoder().encode("changed"));
  await rejects(imgs.obtain(ref), /is not the released file/);
  await Deno.remove(`${f.dir}/store-wsl.tar.gz`);
  await rejects(imgs.obtain(ref), NotFoundError);
});

Deno.test("broken releases: no manifest, a bad manifest, a missing image, a bad URL", async () => {
  await using f = await fixture();
  const at = (loc: string) =>
    new ReleaseImages({ location: parseLocation(loc, "x"), imagesDir: f.cache, embedded: null });
  await rejects(at(`${f.srv.url}nothing/`).describe("lxd", "store"), (e) => {
    ok(e instanceof NotFoundError && e.message.includes(`${f.srv.url}nothing/${MANIFEST_FILE}`));
    return true;
  });
  await rejects(at(f.dir).describe("wsl", "machine"), (e) => {
    ok(e instanceof NotFoundError && e.message.includes("no wsl machine image"), String(e));
    ok(e.hint?.includes("CODCHI_WSL_MACHINE_IMAGE"));
    return true;
  });
  await Deno.writeTextFile(`${f.dir}/${MANIFEST_FILE}`, `{"version": "1", "images": 3}`);
  await rejects(at(f.dir).describe("lxd", "store"), /not a valid release manifest.*"images"/);
  const lazy = new ReleaseImages({
    location: () => parseLocation("ftp://x", "CODCHI_RELEASE_URL"),
    imagesDir: f.cache,
  });
  await rejects(lazy.describe("lxd", "store"), UsageError);
});
