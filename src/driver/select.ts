/** Chooses the host driver in ONE place: OS, config.json, CODCHI_DRIVER, installed binaries. */
import { UsageError } from "../errors.ts";
import type { HostOs } from "../config/paths.ts";
import type { DriverName } from "./types.ts";

/** Inputs of the driver choice. */
export interface DriverChoiceInput {
  os: HostOs;
  /** `CODCHI_DRIVER` from the environment. */
  envDriver?: string;
  /** `driver` from config.json. */
  configDriver?: DriverName;
  /** Which of `lxc` / `incus` are on PATH. */
  has: { lxc: boolean; incus: boolean };
}

const NAMES: DriverName[] = ["lxd", "incus", "wsl"];

/** The driver to use and why; throws a UsageError for an unknown forced name. */
export function chooseDriver(input: DriverChoiceInput): { name: DriverName; reason: string } {
  if (input.envDriver) {
    if (!NAMES.includes(input.envDriver as DriverName)) {
      throw new UsageError(
        `CODCHI_DRIVER=${input.envDriver} is not a driver.`,
        `Use one of ${NAMES.join(", ")}, or unset it.`,
      );
    }
    return { name: input.envDriver as DriverName, reason: "CODCHI_DRIVER" };
  }
  if (input.configDriver) return { name: input.configDriver, reason: "config.json" };
  if (input.os === "windows") return { name: "wsl", reason: "Windows host" };
  if (input.has.lxc && input.has.incus) {
    return {
      name: "lxd",
      reason: "both lxc and incus are on PATH; lxc comes first " +
        '(CODCHI_DRIVER=incus or "driver": "incus" in config.json picks Incus)',
    };
  }
  if (input.has.lxc) return { name: "lxd", reason: "lxc found on PATH" };
  if (input.has.incus) return { name: "incus", reason: "incus found on PATH" };
  return { name: "lxd", reason: "Linux host (neither lxc nor incus found)" };
}
