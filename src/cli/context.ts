/**
 * The composition root: what every command gets (paths, config, output, the process runner) and
 * the lazy backends the core is handed (driver, secret store, host integration).
 */
import { computePaths, hostOs, type Paths } from "../config/paths.ts";
import type { GlobalConfig } from "../config/schema.ts";
import { readValidated } from "../config/trusted.ts";
import { defaultConfigQuick } from "../config/defaults.ts";
import { createDriver, diagnoseDriver, selectDriverName } from "../driver/mod.ts";
import type { Driver, DriverDiagnosis } from "../driver/types.ts";
import { ProcessRunner, type Runner } from "../process.ts";
import type { SecretStore } from "../secrets/types.ts";
import type { Host } from "../host/types.ts";
import type { Ui } from "../ui.ts";
import type { CoreContext } from "../core/context.ts";
import { TerminalPrompter } from "./prompt.ts";

/** Per-invocation state shared by the commands. */
export class Context {
  #config?: GlobalConfig;
  #paths?: Paths;
  #basePaths?: Paths;
  #driver?: Promise<Driver>;
  #secrets?: Promise<SecretStore>;
  #host?: Promise<Host>;
  readonly os: ReturnType<typeof hostOs>;
  /** Exit code a command asks for without an error (exec's child, doctor's verdict). */
  exitCode = 0;

  constructor(
    readonly env: Record<string, string>,
    readonly ui: Ui,
    readonly runner: Runner = new ProcessRunner(
      env.CODCHI_TRACE === "1" || ui.opts.level === "trace",
    ),
  ) {
    this.os = hostOs(env);
  }

  /** Forgets config.json and what was made from it (paths, driver); read again on next use. */
  reload(): void {
    this.#config = undefined;
    this.#paths = undefined;
    this.#driver = undefined;
  }

  /** Paths before config.json is read (config.json's own location never moves). */
  get basePaths(): Paths {
    this.#basePaths ??= computePaths(this.os, this.env);
    return this.#basePaths;
  }

  /** The validated global config (defaults when the file does not exist). */
  async config(): Promise<GlobalConfig> {
    if (!this.#config) {
      const base = this.basePaths;
      this.#config = await exists(base.configFile)
        ? await readValidated(base.runtimeDir, base.configFile, async () => {
          const { readJson } = await import("../config/store.ts");
          const { defaultGlobalConfig, GlobalConfigSchema } = await import("../config/schema.ts");
          return (await readJson(base.configFile, GlobalConfigSchema)) ?? defaultGlobalConfig();
        })
        : defaultConfigQuick();
    }
    return this.#config;
  }

  /** Every path, with config.json's `dataDir` applied. */
  async paths(): Promise<Paths> {
    if (!this.#paths) {
      const cfg = await this.config();
      this.#paths = cfg.dataDir === undefined
        ? this.basePaths
        : computePaths(this.os, this.env, cfg.dataDir);
    }
    return this.#paths;
  }

  /** The host driver (constructed once, on first use). */
  driver(): Promise<Driver> {
    this.#driver ??= (async () => {
      const cfg = await this.config();
      const { name } = selectDriverName(this.os, this.env, cfg.driver);
      return createDriver(name, {
        paths: await this.paths(),
        runner: this.runner,
        env: this.env,
        debug: (l) => this.ui.debug(l),
        releaseUrl: cfg.release?.url,
        lxdProject: cfg.lxd?.project,
        remote: cfg.remote,
        // A running WSL store follows the wsl-vpnkit switch at the next command.
        storeFilesKey: name === "wsl" ? `vpnkit=${cfg.windows.vpnkit ? 1 : 0}` : undefined,
        // USB devices are the host's: listed through the host port (a driver on a remote too).
        hostUsb: async () => (await (await this.host()).usbDevices?.()) ?? [],
        // The host session (display, sound) in machines: through the host port as well.
        session: async () => await (await this.host()).session?.(),
        storeFiles: async () => {
          const { hostStoreFiles } = await import("../core/store_files.ts");
          // Windows keeps its CAs in the certificate store, read through the host port.
          const host = this.os === "windows" ? await this.host() : undefined;
          const windows = host?.caBundle ? () => host.caBundle!() : undefined;
          // The wsl-vpnkit switch only for a WSL store (wsl-vpnkit changes WSL's VM network).
          const vpnkit = name === "wsl" ? cfg.windows.vpnkit : undefined;
          return hostStoreFiles(this.os, { ...cfg, vpnkit }, this.env, windows);
        },
      });
    })();
    return this.#driver;
  }

  /** `codchi doctor`'s probes of the driver this host would use (driver/mod.ts). */
  async diagnoseDriver(): Promise<DriverDiagnosis> {
    const cfg = await this.config();
    const { name } = selectDriverName(this.os, this.env, cfg.driver);
    return diagnoseDriver(name, {
      paths: await this.paths(),
      runner: this.runner,
      env: this.env,
      lxdProject: cfg.lxd?.project,
      remote: cfg.remote,
    });
  }

  /** The core's view of this invocation; `dontPrompt` turns every question off. */
  core(dontPrompt = false): CoreContext {
    const interactive = !dontPrompt && Deno.stdin.isTerminal() && Deno.stderr.isTerminal();
    const env = this.env;
    return {
      env,
      paths: () => this.paths(),
      config: () => this.config(),
      driver: () => this.driver(),
      diagnoseDriver: () => this.diagnoseDriver(),
      secrets: () => this.secrets(),
      host: () => this.host(),
      reload: () => this.reload(),
      ...(this.os === "windows"
        ? {
          guiEnv: async () => {
            const vcxsrv = (await this.config()).windows.vcxsrv.enable;
            const host = await this.host();
            return await host.guiEnv?.({ vcxsrv, warn: (l) => this.ui.warn(l) });
          },
        }
        : {}),
      reporter: this.ui,
      prompter: new TerminalPrompter(interactive, async (q) => {
        const { promptMasked } = await import("../secrets/prompt.ts");
        return promptMasked(q);
      }),
      get selfArgv() {
        return selfArgv(env);
      },
      runner: this.runner,
    };
  }

  /** The host integration for this OS (loaded and constructed once, on first use). */
  host(): Promise<Host> {
    this.#host ??= (async () => {
      const { createHost } = await import("../host/mod.ts");
      return createHost({
        paths: await this.paths(),
        env: this.env,
        reporter: this.ui,
        runner: this.runner,
      });
    })();
    return this.#host;
  }

  /** The secret store (constructed once, on first use). */
  secrets(): Promise<SecretStore> {
    this.#secrets ??= (async () => {
      const mod = await import("../secrets/mod.ts");
      return mod.selectSecretStore(this.os, this.env, await this.paths(), (m) => this.ui.warn(m));
    })();
    return this.#secrets;
  }
}

/** argv that runs this codchi: the compiled binary, or `deno run -A main.ts` from a checkout. */
export function selfArgv(env: Record<string, string>): string[] {
  if (env.CODCHI_SELF) return [env.CODCHI_SELF];
  const exe = Deno.execPath();
  const base = exe.split(/[\\/]/).pop() ?? exe;
  if (!/^deno(\.exe)?$/.test(base)) return [exe];
  const main = new URL("../../main.ts", import.meta.url);
  return [
    exe,
    "run",
    "-A",
    main.protocol === "file:" ? decodeURIComponent(main.pathname) : main.href,
  ];
}

/** Whether `path` exists (anything there, even a broken link: the reader says what is wrong). */
async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
