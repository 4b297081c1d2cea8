/**
 * WSL gets its images from a release too: the CLI on the wsl.exe simulator with no
 * CODCHI_WSL_*_IMAGE, a release of the simulator's nix test images served by a real HTTP server on
 * 127.0.0.1. A tampered store image is refused before anything is imported; then `init` downloads,
 * verifies and imports both; a second machine needs no download.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { makeRelease } from "../../scripts/make_release.ts";
import { serveRelease } from "../support/release_server.ts";
import { CAN_RUN, NIX_IMAGES, simHome } from "./cli_sim.ts";

const opts = { ignore: !CAN_RUN, sanitizeResources: false, sanitizeOps: false };

Deno.test({ name: "wsl cli: images from a release (verified, cached)", ...opts }, async () => {
  const dir = await Deno.makeTempDir({ prefix: "codchi-wsl-release-" });
  const m = await makeRelease(dir, "0.0.0-test", {
    "wsl-store": NIX_IMAGES.store,
    "wsl-machine": NIX_IMAGES.machine,
  });
  const store = m.images.wsl!.store!;
  const srv = serveRelease(dir);
  const home = await simHome({ CODCHI_RELEASE_URL: srv.url });
  delete home.env.CODCHI_WSL_STORE_IMAGE;
  delete home.env.CODCHI_WSL_MACHINE_IMAGE;
  try {
    srv.tamper(store.file);
    const bad = await home.run(["init", "bad", "-y"]);
    srv.tamper(store.file, false);
    equal(bad.code, 6, bad.stderr);
    ok(bad.stderr.includes(store.sha256) && bad.stderr.includes(`${srv.url}${store.file}`));
    deepEqual(await home.distros(), [], "nothing was imported");

    const from = srv.requests.length;
    const r = await home.run(["init", "wr", "-y"]);
    equal(r.code, 0, r.stderr);
    deepEqual((await home.distros()).sort(), ["codchi-wr", "codchistore"]);
    const images = srv.requests.slice(from).filter((q) => q.path !== "codchi-release.json");
    deepEqual(images.map((q) => q.path).sort(), [m.images.wsl!.machine!.file, store.file].sort());

    const before = srv.imageRequests().length;
    const r2 = await home.run(["init", "wr2", "-y"]);
    equal(r2.code, 0, r2.stderr);
    equal(srv.imageRequests().length, before, "the cached machine image is used");
    ok((await home.distros()).includes("codchi-wr2"));
  } finally {
    await srv.close();
    await home.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});
