/**
 * What an absent config.json means, without loading the schema library (start-up reads it on
 * every command). tests/config/defaults_test.ts keeps it equal to the schema's defaults.
 */
import type { GlobalConfig } from "./schema.ts";

/** The default global config (a fresh copy each call). */
export function defaultConfigQuick(): GlobalConfig {
  return {
    version: 1,
    tray: { autostart: true },
    hostCertificates: true,
    hostProxy: false,
    windows: { vcxsrv: { enable: true }, vpnkit: false },
    nix: { substituters: [], trustedPublicKeys: [], stallMinutes: 30 },
  };
}
