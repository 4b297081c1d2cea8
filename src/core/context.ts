/** What the platform-free core needs from its caller: paths, config, backends (driver, secret
 * store, host integration), output. */
import type { Paths } from "../config/paths.ts";
import type { GlobalConfig } from "../config/schema.ts";
import type { Driver, DriverDiagnosis } from "../driver/types.ts";
import type { Reporter } from "../reporter.ts";
import type { SecretStore } from "../secrets/types.ts";
import type { Host } from "../host/types.ts";
import type { Runner } from "../process.ts";

/** Asks the user things; injected so the core never touches a terminal itself. */
export interface Prompter {
  /** True when questions can be asked (a TTY and no --dont-prompt). */
  readonly interactive: boolean;
  /** Yes/no question; false without a TTY. */
  confirm(question: string): Promise<boolean>;
  /** Pick one of `choices`; undefined without a TTY. */
  choose(question: string, choices: string[]): Promise<string | undefined>;
  /** Masked input for a secret. */
  secret(question: string, description: string): Promise<string>;
}

/** The core's view of one codchi invocation. */
export interface CoreContext {
  readonly env: Record<string, string>;
  paths(): Promise<Paths>;
  config(): Promise<GlobalConfig>;
  driver(): Promise<Driver>;
  /**
   * `codchi doctor`'s probes of the driver this host would use (its client, daemon, permission);
   * they run without building the driver, which cannot be built while its client is missing.
   */
  diagnoseDriver(): Promise<DriverDiagnosis>;
  secrets(): Promise<SecretStore>;
  /** The host integration (shortcuts, tray), chosen for this OS by the caller. */
  host(): Promise<Host>;
  readonly reporter: Reporter;
  readonly prompter: Prompter;
  /** argv that runs this codchi binary (for shortcuts and terminal entries). */
  readonly selfArgv: string[];
  /** The process door for the few host commands the core runs itself (e.g. host `tar`). */
  readonly runner: Runner;
  /**
   * The display variables `exec` hands a machine (Windows: VcXsrv's, the host port's `guiEnv`
   * with config.json `windows.vcxsrv`); absent where the host has none to give (Linux), so a
   * plain exec loads no host code.
   */
  readonly guiEnv?: () => Promise<Record<string, string> | undefined>;
  /**
   * Forgets what was read of config.json (and the driver made from it), so the next call reads
   * the file again (the tray after it flipped a switch); absent: nothing cached.
   */
  readonly reload?: () => void;
}
