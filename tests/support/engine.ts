/**
 * The container engine the real-engine suites run against: LXD (`lxc`) by default, Incus when
 * `CODCHI_TEST_ENGINE=incus` (scripts/test-incus.sh). The CLI under test is told the same engine
 * through `CODCHI_DRIVER`, so the one suite proves both.
 */

/** `lxd` or `incus`. */
export const ENGINE: "lxd" | "incus" = Deno.env.get("CODCHI_TEST_ENGINE") === "incus"
  ? "incus"
  : "lxd";

/** The engine's client binary (`lxc` or `incus`), for checks and clean-up outside codchi. */
export const ENGINE_BIN: "lxc" | "incus" = ENGINE === "incus" ? "incus" : "lxc";

/** Environment that makes the CLI use the engine under test. */
export function engineEnv(): Record<string, string> {
  return { CODCHI_DRIVER: ENGINE };
}
