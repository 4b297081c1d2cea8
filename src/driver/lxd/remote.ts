/**
 * Machines on a remote LXD/Incus server: the engine's own remotes (`lxc remote add`), chosen by
 * `CODCHI_LXD_REMOTE` or config.json `remote`. Pure: validation, the choice, the argv, and the
 * rewrite that points every instance, image, project and pool argument of a call at the remote.
 */
import { PrerequisiteError, UsageError } from "../../errors.ts";
import type { LxcBinary } from "./argv.ts";

/** Where the remote in use came from (doctor says it). */
export type RemoteSource = "env" | "config";

/** Why `name` cannot be a remote's name, or undefined. */
export function remoteNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) {
    return "is not a valid remote name (letters, digits, '-' and '_', starting with a letter or digit)";
  }
  if (name.length > 63) return "is longer than 63 characters";
  if (name === "local") return "names the local daemon, not a remote";
  return undefined;
}

/** Why `url` cannot be a remote server's address, or undefined (https://host[:port] only). */
export function remoteUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "is not a URL";
  }
  if (u.protocol !== "https:") return "is not an https:// URL (the engine's API is HTTPS only)";
  if (!u.hostname) return "has no host";
  if (u.username || u.password) return "carries a user name or password (give the token on stdin)";
  if ((u.pathname && u.pathname !== "/") || u.search || u.hash) {
    return "has a path, query or fragment (only https://host[:port])";
  }
  return undefined;
}

/** Throws a UsageError when the remote's name is not valid (`what` says where it came from). */
export function checkRemoteName(name: string, what = "The remote"): void {
  const problem = remoteNameProblem(name);
  if (problem) {
    throw new UsageError(
      `${what} "${name}" ${problem}.`,
      "Use letters, digits, '-' and '_' (at most 63), e.g. buildbox.",
    );
  }
}

/** Throws a UsageError when the URL is not a remote server's address. */
export function checkRemoteUrl(url: string): void {
  const problem = remoteUrlProblem(url);
  if (problem) {
    throw new UsageError(
      `The remote URL "${url}" ${problem}.`,
      "Give the server's API address, e.g. https://build.example.org:8443",
    );
  }
}

/** The remote in use and why, or undefined (the local daemon): the environment, then config.json. */
export function chooseRemote(
  i: { env?: string; config?: string },
): { name: string; source: RemoteSource } | undefined {
  const pick = i.env
    ? { name: i.env, source: "env" as const }
    : i.config
    ? { name: i.config, source: "config" as const }
    : undefined;
  if (pick) {
    checkRemoteName(
      pick.name,
      pick.source === "env" ? "The remote (CODCHI_LXD_REMOTE)" : "The remote (config.json remote)",
    );
  }
  return pick;
}

/**
 * Adds a remote and trusts this client there: the engine asks for the trust token (or, on LXD
 * 5.0, the trust password) and reads it from stdin, so it never shows in argv. The server's
 * certificate is accepted on first contact (as `lxc remote add --accept-certificate` does).
 */
export function remoteAddArgv(bin: LxcBinary, name: string, url: string): string[] {
  return [bin, "remote", "add", name, url, "--accept-certificate"];
}

/** Every remote of the client as JSON. */
export function remoteListArgv(bin: LxcBinary): string[] {
  return [bin, "remote", "list", "--format", "json"];
}

/** Removes a remote from the client (the server keeps its instances). */
export function remoteRemoveArgv(bin: LxcBinary, name: string): string[] {
  return [bin, "remote", "remove", name];
}

/** A remote as `remote list` shows it. */
export interface RemoteEntry {
  name: string;
  url: string;
  protocol: string;
  /** An image server (simplestreams/public): never a place for machines. */
  imageServer: boolean;
}

/** Parses `remote list --format json` (LXD and Incus spell the keys alike). */
export function parseRemotes(text: string): RemoteEntry[] {
  const obj = JSON.parse(text) as Record<string, Record<string, unknown>>;
  return Object.entries(obj).map(([name, r]) => ({
    name,
    url: String(r.Addr ?? r.addr ?? ""),
    protocol: String(r.Protocol ?? r.protocol ?? ""),
    imageServer: r.Public === true || r.public === true ||
      String(r.Protocol ?? r.protocol ?? "") === "simplestreams",
  })).sort((a, b) => a.name.localeCompare(b.name));
}

/** The remotes machines can run on: not the local daemon, not image servers. */
export function instanceRemotes(all: RemoteEntry[]): RemoteEntry[] {
  return all.filter((r) => !r.imageServer && r.name !== "local" && !r.url.startsWith("unix:"));
}

