/** argv builders for wsl.exe (pure). Commands inside a distro always go through `--exec`. */
import { MACHINE_USER } from "../../contract.ts";

/** `--version`. */
export const versionArgv = (): string[] => ["--version"];

/** `--list --verbose`: every distro with its state, in one call. */
export const listArgv = (): string[] => ["--list", "--verbose"];

/** `--import <distro> <dir> <tar> --version 2`. */
export const importArgv = (distro: string, dir: string, tar: string): string[] => [
  "--import",
  distro,
  dir,
  tar,
  "--version",
  "2",
];

/** `--import-in-place <distro> <vhdx>`. */
export const importInPlaceArgv = (distro: string, vhdx: string): string[] => [
  "--import-in-place",
  distro,
  vhdx,
];

/** `--unregister <distro>`. */
export const unregisterArgv = (distro: string): string[] => ["--unregister", distro];

/** `--terminate <distro>`. */
export const terminateArgv = (distro: string): string[] => ["--terminate", distro];

/** `--shutdown`. */
export const shutdownArgv = (): string[] => ["--shutdown"];

/** `--manage <distro> --set-sparse true`. */
export const setSparseArgv = (distro: string): string[] => [
  "--manage",
  distro,
  "--set-sparse",
  "true",
];

/** `--export <distro> <file>`. */
export const exportArgv = (distro: string, file: string): string[] => ["--export", distro, file];

/**
 * `-d <distro> --user <user> [--cd <dir>] --exec argv…`. With `--exec` wsl.exe hands argv to
 * execvp unchanged; with `--` it would join it into one line for `$SHELL -c` (never used here).
 */
export function execArgv(distro: string, user: string, argv: string[], cwd?: string): string[] {
  if (argv.length === 0) throw new Error("execArgv: empty argv");
  return ["-d", distro, "--user", user, ...(cwd ? ["--cd", cwd] : []), "--exec", ...argv];
}

/** Written by `start` once the machine is ready; lives on /run, so it is gone after a stop. */
export const STARTED_MARKER = "/run/codchi-started";

/** The exit code of the session wrapper when the machine was not started by codchi. */
export const NOT_STARTED_EXIT = 222;

/**
 * Names a host file the session wrapper creates first thing (through WSLENV `/p`): its existence
 * proves that wsl.exe started the command, so a failure without it is safe to retry.
 */
export const EXEC_TOKEN_VAR = "CODCHI_EXEC_TOKEN";

/** The script of the login wrapper: optional `cd`, then `exec "$@"` (argv stays exact). */
const LOGIN_SCRIPT = 'if [ -n "$1" ]; then cd -- "$1" || exit 1; fi; shift; exec "$@"';

/**
 * The root-side check: exits NOT_STARTED_EXIT without the start marker. `$1` names variables
 * (delivered by WSLENV) handed on through `machinectl shell --setenv=`, since machinectl starts
 * a fresh environment. Names are validated by the builder; values are never re-parsed.
 */
const MARKER_CHECK = [
  `if [ -n "\${${EXEC_TOKEN_VAR}:-}" ]; then { : > "$${EXEC_TOKEN_VAR}"; } 2>/dev/null; fi`,
  `unset ${EXEC_TOKEN_VAR}`,
  `[ -e ${STARTED_MARKER} ] || exit ${NOT_STARTED_EXIT}`,
  "names=$1; shift",
  'if [ "$1" = machinectl ] && [ -n "$names" ]; then',
  "  shift 3",
  '  for n in $names; do eval "set -- \\"--setenv=$n=\\${$n}\\" \\"\\$@\\""; done',
  '  set -- machinectl shell -q "$@"',
  "fi",
  'exec "$@"',
].join("\n");

/**
 * What runs inside the machine for argv: a login shell (so /etc/profile and the env file are
 * read) that execs argv unchanged. The machine user goes through `machinectl shell` for a real
 * login session; root runs the wrapper directly.
 */
export function sessionArgv(user: "codchi" | "root", argv: string[], cwd = ""): string[] {
  const inner = ["/bin/sh", "-lc", LOGIN_SCRIPT, "codchi-exec", cwd, ...argv];
  return user === "root" ? inner : ["machinectl", "shell", "-q", `${MACHINE_USER.name}@`, ...inner];
}

/**
 * sessionArgv behind a check that the machine was started by codchi (exit NOT_STARTED_EXIT);
 * the variables named in `forward` reach the user's session as well.
 */
export function checkedSessionArgv(
  user: "codchi" | "root",
  argv: string[],
  cwd = "",
  forward: string[] = [],
): string[] {
  for (const n of forward) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new Error(`invalid variable name ${n}`);
  }
  const session = sessionArgv(user, argv, cwd);
  return ["/bin/sh", "-c", MARKER_CHECK, "codchi-check", forward.join(" "), ...session];
}

/** What `exec` runs when given no command: the user's own login shell. */
export const LOGIN_SHELL_ARGV = ["/bin/sh", "-c", 'exec "${SHELL:-/bin/sh}" -l'];

/** Shell code that writes stdin to a file atomically: `$1` path, `$2` octal mode, `$3` owner. */
export const WRITE_FILE_SCRIPT = 'umask 077; t="$1.codchi-tmp"; cat > "$t" && chmod "$2" "$t" && ' +
  '{ [ -z "$3" ] || chown "$3" "$t"; } && mv -f "$t" "$1"';

/** argv (run as root) that writes stdin to `path` with `mode` (and `owner`); content never is argv. */
export function writeFileArgv(path: string, mode: number, owner = ""): string[] {
  return ["/bin/sh", "-c", WRITE_FILE_SCRIPT, "codchi-write", path, mode.toString(8), owner];
}

/** The machine user's home inside a machine. */
export const MACHINE_HOME = MACHINE_USER.home;

/**
 * argv (run as root in the machine) that writes a tar of the home (entries `./…`) to the file
 * named by $CODCHI_TAR_FILE, through a temporary name so a failure leaves no partial tar.
 */
export function exportHomeArgv(): string[] {
  return [
    "/bin/sh",
    "-c",
    't="$CODCHI_TAR_FILE.codchi-tmp"; tar --numeric-owner -C "$1" -cf "$t" . && ' +
    'mv -f "$t" "$CODCHI_TAR_FILE" || { rm -f "$t"; exit 1; }',
    "codchi-tar",
    MACHINE_HOME,
  ];
}

/** Shell-quotes one value for a POSIX `sh` file. */
export function shQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * The non-secret variables as `NAME='value'` + `export NAME` lines, prepended to the env file: the
 * form of the secrets' lines (src/secrets/env_file.ts), which the machine's init reads before any
 * shell (e.g. CODCHI_PROFILES_DIR) and a shell sources.
 */
export function renderVars(vars: Record<string, string>): string {
  return Object.entries(vars).map(([k, v]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`invalid variable name ${k}`);
    return `${k}='${v.replaceAll("'", `'"'"'`)}'\nexport ${k}\n`;
  }).join("");
}
