/**
 * Module URLs: what the user types (`https://github.com/acme/app`, `projects/app`) becomes a
 * structured `ModuleSource`, and a source becomes a flake reference. Sources never hold
 * credentials, so nothing rendered from them can leak a token (see `credentials.ts`).
 */
import { UsageError } from "../errors.ts";

/** Forges with a dedicated flake fetcher. */
export type Forge = "github" | "gitlab" | "sourcehut";

/** Which revision of a repository to use. At most one of branch/tag; commit may join a branch. */
export interface RefChoice {
  /** `--branch`: a branch name. */
  branch?: string;
  /** `--tag`: a tag name. */
  tag?: string;
  /** `--commit`: a full 40-digit commit hash. */
  commit?: string;
}

/** Where a module's flake comes from (never with credentials). */
export type ModuleSource =
  | { kind: "forge"; forge: Forge; owner: string; repo: string; ref?: string; rev?: string }
  | { kind: "git"; host: string; path: string; ref?: string; rev?: string }
  | { kind: "local"; path: string; scheme: "git" | "path"; ref?: string; rev?: string };

/** Options of `parseModuleUrl`. */
export interface ParseOptions extends RefChoice {
  /** An access token will be used for this repository: forge URLs then become `git+https`. */
  auth?: boolean;
  /** How a local module is read: `git` (default, tracked files only) or `path` (the folder). */
  localScheme?: "git" | "path";
}

/** Ref names Nix's github:/gitlab:/sourcehut: fetchers accept (others go through git+https). */
export const NIX_FORGE_REF = /^[a-zA-Z0-9@][a-zA-Z0-9_.\/@+-]*$/;

const FORGE_HOSTS: Record<string, Forge> = {
  "github.com": "github",
  "gitlab.com": "gitlab",
  "git.sr.ht": "sourcehut",
};

/** The host of each forge. */
export const FORGE_HOST: Record<Forge, string> = {
  github: "github.com",
  gitlab: "gitlab.com",
  sourcehut: "git.sr.ht",
};

const FORMS =
  "Use an https URL (https://github.com/owner/repo, https://git.example.com/team/repo), " +
  "github:owner/repo, gitlab:owner/repo, sourcehut:~user/repo, or a folder relative to the " +
  "machine's home (projects/app).";

/** `input` with any `user:token@` part masked, so refusals never echo a credential. */
function masked(input: string): string {
  return input.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/, "$1***@");
}

function refuse(input: string, why: string, hint = FORMS): never {
  throw new UsageError(`Cannot use module URL ${JSON.stringify(masked(input))}: ${why}.`, hint);
}

/** Parses what the user typed as a module location; throws a UsageError saying why on bad input. */
export function parseModuleUrl(input: string, opts: ParseOptions = {}): ModuleSource {
  const refs = parseRefs(opts);
  // deno-lint-ignore no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(input)) {
    refuse(input, "it contains whitespace or control characters");
  }
  if (input === "") refuse(input, "it is empty");
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(input)?.[1]?.toLowerCase();
  if (/^[A-Za-z]:[\\/]/.test(input)) {
    refuse(input, "it is a Windows path, not a path in the machine");
  }
  if (scheme === undefined || !input.includes(":")) {
    if (/^[^/]+@[^/]+:/.test(input)) sshRefusal(input);
    return parseLocal(input, refs, opts.localScheme ?? "git");
  }
  switch (scheme) {
    case "https":
    case "git+https":
      return parseHttps(input, refs, opts.auth === true);
    case "github":
    case "gitlab":
    case "sourcehut":
      return parseShorthand(input, scheme, refs, opts.auth === true);
    case "http":
    case "git+http":
      return refuse(input, "plain http is not accepted", "Use the https URL of the repository.");
    case "ssh":
    case "git+ssh":
    case "git":
      return sshRefusal(input);
    case "file":
    case "git+file":
    case "path":
      return refuse(
        input,
        "a file URL points into the store container, not into the machine",
        "Give a local module as a folder relative to the machine's home, e.g. projects/app.",
      );
    default:
      return refuse(input, `the scheme "${scheme}:" is not supported`);
  }
}

