/**
 * Runs `driver.exec` with a terminal, for the TTY test: started by `script` (a real pty) with
 * the machine and argv in CODCHI_TTY_TEST (JSON), and the test host's HOME; exits with the
 * command's code.
 */
import { computePaths } from "../../src/config/paths.ts";
import { LxdDriver } from "../../src/driver/lxd/mod.ts";
import { ProcessRunner } from "../../src/process.ts";

const { home, machine, argv } = JSON.parse(Deno.env.get("CODCHI_TTY_TEST") ?? "{}");
const paths = computePaths("linux", { HOME: home });
const driver = new LxdDriver({ paths, runner: new ProcessRunner() });
const out = await driver.exec(machine, argv, { tty: true });
Deno.exit(out.code);
