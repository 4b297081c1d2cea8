/** Stored access tokens of module hosts, as credentials for nix and git in the store. */
import {
  credentialHost,
  type FetchCredentials,
  fetchCredentials,
  type HostToken,
  type ModuleSource,
  parseAuth,
} from "../nix/mod.ts";
import { TOKEN_SCOPE } from "../secrets/types.ts";
import { registerSecret } from "../process.ts";
import type { CoreContext } from "./context.ts";
import { loadMachine } from "./machines.ts";

/** Stored tokens for the hosts of `sources`, as nix/git credentials (undefined: none stored). */
export async function credentialsFor(
  ctx: CoreContext,
  sources: ModuleSource[],
): Promise<FetchCredentials | undefined> {
  const hosts = [...new Set(sources.map(credentialHost).filter((h): h is string => !!h))].sort();
  if (hosts.length === 0) return undefined;
  const store = await ctx.secrets();
  const tokens: HostToken[] = [];
  for (const host of hosts) {
    const raw = await store.get(TOKEN_SCOPE, host);
    if (raw === undefined) continue;
    const { user, token } = parseAuth(raw);
    registerSecret(token);
    tokens.push({ host, token, user });
  }
  return fetchCredentials(tokens);
}

/** Credentials for every remote module of a machine. */
export async function machineCredentials(ctx: CoreContext, machine: string) {
  const cfg = await loadMachine(await ctx.paths(), machine);
  return credentialsFor(ctx, cfg.modules.map((m) => m.source));
}
