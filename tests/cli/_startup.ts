/**
 * Helpers of the start-up tests: the modules Deno really loads for a codchi run (its debug log
 * names every module it fetches or compiles), and a built machine that runs (a stand-in `lxc`
 * that logs its calls, a listening store daemon socket).
 */
import { join } from "node:path";
import { REPO, type TestHome } from "../support/cli.ts";
import { makeMachine } from "./_helpers.ts";

/**
 * Every module URL Deno loaded for `codchi <args>` (from `-L debug`), the exit code, stdout and
 * stderr without Deno's debug lines.
 */
export async function loaded(
  home: TestHome,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; modules: Set<string>; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "-L", "debug", `${REPO}/main.ts`, ...args],
    env: { ...home.env, ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const log = new TextDecoder().decode(out.stderr);
  const modules = new Set<string>();
  for (
    const m of log.matchAll(
      /FileFetcher::fetch_no_follow - specifier: (\S+)|code cache \w+ for ES module: ([^,\s]+)/g,
    )
  ) {
    modules.add(m[1] ?? m[2]);
  }
  const stderr = log.split("\n").filter((l) => !/^DEBUG |^ {2}|^\{|^\}/.test(l)).join("\n");
  return { code: out.code, modules, stdout: new TextDecoder().decode(out.stdout), stderr };
}

/**
 * A built machine `m`, the store's daemon socket (listening, as a running store's is) and a
 * stand-in `lxc` that reports codchi-m running and runs nothing (its other calls exit with
 * `$LXC_EXIT`, default 0); it logs its arguments to `<root>/lxc.calls`. Close the returned
 * listener.
 */
export async function runningMachine(
  home: TestHome,
): Promise<{ env: Record<string, string>; daemon: Deno.Listener }> {
  const sock = join(home.dataDir, "nix/var/nix/daemon-socket");
  await Deno.mkdir(sock, { recursive: true });
  const daemon = Deno.listen({ transport: "unix", path: join(sock, "socket") });
  await makeMachine(home.configDir, "m");
  await Deno.writeTextFile(
    join(home.configDir, "machines", "m", "built.json"),
    JSON.stringify({
      version: 1,
      flakeHash: "", // no flake.nix: the hash of a missing file
      lockHash: "",
      system: "/nix/store/00000000000000000000000000000000-nixos-system-m",
      builtAt: "2026-01-01T00:00:00.000Z",
    }),
  );
  const bin = join(home.root, "bin");
  await Deno.mkdir(bin);
  const list = JSON.stringify([
    { name: "codchistore", status: "Running", devices: {}, config: {} },
    { name: "codchi-m", status: "Running", devices: {}, config: {} },
  ]);
  await Deno.writeTextFile(
    join(bin, "lxc"),
    `#!/bin/sh\necho "$*" >> "${home.root}/lxc.calls"\n` +
      `if [ "$1" = --project ]; then shift 2; fi\n` +
      `if [ "$1" = list ]; then echo '${list}'; exit 0; fi\nexit "\${LXC_EXIT:-0}"\n`,
    { mode: 0o755 },
  );
  return { env: { PATH: `${bin}:${home.env.PATH}`, CODCHI_DRIVER: "lxd" }, daemon };
}
