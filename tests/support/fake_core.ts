/**
 * A CoreContext for unit tests: a temporary host (its own HOME and XDG folders), the fake driver,
 * an in-memory secret store, a reporter that records, and a prompter that answers from a script.
 */
import { computePaths, type Paths } from "../../src/config/paths.ts";
import type { GlobalConfig } from "../../src/config/schema.ts";
import { defaultConfigQuick } from "../../src/config/defaults.ts";
import type { CoreContext, Prompter } from "../../src/core/context.ts";
import type { Reporter } from "../../src/driver/types.ts";
import { MemorySecretStore } from "../../src/secrets/memory_store.ts";
import { createHost } from "../../src/host/mod.ts";
import { ProcessRunner } from "../../src/process.ts";
import { FakeDriver, type FakeDriverOptions } from "./fake_driver.ts";

/** A reporter that keeps what it was told. */
export class RecordingReporter implements Reporter {
  readonly steps: string[] = [];
  readonly warnings: string[] = [];
  step(message: string): void {
    this.steps.push(message);
  }
  progress(): void {}
  debug(): void {}
  warn(message: string): void {
    this.warnings.push(message);
  }
}

/** Answers questions from lists; a question with no answer left fails the test. */
export class ScriptedPrompter implements Prompter {
  readonly asked: string[] = [];
  constructor(
    readonly interactive = false,
    readonly answers: { confirm?: boolean[]; choose?: (string | undefined)[]; secret?: string[] } =
      {},
  ) {}
  confirm(q: string): Promise<boolean> {
    this.asked.push(q);
    const a = this.answers.confirm?.shift();
    if (a === undefined) throw new Error(`unexpected confirm: ${q}`);
    return Promise.resolve(a);
  }
  choose(q: string, _choices: string[]): Promise<string | undefined> {
    this.asked.push(q);
    return Promise.resolve(this.answers.choose?.shift());
  }
  secret(q: string): Promise<string> {
    this.asked.push(q);
    const a = this.answers.secret?.shift();
    if (a === undefined) throw new Error(`unexpected secret question: ${q}`);
    return Promise.resolve(a);
  }
}

/** Everything a core test touches. */
export interface FakeHost extends AsyncDisposable {
  root: string;
  paths: Paths;
  ctx: CoreContext;
  driver: FakeDriver;
  secrets: MemorySecretStore;
  reporter: RecordingReporter;
  prompter: ScriptedPrompter;
  config: GlobalConfig;
  /** Every file below the temporary root, relative and sorted (to prove nothing was left). */
  files(under?: string): Promise<string[]>;
}

/** Options of `fakeHost`. */
export interface FakeHostOptions {
  driver?: FakeDriverOptions;
  env?: Record<string, string>;
  prompter?: ScriptedPrompter;
  config?: Partial<GlobalConfig>;
}

/** A fresh temporary host with the fake driver; `await using` removes it. */
export async function fakeHost(opts: FakeHostOptions = {}): Promise<FakeHost> {
  const root = await Deno.makeTempDir({ prefix: "codchi-fake-" });
  const env: Record<string, string> = {
    HOME: root,
    XDG_CONFIG_HOME: `${root}/config`,
    XDG_DATA_HOME: `${root}/data`,
    XDG_CACHE_HOME: `${root}/cache`,
    XDG_RUNTIME_DIR: `${root}/run`,
    // A URL: the driver flake is not copied (a folder would be, see core/flake.ts).
    CODCHI_DRIVER_FLAKE: "github:codchi-dev/codchi/v0.0.0?dir=nix",
    ...opts.env,
  };
  const paths = computePaths("linux", env);
  const driver = new FakeDriver(paths, opts.driver);
  const secrets = new MemorySecretStore();
  const reporter = new RecordingReporter();
  const prompter = opts.prompter ?? new ScriptedPrompter();
  const config: GlobalConfig = {
    ...defaultConfigQuick(),
    hostCertificates: false,
    tray: { autostart: false },
    ...opts.config,
  };
  const host = createHost({ paths, env, reporter, runner: new ProcessRunner(false) });
  const ctx: CoreContext = {
    env,
    paths: () => Promise.resolve(paths),
    config: () => Promise.resolve(config),
    driver: () => Promise.resolve(driver),
    diagnoseDriver: () => {
      driver.calls.push("diagnose");
      return Promise.resolve(driver.diagnosis);
    },
    secrets: () => Promise.resolve(secrets),
    // The real Linux host integration, on the temporary XDG folders.
    host: () => Promise.resolve(host),
    reporter,
    prompter,
    selfArgv: ["/opt/codchi/bin/codchi"],
    // The fake driver's runner, so its spawn count includes the host commands the core runs.
    runner: driver.runner,
  };
  const files = async (under = root) => {
    const out: string[] = [];
    const walk = async (d: string) => {
      for await (const e of Deno.readDir(d)) {
        const p = `${d}/${e.name}`;
        if (e.isDirectory) await walk(p);
        else out.push(p.slice(under.length + 1));
      }
    };
    await walk(under).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
    return out.sort();
  };
  return {
    root,
    paths,
    ctx,
    driver,
    secrets,
    reporter,
    prompter,
    config,
    files,
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }).catch(() => {}),
  };
}
