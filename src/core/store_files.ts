/**
 * The files the host hands into the store before each start: its CA bundle (`config.json`
 * `hostCertificates`, default on), which the store's nix and git trust next to the image's, its
 * proxy (`hostProxy`, opt-in), which the store's nix-daemon fetches through, and on Windows the
 * wsl-vpnkit switch (`windows.vpnkit`, opt-in; nix/container/store/vpnkit.sh). The store reads
 * both when it starts (nix/container/store/setup.sh, daemon.sh); an empty file means "none".
 */
import { CONTRACT, VPNKIT } from "../contract.ts";
import type { HostOs } from "../config/paths.ts";
import type { StoreFile } from "../driver/types.ts";
import { readHostCaBundle } from "./host_ca.ts";
import { renderProxyFile } from "./host_proxy.ts";

/** What decides the files: config.json's switches and caches, the host's environment and bundle. */
export interface StoreFileInputs {
  hostCertificates: boolean;
  hostProxy: boolean;
  /** config.json `nix`: the team's binary caches, for the store's nix-daemon. */
  nix?: { substituters: readonly string[]; trustedPublicKeys: readonly string[] };
  env: Record<string, string | undefined>;
  /** The host's CA bundle (PEM), when it has one. */
  bundle?: string;
  /**
   * WSL only: config.json `windows.vpnkit` (wsl-vpnkit in the store); absent on hosts that have
   * no such switch (LXD's store gets no file for it).
   */
  vpnkit?: boolean;
}

/**
 * The store's CA, proxy and caches files (always written, empty when off or none, so a switch-off
 * or a removed cache sticks).
 */
export function storeFiles(i: StoreFileInputs): StoreFile[] {
  const enc = new TextEncoder();
  const ca = i.hostCertificates ? i.bundle ?? "" : "";
  const proxy = i.hostProxy ? renderProxyFile(i.env) ?? "" : "";
  const caches = renderNixCachesConf(i.nix ?? { substituters: [], trustedPublicKeys: [] });
  const files = [
    { path: CONTRACT.hostCaFile, data: enc.encode(ca), mode: 0o644 },
    { path: CONTRACT.proxyFile, data: enc.encode(proxy), mode: 0o644 },
    { path: CONTRACT.nixCachesFile, data: enc.encode(caches), mode: 0o644 },
  ];
  if (i.vpnkit !== undefined) {
    files.push({
      path: VPNKIT.switchFile,
      data: enc.encode(renderVpnkitSwitch(i.vpnkit)),
      mode: 0o644,
    });
  }
  return files;
}

/** The store's wsl-vpnkit switch file (read by nix/container/store/vpnkit.sh): on, or empty. */
export function renderVpnkitSwitch(on: boolean): string {
  return on ? "CODCHI_VPNKIT=1\n" : "";
}

/**
 * The nix.conf lines (included by the store's nix.conf) that add the team's caches for every
 * client of the daemon, including nix run by users inside machines. The values were checked when
 * config.json was read (no whitespace, quotes or control characters), so one line each is safe;
 * an entry that is not is refused here too.
 */
export function renderNixCachesConf(
  c: { substituters: readonly string[]; trustedPublicKeys: readonly string[] },
): string {
  const bad = [...c.substituters, ...c.trustedPublicKeys].find((v) => !/^[!-~]+$/.test(v));
  if (bad !== undefined) throw new Error(`not a single nix.conf word: ${JSON.stringify(bad)}`);
  const lines = ["# codchi: config.json `nix` (written by the host before each start)"];
  if (c.substituters.length) lines.push(`extra-substituters = ${c.substituters.join(" ")}`);
  if (c.trustedPublicKeys.length) {
    lines.push(`extra-trusted-public-keys = ${c.trustedPublicKeys.join(" ")}`);
  }
  return lines.join("\n") + "\n";
}

/**
 * The store's files for this host and config (reads the host's bundle only when it is used; on
 * Windows from the certificate store, through `windowsBundle`).
 */
export async function hostStoreFiles(
  os: HostOs,
  cfg: {
    hostCertificates: boolean;
    hostProxy: boolean;
    nix?: { substituters: readonly string[]; trustedPublicKeys: readonly string[] };
    /** The wsl-vpnkit switch, only where the store is a WSL distro (absent: no such file). */
    vpnkit?: boolean;
  },
  env: Record<string, string | undefined>,
  /** Windows: the certificate store's bundle (the host port's `caBundle`). */
  windowsBundle?: () => Promise<string | undefined>,
): Promise<StoreFile[]> {
  const bundle = cfg.hostCertificates
    ? await readHostCaBundle(os, undefined, env, windowsBundle)
    : undefined;
  return storeFiles({ ...cfg, env, bundle });
}
