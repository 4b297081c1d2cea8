/**
 * The files the host hands into the store before each start: its CA bundle (`config.json`
 * `hostCertificates`, default on), which the store's nix and git trust next to the image's, and
 * its proxy (`hostProxy`, opt-in), which the store's nix-daemon fetches through. The store reads
 * both when it starts (nix/container/store/setup.sh, daemon.sh); an empty file means "none".
 */
import { CONTRACT } from "../contract.ts";
import type { HostOs } from "../config/paths.ts";
import type { StoreFile } from "../driver/types.ts";
import { readHostCaBundle } from "./host_ca.ts";
import { renderProxyFile } from "./host_proxy.ts";

/** What decides the files: the two switches of config.json, the host's environment and bundle. */
export interface StoreFileInputs {
  hostCertificates: boolean;
  hostProxy: boolean;
  env: Record<string, string | undefined>;
  /** The host's CA bundle (PEM), when it has one. */
  bundle?: string;
}

/** The store's CA and proxy files (both always written, empty when off, so a switch-off sticks). */
export function storeFiles(i: StoreFileInputs): StoreFile[] {
  const enc = new TextEncoder();
  const ca = i.hostCertificates ? i.bundle ?? "" : "";
  const proxy = i.hostProxy ? renderProxyFile(i.env) ?? "" : "";
  return [
    { path: CONTRACT.hostCaFile, data: enc.encode(ca), mode: 0o644 },
    { path: CONTRACT.proxyFile, data: enc.encode(proxy), mode: 0o644 },
  ];
}

/** The store's files for this host and config (reads the host's bundle only when it is used). */
export async function hostStoreFiles(
  os: HostOs,
  cfg: { hostCertificates: boolean; hostProxy: boolean },
  env: Record<string, string | undefined>,
): Promise<StoreFile[]> {
  const bundle = cfg.hostCertificates ? await readHostCaBundle(os, undefined, env) : undefined;
  return storeFiles({ ...cfg, env, bundle });
}
