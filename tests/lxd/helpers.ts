/** Shared set-up of the real-LXD tests: temp host folders, a recording runner, clean-up. */
import { computePaths, type Paths } from "../../src/config/paths.ts";
import { LxdDriver, type LxdDriverOptions } from "../../src/driver/lxd/mod.ts";
import { type Output, ProcessRunner, type Runner, type RunOpts } from "../../src/process.ts";
import { ENGINE_BIN } from "../support/engine.ts";

/** Prefix of every temp HOME these tests make (how leftovers are recognised). */
export const TEST_HOME_PREFIX = "codchi-lxd-test-";

/** A runner that records every argv it spawns. */
export class RecordingRunner implements Runner {
  readonly calls: string[][] = [];
  readonly #inner = new ProcessRunner();
  get spawns(): number {
    return this.calls.length;
  }
  run(argv: string[], opts?: RunOpts): Promise<Output> {
    this.calls.push(argv);
    return this.#inner.run(argv, opts);
  }
}

/** Whether the test bed is there (images set); tests are skipped with a message otherwise. */
export function testbedReady(): boolean {
  return !!Deno.env.get("CODCHI_LXD_STORE_IMAGE") && !!Deno.env.get("CODCHI_LXD_MACHINE_IMAGE");
}

/** A fresh host (temp HOME) with its paths and a driver on it. */
export async function freshHost(
  extra: Partial<LxdDriverOptions> = {},
): Promise<{ home: string; paths: Paths; runner: RecordingRunner; driver: LxdDriver }> {
  const home = await Deno.makeTempDir({ prefix: TEST_HOME_PREFIX });
  const paths = computePaths("linux", { HOME: home });
  const runner = new RecordingRunner();
  const driver = new LxdDriver({
    paths,
    runner,
    env: Deno.env.toObject(),
    binary: ENGINE_BIN,
    ...extra,
  });
  return { home, paths, runner, driver };
}

const checks = new ProcessRunner();

/** Runs lxc directly (for checks and clean-up outside the driver). */
export async function lxc(...args: string[]): Promise<{ code: number; text: string }> {
  const out = await checks.run([ENGINE_BIN, ...args], { check: false });
  return { code: out.code, text: out.text };
}

/** Names of all containers LXD has. */
export async function containerNames(): Promise<string[]> {
  const out = await lxc("list", "--format", "json");
  return (JSON.parse(out.text) as { name: string }[]).map((c) => c.name);
}

/** Image aliases LXD has. */
export async function imageAliases(): Promise<string[]> {
  const out = await lxc("image", "list", "--format", "json");
  return (JSON.parse(out.text) as { aliases: { name: string }[] }[]).flatMap((i) =>
    i.aliases.map((a) => a.name)
  );
}

/**
 * Removes containers a previous (crashed) test run left: the store when its config mount is a
 * test HOME, and machines named `t-…`. Refuses to touch a store that is not a test's.
 */
export async function removeLeftovers(): Promise<void> {
  const names = await containerNames();
  if (names.includes("codchistore")) {
    const src = (await lxc("config", "device", "get", "codchistore", "codchi-config", "source"))
      .text.trim();
    if (!src.includes(`/${TEST_HOME_PREFIX}`)) {
      throw new Error(
        `A codchistore that is not a test's exists (config at ${src}); the LXD tests need the ` +
          `test bed to themselves.`,
      );
    }
    await lxc("delete", "--force", "codchistore");
  }
  for (const n of names.filter((n) => n.startsWith("codchi-t-"))) await lxc("delete", "--force", n);
}

/** Deletes the test's containers and its temp HOME. */
export async function cleanUp(home: string, machines: string[]): Promise<void> {
  for (const m of machines) await lxc("delete", "--force", `codchi-${m}`);
  await lxc("delete", "--force", "codchistore");
  await Deno.remove(home, { recursive: true }).catch(() => {});
}

/** The machine flake the store builds: the test driver flake with the given module text. */
export function machineFlake(driverFlake: string, moduleText: string): string {
  return `{
  inputs.codchi_driver.url = "${driverFlake}";
  outputs = { self, codchi_driver }: {
    nixosConfigurations.default = codchi_driver.lib.codeMachine {
      driver = "lxd";
      system = "x86_64-linux";
      nixpkgs = null;
      modules = [ (${moduleText}) ];
    };
  };
}
`;
}