/** Flags of our own argv builders that take a value (their value is not an argument). */
const VALUE_FLAGS = new Set([
  "--format",
  "--mode",
  "--uid",
  "--gid",
  "--alias",
  "-c",
  "--timeout",
  "--user",
  "--group",
  "--cwd",
  "--env",
  "--type",
]);

/** The positions of the arguments (not flags) of `argv` from `from` on, up to `--`. */
function argumentsAt(argv: string[], from: number): number[] {
  const out: number[] = [];
  for (let i = from; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") break;
    if (VALUE_FLAGS.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith("-") && a !== "-") continue;
    out.push(i);
  }
  return out;
}

/**
 * `argv` (from our own builders, before `--project`) aimed at `remote`: the instance, image,
 * project or pool it names becomes `<remote>:<name>`; calls that name none get `<remote>:`.
 * Unchanged without a remote. An argv it does not know is an error, never a local call.
 */
export function onRemote(argv: string[], remote: string | undefined): string[] {
  if (!remote) return argv;
  const out = [...argv];
  const q = (i: number | undefined) => {
    if (i === undefined) throw new Error(`no argument to aim at ${remote}: ${argv.join(" ")}`);
    out[i] = `${remote}:${out[i]}`;
  };
  const [, c1, c2, c3] = argv;
  const args = (words: number) => argumentsAt(argv, 1 + words);
  switch (c1) {
    case "list":
    case "exec":
    case "start":
    case "stop":
    case "delete":
      if (c1 === "list" && args(1).length === 0) out.push(`${remote}:`);
      else q(args(1)[0]);
      return out;
    case "init":
    case "copy":
      q(args(1)[0]);
      q(args(1)[1]);
      return out;
    case "file":
      if (c2 === "push") {
        q(args(2)[1]);
        return out;
      }
      break;
    case "config":
      if (c2 === "set" || c2 === "get" || c2 === "show") {
        q(args(2)[0]);
        return out;
      }
      if (c2 === "device") {
        q(args(3)[0]);
        return out;
      }
      break;
    case "project":
      if (c2 === "show" || c2 === "create" || c2 === "delete") {
        q(args(2)[0]);
        return out;
      }
      break;
    case "image":
      if (c2 === "info" || c2 === "delete") {
        q(args(2)[0]);
        return out;
      }
      if (c2 === "alias" && c3 === "create") {
        q(args(3)[0]);
        return out;
      }
      if (c2 === "list") {
        out.push(`${remote}:`);
        return out;
      }
      if (c2 === "import") {
        const [tarball] = args(2);
        if (tarball === undefined) break;
        out.splice(tarball + 1, 0, `${remote}:`);
        return out;
      }
      break;
    case "storage":
      if (c2 === "volume" && c3 === "copy") {
        q(args(3)[0]);
        q(args(3)[1]);
        return out;
      }
      if (c2 === "volume") {
        q(args(3)[0]);
        return out;
      }
      if (c2 === "list") {
        out.push(`${remote}:`);
        return out;
      }
      break;
    case "profile":
      if (c2 === "device" && c3 === "get") {
        q(args(3)[0]);
        return out;
      }
      break;
  }
  throw new Error(`codchi does not know how to aim "${argv.join(" ")}" at the remote ${remote}`);
}

/**
 * The typed error for a failed call to `remote` whose client said it cannot reach the server or
 * is not trusted there (or the server's certificate changed); undefined for any other failure.
 */
export function remoteFailure(
  bin: LxcBinary,
  remote: string,
  errText: string,
): PrerequisiteError | undefined {
  // The client's own error lines only ("Error: …"): an exec'd command's stderr says other things.
  if (/^Error: .*Unable to connect to: /m.test(errText)) {
    return new PrerequisiteError(
      `Cannot reach the remote "${remote}" (${clientError(errText)}).`,
      `Check that the server is up and listens on the address of \`${bin} remote list\` ` +
        `(on the server: ${bin} config get core.https_address); \`codchi doctor\` checks it.`,
    );
  }
  if (
    /^Error: (not authorized\b|.*(x509: |certificate signed by unknown authority|fingerprint mismatch))/m
      .test(errText)
  ) {
    return new PrerequisiteError(
      `The remote "${remote}" does not trust this client, or its certificate changed ` +
        `(${clientError(errText)}).`,
      `On the server make a trust token (${bin} config trust add <client-name>), then add the ` +
        `remote again: ${bin} remote remove ${remote}; printf %s "$TOKEN" | codchi remote add ${remote} <url>`,
    );
  }
  return undefined;
}

/** The client's first "Error: " line, without that prefix. */
function clientError(text: string): string {
  return (/^Error: (.*)$/m.exec(text)?.[1] ?? "").trim().slice(0, 200);
}
