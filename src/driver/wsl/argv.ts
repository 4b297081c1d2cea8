/** argv builders for wsl.exe (pure). Commands inside a distro always go through `--exec`. */
import { MACHINE_USER } from "../../contract.ts";
import { EXPORT_SHELL } from "../login_shell.ts";

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

/** `--export <distro> <file> --format vhd`: a copy of the disk made by WSL (safe while attached). */
export const exportVhdArgv = (distro: string, file: string): string[] => [
  "--export",
  distro,
  file,
  "--format",
  "vhd",
];

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

/**
 * The script of the login wrapper: creates the start token (when one reaches it, as for root),
 * optional `cd`, the user's `$SHELL` (EXPORT_SHELL), then `exec "$@"` (argv stays exact).
 */
const LOGIN_SCRIPT =
  `if [ -n "\${${EXEC_TOKEN_VAR}:-}" ]; then { : > "$${EXEC_TOKEN_VAR}"; } 2>/dev/null; ` +
  `unset ${EXEC_TOKEN_VAR}; fi; ` +
  'if [ -n "$1" ]; then cd -- "$1" || exit 1; fi; shift; ' + EXPORT_SHELL + 'exec "$@"';

/**
 * Runs inside the user's `machinectl shell` session: the command (`$3…`) with its stdio on the
 * fifos in `$1` ("pipe") or on the session's terminal ("tty"), then its exit code into `$1/rc`.
 */
const SESSION_IO = [
  "d=$1 io=$2; shift 2",
  'if [ "$io" = tty ]; then "$@"; else "$@" <"$d/in" >"$d/out" 2>"$d/err"; fi',
  'echo $? > "$d/rc"',
].join("\n");

/**
 * The root-side check: exits NOT_STARTED_EXIT without the start marker. `$1` names variables
 * (delivered by WSLENV) handed on through `machinectl shell --setenv=`, since machinectl starts
 * a fresh environment. Names are validated by the builder; values are never re-parsed.
 *
 * `machinectl shell` puts the command on a pseudo-terminal (stdout and stderr merged, CRLF line
 * ends, input echoed) and has returned 0 whatever the command's exit code (systemd issues 5042,
 * 4215, 6628). So the session's exit code and, unless `$2` is "tty", its stdio do not go through
 * machinectl: they go through fifos and a file in a private folder under /run, copied here.
 */
const MARKER_CHECK = [
  `if [ -n "\${${EXEC_TOKEN_VAR}:-}" ]; then { : > "$${EXEC_TOKEN_VAR}"; } 2>/dev/null; fi`,
  `unset ${EXEC_TOKEN_VAR}`,
  `[ -e ${STARTED_MARKER} ] || exit ${NOT_STARTED_EXIT}`,
  "names=$1 io=$2; shift 2",
  '[ "$1" = machinectl ] || exec "$@"',
  "shift 3",
  "user=$1; shift",
  "d=$(mktemp -d /run/codchi-exec.XXXXXX) || exit 1",
  `trap 'rm -rf "$d"' EXIT`,
  'chown "${user%@}" "$d" || exit 1',
  `set -- "$user" /bin/sh -c '${SESSION_IO}' codchi-io "$d" "$io" "$@"`,
  'for n in $names; do eval "set -- \\"--setenv=$n=\\${$n}\\" \\"\\$@\\""; done',
  'if [ "$io" = tty ]; then machinectl shell -q "$@"; else',
  '  mkfifo "$d/in" "$d/out" "$d/err" && chown "${user%@}" "$d/in" "$d/out" "$d/err" || exit 1',
  "  exec 4<&0",
  '  cat "$d/out" & o=$!',
  '  cat "$d/err" >&2 & e=$!',
  '  cat <&4 >"$d/in" & i=$!',
  '  machinectl shell -q "$@" </dev/null >/dev/null 2>&1',
  '  for f in in out err; do exec 3<>"$d/$f"; exec 3>&-; done', // unblocks what never opened
  '  wait "$o" "$e"',
  '  kill "$i" 2>/dev/null',
  "fi",
  '[ -s "$d/rc" ] || exit 1',
  'exit "$(cat "$d/rc")"',
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
 * the variables named in `forward` reach the user's session as well. `tty`: the user's session
 * keeps machinectl's terminal (an interactive exec); otherwise its stdio are plain pipes.
 */
export function checkedSessionArgv(
  user: "codchi" | "root",
  argv: string[],
  cwd = "",
  forward: string[] = [],
  tty = false,
): string[] {
  for (const n of forward) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new Error(`invalid variable name ${n}`);
  }
  const session = sessionArgv(user, argv, cwd);
  return [
    "/bin/sh",
    "-c",
    MARKER_CHECK,
    "codchi-check",
    forward.join(" "),
    tty ? "tty" : "pipe",
    ...session,
  ];
}

/** What `exec` runs when given no command: the user's own login shell. */
export const LOGIN_SHELL_ARGV = ["/bin/sh", "-c", 'exec "${SHELL:-/bin/sh}" -l'];

/**
 * The machine image's static busybox and its applet links (nix/container/machine/default.nix):
 * the only programs a machine has before its NixOS system is mounted — the image has no /bin,
 * so no /bin/sh, until NixOS's activation makes one.
 */
export const MACHINE_BUSYBOX = "/usr/lib/codchi/busybox";
/** The applet links' folder. */
export const MACHINE_APPLETS = "/usr/lib/codchi/bin";

/** Shell code that writes stdin to a file atomically: `$1` path, `$2` octal mode, `$3` owner. */
export const WRITE_FILE_SCRIPT = `PATH=${MACHINE_APPLETS}:$PATH; ` +
  'umask 077; t="$1.codchi-tmp"; cat > "$t" && chmod "$2" "$t" && ' +
  '{ [ -z "$3" ] || chown "$3" "$t"; } && mv -f "$t" "$1"';

