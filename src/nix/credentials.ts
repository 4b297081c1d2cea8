/**
 * Access tokens for private modules reach Nix at fetch time only, never through flake.nix,
 * flake.lock, argv or environment values: the core feeds them on stdin to a small wrapper
 * (`withCredentialsArgv`) that keeps them in a private temp folder for the life of one nix call.
 *
 * - forges (github.com, gitlab.com, git.sr.ht): a nix.conf fragment `access-tokens = host=token`,
 *   read by nix through `NIX_USER_CONF_FILES`;
 * - any git host: a git-credential-store file, used through `GIT_CONFIG_*` variables that set
 *   `credential.helper = store --file=…` for the git processes nix spawns.
 */
import { UsageError } from "../errors.ts";

/** A token for one host (`host` may carry a port: `git.example.com:8443`). */
export interface HostToken {
  host: string;
  token: string;
  /** User name for git hosts; default `oauth2` (accepted by GitLab, GitHub, Gitea, Forgejo). */
  user?: string;
}

/** What nix needs to fetch private modules. All three strings are SECRET. */
export interface FetchCredentials {
  /** nix.conf fragment: `access-tokens = github.com=… gitlab.com=PAT:…` (forge hosts only). */
  nixConf: string;
  /** git-credential-store lines `https://user:token@host` (every host). */
  gitCredentials: string;
  /** What to feed on stdin to an argv wrapped by `withCredentialsArgv`. */
  stdin: string;
  /** The secret values, to pass as `RunOpts.secrets` so traces and errors redact them. */
  secrets: string[];
}

/** Line separating the nix.conf part from the git part on the wrapper's stdin. */
export const CREDENTIALS_SEPARATOR = "#codchi-git-credentials";

/** Splits an `--auth` value: `user:token` or just `token`. Throws a UsageError on bad input. */
export function parseAuth(value: string): { user?: string; token: string } {
  const i = value.indexOf(":");
  const user = i > 0 ? value.slice(0, i) : undefined;
  const token = i > 0 ? value.slice(i + 1) : value;
  if (token === "" || i === 0) {
    throw new UsageError(
      "The access token is empty.",
      "Pass --auth <token> or --auth <user:token>.",
    );
  }
  // deno-lint-ignore no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(value)) {
    throw new UsageError(
      "The access token or user contains whitespace or control characters.",
      "Copy the token again without spaces or line breaks.",
    );
  }
  return user === undefined ? { token } : { user, token };
}

function accessTokenEntry(t: HostToken): string | undefined {
  switch (t.host) {
    case "github.com":
    case "git.sr.ht":
      return `${t.host}=${t.token}`;
    case "gitlab.com":
      return `${t.host}=PAT:${t.token}`;
    default:
      return undefined;
  }
}

/** Credentials for `tokens` (first token per host wins), or undefined when there are none. */
export function fetchCredentials(tokens: readonly HostToken[]): FetchCredentials | undefined {
  const byHost = new Map<string, HostToken>();
  for (const t of tokens) {
    parseAuth(t.user === undefined ? t.token : `${t.user}:${t.token}`);
    if (!/^[a-z0-9.-]+(:[0-9]+)?$|^\[[0-9a-f:.]+\](:[0-9]+)?$/.test(t.host)) {
      throw new UsageError(`Invalid host ${JSON.stringify(t.host)} for an access token.`);
    }
    if (!byHost.has(t.host)) byHost.set(t.host, t);
  }
  if (byHost.size === 0) return undefined;
  const hosts = [...byHost.values()].sort((
    a,
    b,
  ) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  const entries = hosts.map(accessTokenEntry).filter((e): e is string => e !== undefined);
  const nixConf = entries.length ? `access-tokens = ${entries.join(" ")}\n` : "";
  const gitCredentials = hosts.map((t) => {
    const user = encodeURIComponent(t.user ?? "oauth2");
    return `https://${user}:${encodeURIComponent(t.token)}@${t.host}\n`;
  }).join("");
  return {
    nixConf,
    gitCredentials,
    // The comment keeps the separator off line 1, where `sed '1,/re/d'` would not see it.
    stdin: `# codchi fetch credentials\n${nixConf}${CREDENTIALS_SEPARATOR}\n${gitCredentials}`,
    secrets: [...new Set(hosts.flatMap((t) => [t.token, encodeURIComponent(t.token)]))],
  };
}

const WRAPPER = [
  "set -e",
  "umask 077",
  'd="$(mktemp -d "${TMPDIR:-/tmp}/codchi-cred.XXXXXX")"',
  "trap 'rm -rf \"$d\"' EXIT HUP INT TERM",
  'cat > "$d/in"',
  `sed -n '/^${CREDENTIALS_SEPARATOR}$/q;p' "$d/in" > "$d/nix.conf"`,
  `sed '1,/^${CREDENTIALS_SEPARATOR}$/d' "$d/in" > "$d/git-credentials"`,
  'rm -f "$d/in"',
  "set +e",
  'NIX_USER_CONF_FILES="$d/nix.conf" GIT_TERMINAL_PROMPT=0 GIT_CONFIG_COUNT=1 \\',
  '  GIT_CONFIG_KEY_0=credential.helper GIT_CONFIG_VALUE_0="store --file=$d/git-credentials" "$@"',
  "status=$?",
  'rm -rf "$d"',
  'exit "$status"',
].join("\n");

/**
 * Wraps a nix argv so it runs with the credentials fed on stdin (`FetchCredentials.stdin`):
 * they land in a private temp folder, nix reads the access tokens through `NIX_USER_CONF_FILES`,
 * the git processes nix spawns use them as `credential.helper = store`, and the folder is removed
 * when nix exits. Nothing secret is in argv or in an environment value.
 */
export function withCredentialsArgv(argv: readonly string[]): string[] {
  return ["sh", "-c", WRAPPER, "codchi-credentials", ...argv];
}
