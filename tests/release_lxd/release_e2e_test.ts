/**
 * The release path on real LXD, through the real CLI with no CODCHI_*_IMAGE set: the test bed's
 * images served as a release by a real HTTP server on 127.0.0.1. A tampered image is refused and
 * nothing reaches LXD; a download cut halfway resumes with a Range request and `init` imports
 * both images; a second `init` requests no image. (Run by scripts/test-release.sh, which holds
 * the LXD lock.)
 */
import { equal, ok } from "node:assert/strict";
import { makeHome, testbedEnv } from "../support/cli.ts";
import { serveRelease } from "../support/release_server.ts";
import { testbedRelease } from "../support/release_bed.ts";
import { lxc, removeCodchiContainers } from "../lxd/e2e_helpers.ts";
import { MANIFEST_FILE, type ReleaseManifest } from "../../src/release/manifest.ts";
import { treeHash } from "../../src/core/flake.ts";
import { copyTree } from "../../src/core/files.ts";

const bed = testbedEnv();
const ignore = Deno.uid() !== 0 || !bed.CODCHI_LXD_STORE_IMAGE || !bed.CODCHI_DRIVER_FLAKE;
if (ignore) console.error("release e2e ignored: needs root and the LXD test bed (.testbed.env)");

/** Fingerprints of every image LXD has. */
async function fingerprints(): Promise<string[]> {
  const out = await lxc("image", "list", "--format", "json");
  return (JSON.parse(out.stdout) as { fingerprint: string }[]).map((i) => i.fingerprint);
}

async function instances(): Promise<string[]> {
  const out = await lxc("list", "--format", "json");
  return (JSON.parse(out.stdout) as { name: string }[]).map((i) => i.name);
}

