/** The host's CA bundle for machines that enable `codchi.hostCertificates` (corporate TLS proxies). */
import type { HostOs } from "../config/paths.ts";
import type { Driver } from "../driver/types.ts";
import type { CoreContext } from "./context.ts";

/** Where the machine reads the bundle (the NixOS module trusts it when enabled). */
export const MACHINE_CA_PATH = "/etc/codchi/host-ca.pem";

/** Bundle files of the common Linux distributions, most common first. */
export const LINUX_CA_BUNDLES = [
  "/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Arch, Alpine
  "/etc/pki/tls/certs/ca-bundle.crt", // Fedora, RHEL
  "/etc/ssl/ca-bundle.pem", // openSUSE
  "/etc/ssl/cert.pem", // others
];

/** True when `text` holds at least one PEM certificate. */
export function isPemBundle(text: string): boolean {
  return /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(text);
}

/** The host's CA bundle (PEM), or undefined where none is found (Windows: not exported yet). */
export async function readHostCaBundle(
  os: HostOs,
  read: (p: string) => Promise<string> = Deno.readTextFile,
): Promise<string | undefined> {
  if (os !== "linux") return undefined;
  for (const p of LINUX_CA_BUNDLES) {
    try {
      const text = await read(p);
      if (isPemBundle(text)) return text;
    } catch { /* next */ }
  }
  return undefined;
}

/** Pushes the bundle into the machine (through stdin, like every file codchi writes there). */
export async function pushHostCa(driver: Driver, machine: string, bundle: string): Promise<void> {
  await driver.pushFile(machine, MACHINE_CA_PATH, new TextEncoder().encode(bundle), 0o644);
}

/**
 * Gives a started machine the host's CA bundle (`config.json` `hostCertificates`, default on); the
 * machine trusts it only when its config enables `codchi.hostCertificates`. Not on WSL yet: the
 * Windows certificate store is not exported.
 */
export async function handInHostCa(ctx: CoreContext, driver: Driver, name: string): Promise<void> {
  if (driver.name === "wsl" || !(await ctx.config()).hostCertificates) return;
  const bundle = await readHostCaBundle((await ctx.paths()).os);
  if (bundle) await pushHostCa(driver, name, bundle);
}
