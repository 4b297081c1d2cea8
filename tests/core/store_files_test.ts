import { deepStrictEqual as assertEquals, equal } from "node:assert/strict";
import { hostStoreFiles, renderNixCachesConf, storeFiles } from "../../src/core/store_files.ts";
import { CONTRACT } from "../../src/contract.ts";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** The variables `sh` has after sourcing the file (as the store's daemon.sh does). */
async function sourced(text: string): Promise<Record<string, string>> {
  const file = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(file, text);
    const out = await new Deno.Command("sh", {
      args: ["-c", 'set -a; . "$1"; set +a; env -0', "sh", file],
      clearEnv: true,
    }).output();
    const vars: Record<string, string> = {};
    for (const entry of dec(out.stdout).split("\0").filter((e) => e)) {
      const at = entry.indexOf("=");
      vars[entry.slice(0, at)] = entry.slice(at + 1);
    }
    return vars;
  } finally {
    await Deno.remove(file);
  }
}

Deno.test("storeFiles: the CA bundle and the proxy at the contract's paths, 0644", async () => {
  const files = storeFiles({
    hostCertificates: true,
    hostProxy: true,
    env: { HTTPS_PROXY: "http://127.0.0.1:3128", no_proxy: "localhost,'q' $x `y`" },
    bundle: PEM,
  });
  assertEquals(files.map((f) => [f.path, f.mode]), [
    [CONTRACT.hostCaFile, 0o644],
    [CONTRACT.proxyFile, 0o644],
    [CONTRACT.nixCachesFile, 0o644],
  ]);
  equal(dec(files[0].data), PEM);
  const vars = await sourced(dec(files[1].data));
  equal(vars.https_proxy, "http://127.0.0.1:3128");
  equal(vars.HTTPS_PROXY, "http://127.0.0.1:3128");
  equal(vars.no_proxy, "localhost,'q' $x `y`");
  equal(vars.NO_PROXY, "localhost,'q' $x `y`");
  equal("http_proxy" in vars, false);
});

Deno.test("storeFiles: a switch that is off (or nothing to hand in) writes an empty file", () => {
  const off = storeFiles({
    hostCertificates: false,
    hostProxy: false,
    env: { https_proxy: "http://127.0.0.1:3128" },
    bundle: PEM,
  });
  assertEquals(off.slice(0, 2).map((f) => f.data.length), [0, 0]);
  const none = storeFiles({ hostCertificates: true, hostProxy: true, env: {} });
  assertEquals(none.slice(0, 2).map((f) => f.data.length), [0, 0]);
  // No caches: only a comment, so a cache removed from config.json is gone at the next start.
  equal(/^\s*[^#\s]/m.test(dec(none[2].data)), false);
});

/** `nix show-config --json` of a nix.conf that `!include`s `text` (as the store's does). */
async function nixSees(text: string): Promise<Record<string, { value: unknown }>> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/caches.conf`, text);
    await Deno.writeTextFile(
      `${dir}/nix.conf`,
      `substituters =\nexperimental-features = nix-command\n!include ${dir}/caches.conf\n`,
    );
    const out = await new Deno.Command("nix", {
      args: ["show-config", "--json"],
      env: { NIX_CONF_DIR: dir, NIX_USER_CONF_FILES: `${dir}/none`, HOME: dir },
      clearEnv: true,
    }).output();
    equal(out.code, 0, dec(out.stderr));
    return JSON.parse(dec(out.stdout));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const haveNix = new Deno.Command("sh", { args: ["-c", "command -v nix"] }).outputSync().success;

Deno.test({
  name: "storeFiles: the team's caches as nix.conf lines that nix itself reads",
  ignore: !haveNix,
}, async () => {
  const key = `cache.example.org-1:${"A".repeat(43)}=`;
  const files = storeFiles({
    hostCertificates: false,
    hostProxy: false,
    env: {},
    nix: {
      substituters: ["https://cache.example.org", "http://127.0.0.1:9/c"],
      trustedPublicKeys: [key],
    },
  });
  const conf = await nixSees(dec(files[2].data));
  assertEquals(conf.substituters.value, ["https://cache.example.org", "http://127.0.0.1:9/c"]);
  equal((conf["trusted-public-keys"].value as string[]).includes(key), true);
  const none = await nixSees(
    dec(storeFiles({ hostCertificates: false, hostProxy: false, env: {} })[2].data),
  );
  assertEquals(none.substituters.value, []);
});

Deno.test("renderNixCachesConf: a value that is not one nix.conf word is refused", () => {
  for (const bad of ["https://a b", "https://a\nsubstituters = x", "", "https://ü"]) {
    let threw = false;
    try {
      renderNixCachesConf({ substituters: [bad], trustedPublicKeys: [] });
    } catch {
      threw = true;
    }
    equal(threw, true, JSON.stringify(bad));
  }
});

Deno.test("hostStoreFiles on Windows: the certificate store's bundle, through the host port", async () => {
  const cfg = { hostCertificates: true, hostProxy: false };
  const ca = (files: { path: string; data: Uint8Array }[]) =>
    dec(files.find((f) => f.path === CONTRACT.hostCaFile)!.data);
  equal(ca(await hostStoreFiles("windows", cfg, {}, () => Promise.resolve(PEM))), PEM);
  // No reader (or not PEM): nothing, never a Linux bundle file.
  equal(ca(await hostStoreFiles("windows", cfg, {})), "");
  equal(ca(await hostStoreFiles("windows", cfg, {}, () => Promise.resolve("junk"))), "");
  // Turned off: the store is not read at all.
  let read = false;
  const off = await hostStoreFiles("windows", { ...cfg, hostCertificates: false }, {}, () => {
    read = true;
    return Promise.resolve(PEM);
  });
  equal(ca(off), "");
  equal(read, false);
});

Deno.test("storeFiles: the wsl-vpnkit switch only for a WSL store; on, then off (empty)", async () => {
  const { VPNKIT } = await import("../../src/contract.ts");
  const { renderVpnkitSwitch } = await import("../../src/core/store_files.ts");
  const base = { hostCertificates: false, hostProxy: false, env: {} };
  // LXD (no switch given): no file at all, the store there has no wsl-vpnkit.
  equal(storeFiles(base).some((f) => f.path === VPNKIT.switchFile), false);
  const on = storeFiles({ ...base, vpnkit: true }).find((f) => f.path === VPNKIT.switchFile)!;
  equal(on.mode, 0o644);
  // What the store's vpnkit.sh greps for, and what sh reads from it.
  equal(dec(on.data), "CODCHI_VPNKIT=1\n");
  equal((await sourced(dec(on.data))).CODCHI_VPNKIT, "1");
  const off = storeFiles({ ...base, vpnkit: false }).find((f) => f.path === VPNKIT.switchFile)!;
  equal(dec(off.data), "", "off is an empty file, so turning it off sticks");
  equal(renderVpnkitSwitch(false), "");
  // The store script checks for exactly this line.
  const script = await Deno.readTextFile(
    new URL("../../nix/container/store/vpnkit.sh", import.meta.url),
  );
  equal(script.includes(`grep -qx '${renderVpnkitSwitch(true).trim()}'`), true);
  // hostStoreFiles passes the switch through (the CLI gives it only for the WSL driver).
  const viaHost = await hostStoreFiles("linux", { ...base, vpnkit: true }, {});
  equal(dec(viaHost.find((f) => f.path === VPNKIT.switchFile)!.data), "CODCHI_VPNKIT=1\n");
  equal((await hostStoreFiles("linux", base, {})).length, 3);
});
