/**
 * The host's proxy for machines (opt-in: `config.json` `"hostProxy": true`): the host's own
 * `http_proxy`/`https_proxy`/`no_proxy` (either case) written to the machine's proxy file
 * (contract `proxyFile`), which its shells and services read (nix/nixos/driver/secrets.nix).
 */
import { CONTRACT } from "../contract.ts";
import type { Driver } from "../driver/types.ts";
import { ToolError } from "../errors.ts";
import { quoteValue } from "../secrets/env_file.ts";
import type { CoreContext } from "./context.ts";

/** The variables passed on, each in both cases. */
export const PROXY_VARS = ["http_proxy", "https_proxy", "no_proxy"] as const;

/** The proxy file's text from a host environment, or undefined when no proxy is set there. */
export function renderProxyFile(env: Record<string, string | undefined>): string | undefined {
  const lines: string[] = [];
  for (const name of PROXY_VARS) {
    const value = env[name] ?? env[name.toUpperCase()];
    if (!value) continue;
    lines.push(`${name}=${quoteValue(value)}`, `${name.toUpperCase()}=${quoteValue(value)}`);
  }
  return lines.length
    ? "# codchi: the host's proxy (config.json hostProxy)\n" + lines.join("\n") + "\n"
    : undefined;
}

/** The root command that writes stdin to the proxy file (or removes it when stdin is empty). */
export const WRITE_PROXY_ARGV = [
  "sh",
  "-c",
  // A temp file of its own per run: parallel execs starting one machine never share one.
  'set -e; d="${1%/*}"; mkdir -p "$d"; t=$(mktemp "$1.XXXXXX"); cat > "$t"; ' +
  'if [ -s "$t" ]; then chmod 0644 "$t"; mv -f "$t" "$1"; else rm -f "$t" "$1"; fi',
  "codchi-host-proxy",
  CONTRACT.proxyFile,
];

/** Writes (or clears) the machine's proxy file when `hostProxy` is on. */
export async function handInHostProxy(
  ctx: CoreContext,
  driver: Driver,
  name: string,
): Promise<void> {
  if (!(await ctx.config()).hostProxy) return;
  const text = renderProxyFile(ctx.env) ?? "";
  const out = await driver.exec(name, WRITE_PROXY_ARGV, {
    user: "root",
    capture: true,
    stdin: new TextEncoder().encode(text),
  });
  if (out.code !== 0) {
    throw new ToolError(
      "sh",
      `Writing ${CONTRACT.proxyFile} in "${name}" failed`,
      out.errText,
      out.code,
    );
  }
}