function sshRefusal(input: string): never {
  return refuse(
    input,
    "ssh URLs are not supported (the store has no ssh keys)",
    "Use the https URL of the repository; for a private repository pass an access token with --auth.",
  );
}

interface Refs {
  ref?: string;
  rev?: string;
  tag?: string;
}

function parseRefs(opts: RefChoice): Refs {
  const { branch, tag, commit } = opts;
  if (branch !== undefined && tag !== undefined) {
    throw new UsageError("--branch and --tag cannot be used together.", "Pick one of them.");
  }
  if (tag !== undefined && commit !== undefined) {
    throw new UsageError("--tag and --commit cannot be used together.", "Pick one of them.");
  }
  if (branch !== undefined) checkRefName("branch", branch);
  if (tag !== undefined) checkRefName("tag", tag);
  let rev: string | undefined;
  if (commit !== undefined) {
    if (!/^[0-9a-fA-F]{40}$/.test(commit)) {
      throw new UsageError(
        `Invalid commit ${JSON.stringify(commit)}: a commit must be the full 40-digit hex hash.`,
        "Copy the full hash, e.g. from `git rev-parse HEAD`.",
      );
    }
    rev = commit.toLowerCase();
  }
  return { ref: branch, tag, rev };
}

/** Why `name` is not an acceptable git branch or tag name, or undefined when it is. */
export function refNameProblem(name: string): string | undefined {
  if (name === "") return "it is empty";
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) {
    return "it contains a space, a control character or one of ~ ^ : ? * [ \\";
  }
  if (name.includes("..")) return 'it contains ".."';
  if (name.includes("@{")) return 'it contains "@{"';
  if (name.includes("//")) return 'it contains "//"';
  if (name === "@") return 'it is "@"';
  if (name.startsWith("-") || name.startsWith("/")) return 'it starts with "-" or "/"';
  if (name.endsWith("/") || name.endsWith(".") || name.endsWith(".lock")) {
    return 'it ends with "/", "." or ".lock"';
  }
  if (name.split("/").some((part) => part.startsWith("."))) return 'a part starts with "."';
  return undefined;
}

function checkRefName(what: "branch" | "tag", name: string): void {
  const problem = refNameProblem(name);
  if (problem) {
    throw new UsageError(
      `Invalid ${what} ${JSON.stringify(name)}: ${problem}.`,
      `Give the ${what} name exactly as git shows it.`,
    );
  }
}

const SEGMENT = /^[A-Za-z0-9._~@+-]+$/;

function checkSegment(input: string, seg: string, what: string): void {
  if (seg === "." || seg === "..") refuse(input, `the ${what} contains "${seg}"`);
  if (!SEGMENT.test(seg)) {
    const bad = [...new Set([...seg].filter((c) => !/[A-Za-z0-9._~@+-]/.test(c)))];
    refuse(input, `the ${what} contains ${bad.map((c) => JSON.stringify(c)).join(", ")}`);
  }
}