Deno.test({
  name:
    "release: tampered refused, cut resumed, images imported once, second init downloads nothing",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  await removeCodchiContainers();
  const dir = await testbedRelease(bed);
  const m: ReleaseManifest = JSON.parse(await Deno.readTextFile(`${dir}/${MANIFEST_FILE}`));
  const store = m.images.lxd!.store!, machine = m.images.lxd!.machine!;
  // Forget earlier imports of these images, so this run imports them for real.
  for (const e of [store, machine]) await lxc("image", "delete", e.sha256);
  const srv = serveRelease(dir);
  const home = await makeHome({
    CODCHI_RELEASE_URL: srv.url,
    CODCHI_DRIVER_FLAKE: bed.CODCHI_DRIVER_FLAKE,
    CODCHI_LOCK_TIMEOUT_MS: "300000",
    // The test's own lxc calls (images, containers) look in the default project.
    CODCHI_LXD_PROJECT: "default",
  });
  const cache = `${home.root}/.cache/codchi/images`;
  const cached = () =>
    Deno.stat(cache).then(() => [...Deno.readDirSync(cache)].map((e) => e.name), () => []);
  try {
    await t.step(
      "a tampered store image: exit 6 naming URL and both sums, nothing imported",
      async () => {
        srv.tamper(store.file);
        const before = await fingerprints();
        const r = await home.run(["init", "bad", "-y"]);
        srv.tamper(store.file, false);
        equal(r.code, 6, r.stderr);
        ok(r.stderr.includes(`${srv.url}${store.file}`), r.stderr);
        ok(r.stderr.includes(store.sha256), r.stderr);
        const got = /SHA-256 is ([0-9a-f]{64})/.exec(r.stderr)?.[1];
        ok(got && got !== store.sha256, r.stderr);
        const after = await fingerprints();
        equal(after.length, before.length, "no image was added to LXD");
        ok(!after.includes(store.sha256) && !after.includes(got!));
        ok(!(await instances()).includes("codchistore"), "no store container");
        equal((await cached()).length, 0, `nothing left in the cache: ${await cached()}`);
      },
    );

    await t.step(
      "a download cut halfway resumes with Range; init imports both images",
      async () => {
        srv.cutOnce(store.file);
        const from = srv.requests.length;
        const r = await home.run(["init", "rel", "-y"]);
        equal(r.code, 0, r.stderr);
        const reqs = srv.requests.slice(from).filter((q) => q.path === store.file);
        equal(reqs.length, 2, JSON.stringify(reqs));
        equal(reqs[0].range, undefined);
        ok(/^bytes=\d+-$/.test(reqs[1].range ?? ""), JSON.stringify(reqs));
        equal(reqs[1].status, 206);
        equal(srv.requests.slice(from).filter((q) => q.path === machine.file).length, 1);
        const fps = await fingerprints();
        ok(fps.includes(store.sha256) && fps.includes(machine.sha256), "both images are in LXD");
        equal(r.stderr.match(/development build/g)?.length, 1, "said once");
        const names = await cached();
        equal(names.length, 2, names.join());
        ok(names.every((n) => !n.endsWith(".part")));
        const exec = await home.run(["exec", "rel", "--", "true"]);
        equal(exec.code, 0, exec.stderr);
      },
    );

    await t.step("a second init makes no image request", async () => {
      const images = srv.imageRequests().length;
      const r = await home.run(["init", "rel2", "-y"]);
      equal(r.code, 0, r.stderr);
      equal(srv.imageRequests().length, images, "no image was requested again");
    });

    await t.step("a new driver flake (an upgrade): UpdatesAvailable until rebuilt", async () => {
      // codchi's own nix/ needs nixpkgs to build, so the upgrade is staged with the test driver
      // flake through CODCHI_DRIVER_FLAKE: the same copy, hash and record as the default path.
      const newer = `${home.root}/driver-v2`;
      await copyTree(bed.CODCHI_DRIVER_FLAKE, newer);
      await Deno.writeTextFile(`${newer}/flake.nix`, "# v2\n", { append: true });
      const env = { CODCHI_DRIVER_FLAKE: newer };
      const statusOf = async (name: string) => {
        const r = await home.run(["status", "--json"], { env });
        equal(r.code, 0, r.stderr);
        return (JSON.parse(r.stdout) as { name: string; status: string }[])
          .find((m) => m.name === name)?.status;
      };
      const before = await home.run(["status", "--json"]);
      ok(before.stdout.includes(`"UpToDate"`), before.stdout);
      equal(await statusOf("rel"), "UpdatesAvailable");
      const r = await home.run(["rebuild", "rel"], { env });
      equal(r.code, 0, r.stderr);
      equal(await statusOf("rel"), "UpToDate");
      equal(await statusOf("rel2"), "UpdatesAvailable", "only the rebuilt machine moved");
      const hash = await treeHash(newer);
      const built = JSON.parse(
        await Deno.readTextFile(`${home.configDir}/machines/rel/built.json`),
      );
      equal(built.driver, `sha256:${hash}`);
      const flake = await Deno.readTextFile(`${home.configDir}/machines/rel/flake.nix`);
      ok(flake.includes(`/driver-flake-${hash.slice(0, 16)}"`), flake);
    });

    await t.step(
      "uninstall: every machine, the store, the images, the folders; nothing named codchi left",
      async () => {
        const refused = await home.run(["uninstall"]);
        equal(refused.code, 2, "no terminal: --i-am-really-sure is needed");
        ok((await instances()).includes("codchi-rel"), "nothing was removed");
        const r = await home.run(["uninstall", "--i-am-really-sure", "--json"]);
        equal(r.code, 0, r.stderr);
        const removed: string[] = JSON.parse(r.stdout).removed;
        for (const want of ["machine rel ", "machine rel2 ", "LXD container codchistore"]) {
          ok(removed.some((x) => x.startsWith(want)), `${want} in ${r.stdout}`);
        }
        ok(removed.some((x) => x.startsWith("LXD image codchi-store-")), r.stdout);
        equal((await instances()).filter((n) => /codchi/.test(n)).length, 0, "no codchi instance");
        const images = await lxc("image", "list", "--format", "json");
        const aliases = (JSON.parse(images.stdout) as { aliases: { name: string }[] }[])
          .flatMap((i) => i.aliases.map((a) => a.name));
        equal(aliases.filter((a) => /codchi/.test(a)).length, 0, `images left: ${aliases}`);
        const fps = await fingerprints();
        ok(!fps.includes(store.sha256) && !fps.includes(machine.sha256));
        const profiles = await lxc("profile", "list", "--format", "json");
        const pnames = (JSON.parse(profiles.stdout) as { name: string }[]).map((p) => p.name);
        equal(pnames.filter((n) => /codchi/.test(n)).length, 0, `profiles: ${pnames}`);
        const left: string[] = [];
        const walk = async (dir: string, rel: string) => {
          for await (const e of Deno.readDir(dir)) {
            const p = `${rel}/${e.name}`;
            if (/codchi/i.test(e.name)) left.push(p);
            if (e.isDirectory) await walk(`${dir}/${e.name}`, p);
          }
        };
        await walk(home.root, "");
        equal(left.length, 0, `left under HOME: ${left.join(", ")}`);
      },
    );
  } finally {
    await srv.close();
    await removeCodchiContainers();
    await home.cleanup();
  }
});
