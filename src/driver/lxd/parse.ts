/** Pure parsers of `lxc`/`incus` output. */
import { machineOfContainer, STORE_CONTAINER } from "../../config/names.ts";
import { ToolError } from "../../errors.ts";
import type { HostState } from "../types.ts";

/** One container of `list --format json`, reduced to what codchi reads. */
export interface ListedContainer {
  name: string;
  /** `Running`, `Stopped`, `Frozen`, `Error`, … */
  status: string;
  /** The container's own devices (not those of its profiles): name → options incl. `type`. */
  devices?: Record<string, Record<string, string>>;
  /** The container's own config keys (string values only). */
  config?: Record<string, string>;
}

/** Parses `list --format json`; throws a ToolError on anything that is not such a list. */
export function parseList(json: string): ListedContainer[] {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw new ToolError("lxc", "lxc list printed something that is not JSON", json.slice(0, 300));
  }
  if (!Array.isArray(data)) {
    throw new ToolError("lxc", "lxc list did not print a JSON list", json.slice(0, 300));
  }
  return data.flatMap((item) => {
    if (typeof item !== "object" || item === null) return [];
    const { name, status, devices, config } = item as Record<string, unknown>;
    if (typeof name !== "string" || typeof status !== "string") return [];
    return [{ name, status, devices: stringRecords(devices), config: strings(config) }];
  });
}

/** The store's and every machine's state from a parsed list (other containers are ignored). */
export function hostStateOf(containers: ListedContainer[]): HostState {
  const state: HostState = {
    store: { installed: false, running: false },
    machines: new Map(),
  };
  for (const c of containers) {
    const running = c.status === "Running";
    if (c.name === STORE_CONTAINER) state.store = { installed: true, running };
    else {
      const machine = machineOfContainer(c.name);
      if (machine !== undefined) state.machines.set(machine, { running });
    }
  }
  return state;
}

/** The aliases of `image list --format json` (an unreadable list gives none). */
export function parseImageAliases(json: string): string[] {
  try {
    const data = JSON.parse(json);
    if (!Array.isArray(data)) return [];
    return data.flatMap((img) =>
      Array.isArray(img?.aliases)
        ? img.aliases.flatMap((a: { name?: unknown }) =>
          typeof a?.name === "string" ? [a.name] : []
        )
        : []
    );
  } catch {
    return [];
  }
}

/** What `systemctl is-system-running` says about a boot. */
export type BootState = "ready" | "failed" | "booting";

/** Classifies the output of `systemctl is-system-running [--wait]`. */
export function bootStateOf(output: string): BootState {
  const word = output.trim().split(/\s+/).pop() ?? "";
  if (word === "running" || word === "degraded") return "ready";
  if (word === "maintenance" || word === "stopping") return "failed";
  // initializing, starting, offline (systemd not yet PID 1), unknown, or nothing at all.
  return "booting";
}

/** Whether an error text says the instance, image or device does not exist. */
export function isNotFound(errText: string): boolean {
  return /not found|doesn't exist|does not exist|no such/i.test(errText);
}

/** Whether an error text says the instance is already stopped. */
export function isAlreadyStopped(errText: string): boolean {
  return /already stopped|not running/i.test(errText);
}

/**
 * Whether a file push failed only because LXD's per-instance file server (forkfile) went away
 * under it (it exits when idle; a request arriving just then is reset). Trying again works.
 */
export function isTransientFileError(errText: string): boolean {
  return /forkfile\.sock/.test(errText) &&
    /connection reset by peer|broken pipe|EOF|connection refused|no such file or directory/i.test(
      errText,
    );
}

/**
 * Whether `lxc start` failed in LXD's forkstart (the container's own start-up), which happens once
 * in a while right after files were pushed into the stopped container; a second start works.
 */
export function isForkstartError(errText: string): boolean {
  return /forkstart/.test(errText) && !/already running/i.test(errText);
}

/** Whether an error text says the instance is already running. */
export function isAlreadyRunning(errText: string): boolean {
  return /already running/i.test(errText);
}

function strings(v: unknown): Record<string, string> {
  if (typeof v !== "object" || v === null) return {};
  return Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === "string"));
}

function stringRecords(v: unknown): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  if (typeof v !== "object" || v === null) return out;
  for (const [name, opts] of Object.entries(v)) {
    if (typeof opts === "object" && opts !== null) out[name] = strings(opts);
  }
  return out;
}

/** Whether the engine's error says the project does not exist (LXD and Incus wordings). */
export function isProjectMissing(errText: string): boolean {
  return /project.*not found|not found.*project/i.test(errText);
}
