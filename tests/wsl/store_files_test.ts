/**
 * The host's CA bundle and proxy handed into the WSL store (issue 15, issue 11 item 2), through
 * the real CLI on the wsl.exe simulator with the "nix" images (the real store scripts setup.sh and
 * daemon.sh): WSL starts the store by itself, so the files go in once it is up, the store's
 * set-up runs again and its nix daemon is restarted with the proxy; at the store's next start
 * (after WSL stopped it) changed files are handed in again.
 */
import { equal, ok as assert } from "node:assert/strict";
import { CONTRACT } from "../../src/contract.ts";
import { readHostCaBundle } from "../../src/core/host_ca.ts";
import { CAN_RUN, NIX_IMAGES, ok, simHome } from "./cli_sim.ts";

const opts = { ignore: !CAN_RUN, sanitizeResources: false, sanitizeOps: false };
if (!CAN_RUN) {
  console.error(`wsl store files ignored (needs root and images): ${NIX_IMAGES.missing}`);
}

/** The store's view of things, read as root through `codchi store debug`. */
async function inStore(home: Awaited<ReturnType<typeof simHome>>, script: string) {
  const r = await home.run(["store", "debug", "--", "/bin/sh", "-c", script]);
  equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** The nix daemon's proxy variables (its environment, as the kernel has it). */
const DAEMON_PROXY =
  'p=$(pgrep -x nix-daemon | head -n 1); tr "\\0" "\\n" < /proc/$p/environ | grep -i "^http_proxy=" | sort';

Deno.test({ name: "wsl cli: the store gets the host's CA and proxy", ...opts }, async () => {
  // A proxy on loopback that nothing contacts (nix runs without substituters here).
  const home = await simHome({ http_proxy: "http://127.0.0.1:3128" });
  try {
    await Deno.mkdir(home.configDir, { recursive: true });
    await Deno.writeTextFile(
      `${home.configDir}/config.json`,
      JSON.stringify({ hostProxy: true }),
    );
    await ok(home, ["init", "sf"]);
    // The CA bundle nix and git trust holds the host's, next to the image's.
    const bundle = await inStore(home, "cat /etc/ssl/certs/ca-bundle.crt");
    const host = (await readHostCaBundle("linux"))?.trim() ?? "";
    assert(host.length > 0, "the test host has a CA bundle");
    assert(bundle.includes(host), "the store trusts the host's CAs");
    equal((await inStore(home, `cat ${CONTRACT.proxyFile}`)).includes("127.0.0.1:3128"), true);
    // The daemon that fetches runs with the proxy (restarted after the files went in).
    equal(
      (await inStore(home, DAEMON_PROXY)).trim(),
      "HTTP_PROXY=http://127.0.0.1:3128\nhttp_proxy=http://127.0.0.1:3128",
    );

    // WSL stopped the store; the host's proxy changed: its next start takes the new one.
    equal((await home.wsl("--terminate", "codchistore")).code, 0);
    await ok(home, ["rebuild", "sf"], { http_proxy: "http://127.0.0.1:3129" });
    equal(
      (await inStore(home, DAEMON_PROXY)).trim(),
      "HTTP_PROXY=http://127.0.0.1:3129\nhttp_proxy=http://127.0.0.1:3129",
    );
    // Turned off: the file is emptied and the daemon runs without a proxy.
    await Deno.writeTextFile(`${home.configDir}/config.json`, JSON.stringify({}));
    equal((await home.wsl("--terminate", "codchistore")).code, 0);
    await ok(home, ["rebuild", "sf"], { http_proxy: "http://127.0.0.1:3129" });
    equal(await inStore(home, `cat ${CONTRACT.proxyFile}`), "");
    equal((await inStore(home, DAEMON_PROXY)).trim(), "");
  } finally {
    await home.dispose();
  }
});
