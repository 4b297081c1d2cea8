/**
 * The test bed's LXD images as a release folder (scripts/make_release.ts), for the release e2e
 * tests, the bench and the README-example tests. The images are gzip copies of the test bed's
 * tarballs, so LXD sees other fingerprints than the `CODCHI_LXD_*_IMAGE` suites import: a
 * release import is a real import. Cached in `.testbed/release/<key>/`, keyed by the images.
 */
import { basename, dirname } from "node:path";
import { makeRelease } from "../../scripts/make_release.ts";
import { MANIFEST_FILE } from "../../src/release/manifest.ts";
import { REPO } from "./cli.ts";

/** The release folder of the test bed images named by `env` (CODCHI_LXD_*_IMAGE). */
export async function testbedRelease(env: Record<string, string | undefined>): Promise<string> {
  const store = env.CODCHI_LXD_STORE_IMAGE, machine = env.CODCHI_LXD_MACHINE_IMAGE;
  if (!store || !machine) throw new Error("no test bed images (source .testbed.env first)");
  const key = basename(dirname(store));
  const dir = `${REPO}/.testbed/release/${key}`;
  if (await Deno.stat(`${dir}/${MANIFEST_FILE}`).then(() => true, () => false)) return dir;
  const tmp = `${dir}.tmp-${Deno.pid}`;
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
  await Deno.mkdir(tmp, { recursive: true });
  for (const [kind, src] of [["store", store], ["machine", machine]]) {
    const out = await Deno.open(`${tmp}/codchi-lxd-${kind}.tar.gz`, { write: true, create: true });
    const gz = new Deno.Command("gzip", { args: ["-1", "-c", "--", src], stdout: "piped" })
      .spawn();
    await gz.stdout.pipeTo(out.writable);
    if (!(await gz.status).success) throw new Error(`gzip ${src} failed`);
  }
  await makeRelease(tmp, "0.0.0-testbed");
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.rename(tmp, dir);
  return dir;
}