const HTTPS =
  /^(?:git\+)?https:\/\/(?<user>[^@/?#]*@)?(?<host>\[[0-9A-Fa-f:.]+\]|[^/:?#\[\]]+)(?::(?<port>[^/?#]*))?(?<path>\/[^?#]*)?(?<query>\?[^#]*)?(?<frag>#.*)?$/i;

function parseHttps(input: string, refs: Refs, auth: boolean): ModuleSource {
  const m = HTTPS.exec(input);
  if (!m?.groups) return refuse(input, "it is not a well-formed https URL");
  const g = m.groups;
  if (g.user !== undefined) {
    refuse(
      input,
      "it contains a user name or token, which would be written into flake.nix",
      "Remove the credentials from the URL and pass them with --auth <token> or --auth <user:token>.",
    );
  }
  if (g.query !== undefined) {
    refuse(input, "it has a query (?…)", "Use --branch, --tag or --commit to pick a revision.");
  }
  if (g.frag !== undefined) {
    refuse(
      input,
      "it has a fragment (#…)",
      "Give module paths (nixosModules.x) as separate arguments.",
    );
  }
  const host = g.host.toLowerCase();
  if (
    !/^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)$/.test(
      host,
    )
  ) {
    refuse(input, `"${g.host}" is not a valid host name`);
  }
  let port: string | undefined;
  if (g.port !== undefined) {
    if (!/^[0-9]{1,5}$/.test(g.port) || Number(g.port) < 1 || Number(g.port) > 65535) {
      refuse(input, `"${g.port}" is not a valid port`);
    }
    port = g.port === "443" ? undefined : String(Number(g.port));
  }
  const segments = (g.path ?? "").split("/").filter((s) => s !== "");
  if (segments.length === 0) refuse(input, "it names no repository");
  segments.forEach((s) => checkSegment(input, s, "path"));
  const forge = port === undefined && !auth ? FORGE_HOSTS[host] : undefined;
  if (forge) {
    const forgeSource = forgeFromSegments(input, forge, segments, refs);
    if (forgeSource) return forgeSource;
  }
  const path = "/" + segments.join("/");
  return withGitRefs({ kind: "git", host: port ? `${host}:${port}` : host, path }, refs);
}

function stripGit(repo: string): string {
  return repo.endsWith(".git") && repo.length > 4 ? repo.slice(0, -4) : repo;
}

function forgeFromSegments(
  input: string,
  forge: Forge,
  segments: string[],
  refs: Refs,
): ModuleSource | undefined {
  if (forge === "gitlab" && segments.length > 2) return undefined; // sub-groups: git+https
  if (segments.length !== 2) {
    refuse(
      input,
      `a ${FORGE_HOST[forge]} repository URL has exactly two parts after the host (owner/repo)`,
      "Use the repository's URL as shown by its clone button; pick a branch with --branch.",
    );
  }
  const [owner, rawRepo] = segments;
  if (forge === "sourcehut" && !owner.startsWith("~")) {
    refuse(input, 'a sourcehut owner starts with "~" (https://git.sr.ht/~user/repo)');
  }
  if (forge !== "sourcehut" && owner.includes("~")) refuse(input, 'the owner contains "~"');
  return forgeSource(input, forge, owner, stripGit(rawRepo), refs);
}

function forgeSource(
  input: string,
  forge: Forge,
  owner: string,
  repo: string,
  refs: Refs,
): ModuleSource {
  if ((refs.ref !== undefined || refs.tag !== undefined) && refs.rev !== undefined) {
    refuse(
      input,
      `a ${forge}: module takes either a branch or a commit, not both`,
      "Drop --branch when giving --commit.",
    );
  }
  const ref = refs.ref ?? refs.tag;
  if (ref !== undefined && !NIX_FORGE_REF.test(ref)) {
    // Nix's forge fetcher refuses this name (`fix#12`, `über`, `_wip`): plain git takes it.
    return withGitRefs({ kind: "git", host: FORGE_HOST[forge], path: `/${owner}/${repo}` }, refs);
  }
  const src: ModuleSource = { kind: "forge", forge, owner, repo };
  if (ref !== undefined) src.ref = ref;
  if (refs.rev !== undefined) src.rev = refs.rev;
  return src;
}

function withGitRefs<T extends ModuleSource>(src: T, refs: Refs): T {
  const ref = refs.tag !== undefined ? `refs/tags/${refs.tag}` : refs.ref;
  if (ref !== undefined) src.ref = ref;
  if (refs.rev !== undefined) src.rev = refs.rev;
  return src;
}

function parseShorthand(input: string, forge: Forge, refs: Refs, auth: boolean): ModuleSource {
  const rest = input.slice(forge.length + 1);
  if (/[?#]/.test(rest)) {
    refuse(
      input,
      "it has a query or fragment",
      "Use --branch, --tag or --commit to pick a revision.",
    );
  }
  const segments = rest.split("/");
  if (segments.length !== 2 || segments.some((s) => s === "")) {
    refuse(input, `a ${forge}: reference has the form ${forge}:owner/repo`);
  }
  segments.forEach((s) => checkSegment(input, s, "reference"));
  if (auth) {
    return parseHttps(`https://${FORGE_HOST[forge]}/${segments.join("/")}`, refs, true);
  }
  const found = forgeFromSegments(input, forge, segments, refs);
  return found ?? refuse(input, "it is not a repository reference");
}

function parseLocal(input: string, refs: Refs, scheme: "git" | "path"): ModuleSource {
  const hint = "A local module is a folder relative to the machine's home, e.g. projects/app.";
  const normalized = input.replaceAll("\\", "/");
  if (normalized.startsWith("~")) refuse(input, 'a local module path may not start with "~"', hint);
  if (normalized.startsWith("/")) refuse(input, "a local module path may not be absolute", hint);
  const segments = normalized.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.length === 0) {
    refuse(input, "it points at the home folder itself", "Put the module's flake in a sub-folder.");
  }
  if (segments.includes("..")) refuse(input, 'a local module path may not contain ".."', hint);
  segments.forEach((s) => checkSegment(input, s, "path"));
  return withGitRefs({ kind: "local", path: segments.join("/"), scheme }, refs);
}

/** How `flakeUrl` resolves local modules. */
export interface FlakeUrlOptions {
  /** Absolute path of the machine's home as the evaluating Nix sees it (store view, or the machine user's home). */
  localRoot: string;
}

function query(src: { ref?: string; rev?: string }, extra: [string, string][] = []): string {
  const params: [string, string][] = [...extra];
  if (src.ref !== undefined) params.push(["ref", src.ref]);
  if (src.rev !== undefined) params.push(["rev", src.rev]);
  if (params.length === 0) return "";
  const enc = (v: string) => encodeURIComponent(v).replaceAll("%2F", "/");
  return "?" + params.map(([k, v]) => `${k}=${enc(v)}`).join("&");
}

/** The flake reference of a source (`github:acme/app?ref=main`, `git+https://…`, `git+file://…`). */
export function flakeUrl(src: ModuleSource, opts: FlakeUrlOptions): string {
  switch (src.kind) {
    case "forge":
      return `${src.forge}:${src.owner}/${src.repo}${query(src)}`;
    case "git":
      return `git+https://${src.host}${src.path}${query(src)}`;
    case "local": {
      const root = opts.localRoot.replace(/\/+$/, "");
      if (!root.startsWith("/")) {
        throw new Error(`flakeUrl: localRoot must be absolute, got ${JSON.stringify(root)}`);
      }
      const scheme = src.scheme === "path" ? "path:" : "git+file://";
      return `${scheme}${root}/${src.path}${query(src)}`;
    }
  }
}

/** The https location of a remote source (`github.com/acme`-style host and path), for humans. */
export function displayUrl(src: ModuleSource): string {
  switch (src.kind) {
    case "forge":
      return `https://${FORGE_HOST[src.forge]}/${src.owner}/${src.repo}`;
    case "git":
      return `https://${src.host}${src.path}`;
    case "local":
      return src.path;
  }
}

/** The host (with port, if any) credentials for this source are looked up by; none for local. */
export function credentialHost(src: ModuleSource): string | undefined {
  switch (src.kind) {
    case "forge":
      return FORGE_HOST[src.forge];
    case "git":
      return src.host;
    case "local":
      return undefined;
  }
}

/** The last path part of a source without `.git` (the repository or folder name). */
export function repoName(src: ModuleSource): string {
  if (src.kind === "forge") return src.repo;
  return stripGit(src.path.split("/").filter((s) => s !== "").pop() ?? "module");
}

/** A module's default name, `<repo>-<attr>`, reduced to letters, digits, `-` and `_`. */
export function defaultModuleName(src: ModuleSource, attr: string): string {
  const raw = `${repoName(src)}-${attr}`;
  let name = raw.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/-+/g, "-").replace(/^[-_]+|-+$/g, "");
  if (!/^[A-Za-z]/.test(name)) name = `m-${name}`;
  return name.toLowerCase();
}
