/**
 * `codchi remote add|list|remove`: the LXD/Incus client's own remotes (machines on a remote
 * server). The trust token (or LXD 5.0's trust password) travels on the client's stdin only.
 */
import { ConflictError, NotFoundError, UsageError } from "../../errors.ts";
import { type Runner, toolError } from "../../process.ts";
import type { LxcBinary } from "./argv.ts";
import {
  checkRemoteName,
  checkRemoteUrl,
  instanceRemotes,
  parseRemotes,
  remoteAddArgv,
  type RemoteEntry,
  remoteListArgv,
  remoteRemoveArgv,
} from "./remote.ts";

/** What the remote commands need. */
export interface RemoteDeps {
  runner: Runner;
  bin: LxcBinary;
  /** The remote config.json (or CODCHI_LXD_REMOTE) names, if any. */
  inUse?: string;
}

/** The client's remotes machines can run on, with the one in use marked. */
export async function listRemotes(
  d: RemoteDeps,
): Promise<(RemoteEntry & { inUse: boolean })[]> {
  const argv = remoteListArgv(d.bin);
  const out = await d.runner.run(argv, { check: false });
  if (out.code !== 0) throw toolError(argv, out);
  return instanceRemotes(parseRemotes(out.text)).map((r) => ({ ...r, inUse: r.name === d.inUse }));
}

/**
 * Adds the remote `name` at `url` and trusts this client there with `token` (read by the
 * caller from stdin or a masked prompt). Name, URL and token are checked before anything runs.
 */
export async function addRemote(
  d: RemoteDeps,
  name: string,
  url: string,
  readToken: () => Promise<string>,
): Promise<RemoteEntry> {
  checkRemoteName(name);
  checkRemoteUrl(url);
  const argvList = remoteListArgv(d.bin);
  const listed = await d.runner.run(argvList, { check: false });
  if (listed.code !== 0) throw toolError(argvList, listed);
  if (parseRemotes(listed.text).some((r) => r.name === name)) {
    throw new ConflictError(
      `The ${d.bin} client already has a remote named "${name}".`,
      `Choose another name, or remove it first: codchi remote remove ${name}`,
    );
  }
  const token = (await readToken()).trim();
  if (!token) {
    throw new UsageError(
      "No trust token was given.",
      `Make one on the server (\`${d.bin} config trust add <client-name>\`) and pipe it in: ` +
        `printf %s "$TOKEN" | codchi remote add ${name} ${url}`,
    );
  }
  if (/[\r\n]/.test(token)) {
    throw new UsageError("The trust token spans several lines; give exactly one line.");
  }
  const argv = remoteAddArgv(d.bin, name, url);
  const out = await d.runner.run(argv, {
    stdin: new TextEncoder().encode(`${token}\n`),
    check: false,
    secrets: [token],
    timeoutMs: 60_000,
  });
  if (out.code !== 0) throw toolError(argv, out, [token]);
  const added = parseRemotes((await d.runner.run(argvList)).text).find((r) => r.name === name);
  if (!added) {
    throw new NotFoundError(`The remote "${name}" was not added (${d.bin} said nothing).`);
  }
  return added;
}

/** Removes the remote `name` from the client (the server and its instances stay). */
export async function removeRemote(d: RemoteDeps, name: string): Promise<void> {
  checkRemoteName(name);
  if (d.inUse === name) {
    throw new ConflictError(
      `The remote "${name}" is the one codchi uses (config.json remote or CODCHI_LXD_REMOTE).`,
      "Remove `remote` from config.json first (your machines there stay on the server).",
    );
  }
  const known = await listRemotes(d);
  if (!known.some((r) => r.name === name)) {
    throw new NotFoundError(
      `There is no remote "${name}".`,
      "See the remotes with: codchi remote list",
    );
  }
  const argv = remoteRemoveArgv(d.bin, name);
  const out = await d.runner.run(argv, { check: false });
  if (out.code !== 0) throw toolError(argv, out);
}
