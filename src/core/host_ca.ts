/** The host's CA bundle for machines that enable `codchi.hostCertificates` (corporate TLS proxies). */
import type { HostOs } from "../config/paths.ts";
import type { Driver } from "../driver/types.ts";
import type { CoreContext } from "./context.ts";
import { ToolError } from "../errors.ts";
import { handInHostProxy } from "./host_proxy.ts";
import { HOST_CA_FILE } from "../contract.ts";

/** Where the machine reads the bundle (the NixOS module trusts it when enabled). */
export const MACHINE_CA_PATH = HOST_CA_FILE;

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

/**
 * The host's CA bundle (PEM), or undefined where none is found: on Linux the distribution's
 * bundle file (`SSL_CERT_FILE`, OpenSSL's own variable, in `env` first when it holds PEM), on
 * Windows the certificate store's ROOT and CA certificates (`windows`).
 */
export async function readHostCaBundle(
  os: HostOs,
  read: (p: string) => Promise<string> = Deno.readTextFile,
  env: Record<string, string | undefined> = {},
  windows: () => Promise<string | undefined> = () => Promise.resolve(undefined),
): Promise<string | undefined> {
  if (os === "windows") {
    const bundle = await windows();
    return bundle && isPemBundle(bundle) ? bundle : undefined;
  }
  if (os !== "linux") return undefined;
  const named = env.SSL_CERT_FILE ? [env.SSL_CERT_FILE] : [];
  for (const p of [...named, ...LINUX_CA_BUNDLES]) {
    try {
      const text = await read(p);
      if (isPemBundle(text)) return text;
    } catch { /* next */ }
  }
  return undefined;
}

/** The root command that writes stdin to MACHINE_CA_PATH atomically (folder made when missing). */
export const WRITE_CA_ARGV = [
  "sh",
  "-c",
  // A temp file of its own per run: parallel execs starting one machine never share one.
  'set -e; d="${1%/*}"; mkdir -p "$d"; t=$(mktemp "$1.XXXXXX"); cat > "$t"; chmod 0644 "$t"; mv -f "$t" "$1"',
  "codchi-host-ca",
  MACHINE_CA_PATH,
];

/**
 * Writes the bundle into the machine through stdin (one spawn; nothing in argv but the path). The
 * machine has started (systemd up, NixOS active), so `sh` is there on every driver.
 */
export async function pushHostCa(driver: Driver, machine: string, bundle: string): Promise<void> {
  const out = await driver.exec(machine, WRITE_CA_ARGV, {
    user: "root",
    capture: true,
    stdin: new TextEncoder().encode(bundle),
  });
  if (out.code !== 0) {
    throw new ToolError(
      "sh",
      `Writing ${MACHINE_CA_PATH} in "${machine}" failed`,
      out.errText,
      out.code,
    );
  }
}

/**
 * Gives a started machine the host's proxy (`config.json` `hostProxy`, opt-in, host_proxy.ts) and
 * the host's CA bundle (`config.json` `hostCertificates`, default on); the
 * machine trusts it only when its config enables `codchi.hostCertificates`. Only where the driver
 * hands it in (`Driver.handsInHostCa`); on Windows the bundle is the certificate store's.
 */
export async function handInHostCa(ctx: CoreContext, driver: Driver, name: string): Promise<void> {
  await handInHostProxy(ctx, driver, name);
  if (!driver.handsInHostCa || !(await ctx.config()).hostCertificates) return;
  const host = await ctx.host();
  const bundle = await readHostCaBundle(
    (await ctx.paths()).os,
    undefined,
    ctx.env,
    host.caBundle ? () => host.caBundle!() : undefined,
  );
  if (bundle) await pushHostCa(driver, name, bundle);
}