/**
 * argv (run as root in a machine) that writes stdin to `path` with `mode` (and `owner`), with the
 * image's busybox (no /bin/sh needed); content never is argv.
 */
export function writeFileArgv(path: string, mode: number, owner = ""): string[] {
  return [
    MACHINE_BUSYBOX,
    "sh",
    "-c",
    WRITE_FILE_SCRIPT,
    "codchi-write",
    path,
    mode.toString(8),
    owner,
  ];
}

/** argv (run as root in a machine) that creates the start marker, with the image's busybox. */
export const markStartedArgv = (): string[] => [MACHINE_BUSYBOX, "touch", STARTED_MARKER];

/** A keep-alive that is already there (its folder on /run, gone when the distro stops) exits. */
const KEEP_ALIVE_SCRIPT =
  "mkdir /run/codchi-keepalive 2>/dev/null || exit 0; exec sleep 2147483647";

/**
 * argv (as root) of the keep-alive: a command that sleeps for as long as the distro runs. WSL
 * stops a distro 15 s after the last wsl.exe attached to it ended (general.instanceIdleTimeout),
 * daemons or not; a detached `wsl.exe -d <distro> --exec <this>` stays attached. One per boot.
 */
export function keepAliveArgv(kind: "store" | "machine"): string[] {
  return kind === "store"
    ? ["/bin/sh", "-c", KEEP_ALIVE_SCRIPT]
    : [MACHINE_BUSYBOX, "sh", "-c", `PATH=${MACHINE_APPLETS}:$PATH; ${KEEP_ALIVE_SCRIPT}`];
}

/** The machine user's home inside a machine. */
export const MACHINE_HOME = MACHINE_USER.home;

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

/**
 * Marks (on /run, gone when the distro stops) that this boot of the store has the host's files;
 * without it the store was started since they were handed in (WSL starts a distro by itself).
 */
export const STORE_FILES_MARKER = "/run/codchi-store-files";

/** The exit code of the store probe when this boot has not got the host's files yet. */
export const NO_STORE_FILES_EXIT = 97;

/**
 * Writes stdin to `$1` (mode `$2`, folder made) unless it holds the same bytes already, through a
 * private temp file and a rename; prints "changed" when it wrote. The store image has busybox at
 * /bin (nix/container/store/default.nix), so /bin/sh is there.
 */
const STORE_WRITE_SCRIPT = 'umask 022; mkdir -p "$(dirname "$1")" || exit 1; ' +
  't=$(mktemp "$1.XXXXXX") || exit 1; cat > "$t" || { rm -f "$t"; exit 1; }; ' +
  'if cmp -s "$t" "$1"; then rm -f "$t"; exit 0; fi; ' +
  'chmod "$2" "$t" && mv -f "$t" "$1" && echo changed';

/** argv (as root in the store) that writes stdin to `path` with `mode` when it differs. */
export function storeWriteFileArgv(path: string, mode: number): string[] {
  return ["/bin/sh", "-c", STORE_WRITE_SCRIPT, "codchi-store-write", path, mode.toString(8)];
}

/**
 * After the host's files changed, what the store did with them at its start is done again: its
 * set-up (the CA bundle nix and git trust) and the nix daemon restarted (it reads the proxy and
 * the caches when it starts; the store's loop starts it again), waiting at most 30 s for its new
 * socket. Then wsl-vpnkit is started or stopped to match its switch (`vpnkit.sh sync`, which
 * prints `codchi-vpnkit: …` lines), and this boot's marker is written.
 */
const STORE_APPLY_SCRIPT = [
  "marker=$1 changed=$2 socket=$3 key=$4",
  'if [ "$changed" = 1 ]; then',
  "  if [ -x /etc/codchi/setup.sh ]; then /etc/codchi/setup.sh || exit 1; fi",
  "  if pgrep -x nix-daemon >/dev/null; then",
  '    rm -f "$socket"; pkill -x nix-daemon',
  '    i=0; while [ ! -S "$socket" ]; do [ "$i" -ge 300 ] && exit 1; sleep 0.1; i=$((i+1)); done',
  "  fi",
  "fi",
  // wsl-vpnkit started or stopped to match the switch (an image without the script has none).
  "if [ -x /etc/codchi/vpnkit.sh ]; then /etc/codchi/vpnkit.sh sync || exit 1; fi",
  'printf %s "$key" > "$marker"',
].join("\n");

/**
 * argv (as root in the store) of STORE_APPLY_SCRIPT; `key` goes into the marker: the switches
 * the files were made from (storeProbeArgv hands them in again when they differ).
 */
export function storeApplyArgv(changed: boolean, socket: string, key = ""): string[] {
  return [
    "/bin/sh",
    "-c",
    STORE_APPLY_SCRIPT,
    "codchi-store-apply",
    STORE_FILES_MARKER,
    changed ? "1" : "0",
    socket,
    key,
  ];
}

/**
 * `probe` behind the check that this boot of the store has the host's files, made from the
 * switches `key` names (config.json's wsl-vpnkit switch: a change reaches a running store at the
 * next command, without reading the other inputs, e.g. the certificate store, on every call).
 */
export function storeProbeArgv(probe: string[], key = ""): string[] {
  return [
    "/bin/sh",
    "-c",
    `[ -e "$1" ] && [ "$(cat "$1")" = "$2" ] || exit ${NO_STORE_FILES_EXIT}; shift 2; exec "$@"`,
    "codchi-probe",
    STORE_FILES_MARKER,
    key,
    ...probe,
  ];
}
