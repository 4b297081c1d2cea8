/**
 * The argv of an exec in a machine (pure): the login wrapper, the machine user's session
 * environment, aimed at the project. Shared by the driver and `exec`'s fast path (cli/exec_fast.ts), so
 * both spawn the very same argv.
 */
import { containerName } from "../../config/names.ts";
import { execArgv, loginArgv, type LxcBinary, MACHINE_USER, sessionEnv } from "./argv.ts";

/** PATH for commands started by `exec` before the login shell sets its own (NixOS first). */
export const MACHINE_PATH =
  "/run/wrappers/bin:/run/current-system/sw/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";

/** Switches to the machine user with its supplementary groups (no PAM, no shell). */
function userSwitch(): string[] {
  const u = MACHINE_USER;
  return ["setpriv", `--reuid=${u.uid}`, `--regid=${u.gid}`, "--init-groups", "--"];
}

/** What one exec in a machine is made of. */
export interface MachineExec {
  bin: LxcBinary;
  /** Aims an argv at the daemon's project (and remote): `inProject`, or the driver's `aim`. */
  aim: (argv: string[]) => string[];
  machine: string;
  argv: string[];
  tty: boolean;
  /** As the machine user (in its session), or as root. */
  asUser: boolean;
  /** The session's login variables (GUI, sound), for the machine user. */
  sessionEnv?: Record<string, string>;
  /** Extra variables, last. */
  env?: Record<string, string>;
  cwd?: string;
}

/** The full lxc/incus argv of an exec (`argv` runs exactly, inside a login shell). */
export function machineExecArgv(x: MachineExec): string[] {
  const inner = loginArgv(x.argv);
  const env: Record<string, string> = x.asUser
    ? { ...sessionEnv(), ...x.sessionEnv, ...x.env }
    : { ...x.env };
  env.PATH ??= MACHINE_PATH;
  const command = x.asUser ? [...userSwitch(), ...inner] : inner;
  return x.aim(
    execArgv(x.bin, containerName(x.machine), command, {
      tty: x.tty,
      cwd: x.cwd ?? (x.asUser ? MACHINE_USER.home : undefined),
      env,
    }),
  );
}
