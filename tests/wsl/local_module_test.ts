/**
 * A build with a local module on WSL (issue 15 item 9), through the real CLI on the wsl.exe
 * simulator with the "nix" images: the store sees a machine's home only while the machine runs
 * (its init shares it under /mnt/wsl), so `rebuild` of a stopped machine starts it first and it
 * stays up through the build — under a short idle timer that stops any distro no wsl.exe is
 * attached to — and the build reads the module from the home.
 */
import { equal, ok as assert } from "node:assert/strict";
import { NIX_PATHS } from "../../src/contract.ts";
import { CAN_RUN, execIn, NIX_IMAGES, ok, simHome, statusOf } from "./cli_sim.ts";

const opts = { ignore: !CAN_RUN, sanitizeResources: false, sanitizeOps: false };
if (!CAN_RUN) {
  console.error(`wsl local module ignored (needs root and images): ${NIX_IMAGES.missing}`);
}

/** The module's flake as the store sees it (the share of the machine's home under /mnt/wsl). */
const SHARED_MODULE = "/mnt/wsl/codchi/machines/lm/home/mod/flake.nix";

/** The flake of a local module whose system carries `mark` (the driver's init-script file). */
const moduleFlake = (mark: string) =>
  `{\n  outputs = { self }: {\n    nixosModules.x = { codchi.initScript = "${mark}"; };\n  };\n}\n`;

/** Runs `script` as the machine user in its home (a committed git checkout of ~/mod). */
async function inHome(home: Awaited<ReturnType<typeof simHome>>, m: string, script: string) {
  const res = await execIn(home, m, ["sh", "-c", `cd ~ && ${script}`]);
  equal(res.code, 0, res.stderr);
  return res.stdout;
}

/** The simulator's registry entry of a distro. */
async function distro(state: string, name: string) {
  const reg = JSON.parse(await Deno.readTextFile(`${state}/registry.json`));
  return reg.distros.find((d: { name: string }) => d.name === name) as {
    state: string;
    bootedAt?: number;
  };
}

Deno.test(
  { name: "wsl cli: rebuild with a local module starts the machine", ...opts },
  async () => {
    // Distros stop 2 s after the last wsl.exe attached to them ended (WSL: 15 s).
    const home = await simHome({ WSL_SIM_IDLE_MS: "2000" });
    const M = "lm";
    try {
      await ok(home, ["init", M]);
      const git = "git -c user.name=t -c user.email=t@codchi.invalid";
      await inHome(
        home,
        M,
        `mkdir -p mod && cd mod && printf '%s' '${moduleFlake("local-one")}' > flake.nix && ` +
          `${git} init -q && ${git} add -A && ${git} commit -qm one`,
      );
      await ok(home, ["module", "add", "-N", M, "mod", "nixosModules.x"]);
      // The path scheme: Debian's nix 2.8 in the test store cannot run git for a git+file input in
      // the simulator (its distros are chroots, and nix 2.8 re-enters its mount namespace before
      // running git, which resets the root; a real WSL distro has its own root).
      const cfgFile = `${home.configDir}/machines/${M}/machine.json`;
      const cfg = JSON.parse(await Deno.readTextFile(cfgFile));
      equal(cfg.modules[0].source.kind, "local");
      cfg.modules[0].source.scheme = "path";
      await Deno.writeTextFile(cfgFile, JSON.stringify(cfg, null, 2));
      // WSL's VM stopped (idle, or a reboot): the store, started again, cannot see the module.
      equal((await home.wsl("--shutdown")).code, 0);
      equal((await statusOf(home))[M].running, false);
      const seen = await home.run(["store", "debug", "--", "test", "-e", SHARED_MODULE]);
      equal(seen.code, 1, "the store does not see the home of a stopped machine");
      const before = Date.now();
      const res = await ok(home, ["rebuild", M]);
      assert(res.stderr.includes("the store reads its local modules"), res.stderr);
      // Started once, by this rebuild, and still running: no idle stop (nor a second boot) during
      // the build, else its switch in the machine would have failed.
      const d = await distro(home.state, `codchi-${M}`);
      equal(d.state, "Running");
      assert((d.bootedAt ?? 0) >= before, "booted by the rebuild");
      const mark = await execIn(home, M, ["cat", `${NIX_PATHS.systemProfile}/codchi/init-script`]);
      equal(mark.stdout.trim(), "local-one", "the build read the module from the home");
      equal((await distro(home.state, `codchi-${M}`)).bootedAt, d.bootedAt);

      // An edit made in the machine, the VM stopped again: the next rebuild builds it.
      await inHome(
        home,
        M,
        `cd mod && printf '%s' '${moduleFlake("local-two")}' > flake.nix && ${git} commit -qam two`,
      );
      equal((await home.wsl("--shutdown")).code, 0);
      await ok(home, ["rebuild", M]);
      const two = await execIn(home, M, ["cat", `${NIX_PATHS.systemProfile}/codchi/init-script`]);
      equal(two.stdout.trim(), "local-two");
    } finally {
      await home.dispose();
    }
  },
);
