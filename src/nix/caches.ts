/**
 * Binary caches: validation of substituter URLs and public keys (config.json `nix`, a module
 * flake's `nixConfig`), and the nix options that hand them to the store's nix-daemon. Pure.
 */

/** Substituters and the keys that sign them. */
export interface Caches {
  substituters: readonly string[];
  trustedPublicKeys: readonly string[];
}

/** No extra caches. */
export const NO_CACHES: Caches = { substituters: [], trustedPublicKeys: [] };

/** Why `url` is not a usable binary cache URL (undefined: it is). */
export function substituterProblem(url: string): string | undefined {
  // deno-lint-ignore no-control-regex
  if (/[\s\x00-\x1f\x7f"'\\]/.test(url)) {
    return "it contains whitespace, quotes or control characters";
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "it is not a URL";
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") {
    return "only https:// (or http://) binary caches are supported";
  }
  if (u.username || u.password) return "it contains credentials (use a netrc in the store instead)";
  if (u.search || u.hash) return "it has a query or fragment";
  if (!u.hostname) return "it has no host";
  return undefined;
}

/** Why `key` is not a Nix public key `name:base64` (undefined: it is). */
export function publicKeyProblem(key: string): string | undefined {
  return /^[A-Za-z0-9][A-Za-z0-9._+-]*:[A-Za-z0-9+/]{43}=$/.test(key)
    ? undefined
    : "a key looks like cache.example.org-1:<44 base64 characters>";
}

/** The union of several cache sets, in first-seen order, without duplicates. */
export function mergeCaches(...sets: Caches[]): Caches {
  const subs = new Set<string>();
  const keys = new Set<string>();
  for (const s of sets) {
    s.substituters.forEach((x) => subs.add(x));
    s.trustedPublicKeys.forEach((x) => keys.add(x));
  }
  return { substituters: [...subs], trustedPublicKeys: [...keys] };
}

/**
 * `--option substitute true --option extra-substituters … --option extra-trusted-public-keys …`
 * for a nix argv. codchi
 * runs nix as root in the store, a trusted user of its daemon, so the daemon uses them.
 */
export function cacheOptions(c: Caches): string[] {
  const out: string[] = [];
  if (c.substituters.length) {
    // Nix turns substitution off when it sees no network interface but loopback (a store that
    // reaches its caches through a proxy); configured caches are meant to be used.
    out.push("--option", "substitute", "true");
    out.push("--option", "extra-substituters", c.substituters.join(" "));
  }
  if (c.trustedPublicKeys.length) {
    out.push("--option", "extra-trusted-public-keys", c.trustedPublicKeys.join(" "));
  }
  return out;
}

/** `argv` (a nix command from argv.ts) with the caches' options after the program name. */
export function withCaches(argv: readonly string[], c: Caches): string[] {
  const opts = cacheOptions(c);
  return opts.length ? [argv[0], ...opts, ...argv.slice(1)] : [...argv];
}

/** The caches a module flake's `nixConfig` asks for (`substituters` and `extra-substituters`). */
export function nixConfigCaches(nixConfig: unknown): Caches {
  const rec = typeof nixConfig === "object" && nixConfig !== null && !Array.isArray(nixConfig)
    ? nixConfig as Record<string, unknown>
    : {};
  const list = (k: string): string[] => {
    const v = rec[k];
    if (typeof v === "string") return v.split(/\s+/).filter((s) => s !== "");
    if (Array.isArray(v)) return v.filter((s): s is string => typeof s === "string");
    return [];
  };
  return {
    substituters: [...list("substituters"), ...list("extra-substituters")],
    trustedPublicKeys: [...list("trusted-public-keys"), ...list("extra-trusted-public-keys")],
  };
}

/** What a module's caches mean for a machine: which to ask about, which are unusable. */
export interface CacheOffer {
  /** Valid substituters neither configured, nor accepted, nor declined before. */
  offer: string[];
  /** Substituters that fail validation (never offered). */
  invalid: string[];
  /** The module's valid keys (trusted along with an accepted substituter). */
  keys: string[];
}

/** Decides which of a module's substituters to offer (each is offered once per machine). */
export function cachesToOffer(
  wanted: Caches,
  known: {
    configured: readonly string[];
    accepted: readonly string[];
    declined: readonly string[];
  },
): CacheOffer {
  const seen = new Set([...known.configured, ...known.accepted, ...known.declined]);
  const offer: string[] = [];
  const invalid: string[] = [];
  for (const s of new Set(wanted.substituters)) {
    if (substituterProblem(s)) invalid.push(s);
    else if (!seen.has(s)) offer.push(s);
  }
  const keys = [...new Set(wanted.trustedPublicKeys)].filter((k) => !publicKeyProblem(k));
  return { offer, invalid, keys };
}
