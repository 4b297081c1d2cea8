/**
 * The README's set-up commands (`bash scripts/setup.sh`, `bash scripts/test.sh`) as a user who is
 * not root: they run themselves again through `sudo` (a recording stand-in on PATH here), with
 * the same arguments. As root they never call sudo (CI and containers run them so, without sudo).
 */
import { deepEqual, equal } from "node:assert/strict";
import { REPO } from "../support/cli.ts";

const ignore = Deno.uid() !== 0; // needs root to switch to another user with setpriv

Deno.test(
  { name: "setup.sh and test.sh re-run themselves through sudo when not root", ignore },
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "codchi-sudo-" });
    try {
      await Deno.chmod(dir, 0o777);
      const log = `${dir}/sudo.log`;
      await Deno.writeTextFile(
        `${dir}/sudo`,
        `#!/bin/sh\nprintf '%s\\n' "$(id -u)" "$@" > ${log}\nexit 0\n`,
      );
      await Deno.chmod(`${dir}/sudo`, 0o755);
      for (const script of ["setup.sh", "test.sh"]) {
        await Deno.remove(log).catch(() => {});
        const out = await new Deno.Command("setpriv", {
          args: [
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "bash",
            `${REPO}/scripts/${script}`,
            "--no-lxd",
          ],
          env: { PATH: `${dir}:/usr/bin:/bin`, HOME: dir },
          clearEnv: true,
          stdout: "piped",
          stderr: "piped",
        }).output();
        equal(out.code, 0, new TextDecoder().decode(out.stderr));
        const lines = (await Deno.readTextFile(log)).trim().split("\n");
        deepEqual(lines, ["65534", "--", "bash", `${REPO}/scripts/${script}`, "--no-lxd"]);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
