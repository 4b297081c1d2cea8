/** Versioned zod schemas of codchi's files on disk. Unknown keys are errors, never dropped. */
import { posix, win32 } from "node:path";
import { z } from "zod";
import { machineNameProblem } from "./names.ts";
import { NIX_FORGE_REF } from "../nix/url.ts";
import { publicKeyProblem, substituterProblem } from "../nix/caches.ts";

/** A binary cache URL (https/http, no credentials, no query). */
const SUBSTITUTER = z.string().superRefine((u, c) => {
  const why = substituterProblem(u);
  if (why) c.addIssue({ code: "custom", message: `is not a binary cache URL: ${why}` });
});
/** A Nix public key `name:base64`. */
const PUBLIC_KEY = z.string().superRefine((k, c) => {
  const why = publicKeyProblem(k);
  if (why) c.addIssue({ code: "custom", message: `is not a public key: ${why}` });
});

/** Default minutes without progress after which a nix command in the store is ended. */
export const DEFAULT_STALL_MINUTES = 30;

/** Current version of config.json. */
export const CONFIG_VERSION = 1;
/** Current version of machine.json. */
export const MACHINE_VERSION = 1;

/** The global `config.json`. */
export const GlobalConfigSchema = z.strictObject({
  version: z.literal(CONFIG_VERSION).default(CONFIG_VERSION),
  /** Where the store, machine homes and logs live (default: the platform data folder). */
  dataDir: z.string().min(1).refine(isAbsoluteAnyOs, {
    message: "must be an absolute path (a relative one would depend on the current folder)",
  }).refine((p) => !hasControl(p), { message: "must not contain control characters" })
    .optional(),
  /** Where the images come from (also `CODCHI_RELEASE_URL`): a URL or a local folder. */
  release: z.strictObject({ url: z.string().min(1) }).optional(),
  /** Force a host driver (also `CODCHI_DRIVER`). */
  driver: z.enum(["lxd", "incus", "wsl"]).optional(),
  /** LXD/Incus: the project of this data folder (also `CODCHI_LXD_PROJECT`; default: its own). */
  lxd: z.strictObject({ project: z.string().min(1).optional() }).optional(),
  /** LXD/Incus: the remote server machines run on (`codchi remote add`; also `CODCHI_LXD_REMOTE`). */
  remote: z.string().min(1).optional(),
  tray: z.strictObject({ autostart: z.boolean().default(true) }).default({ autostart: true }),
  /** Hand the host's CA bundle to machines that enable `codchi.hostCertificates`. */
  hostCertificates: z.boolean().default(true),
  /** Pass the host's http_proxy/https_proxy/no_proxy on to machines (opt-in). */
  hostProxy: z.boolean().default(false),
  windows: z.strictObject({
    vcxsrv: z.strictObject({ enable: z.boolean().default(true) }).default({ enable: true }),
    /**
     * Run wsl-vpnkit in the store: the network of WSL's VM goes through Windows' own stack
     * (for VPNs that cut WSL off). Off by default.
     */
    vpnkit: z.boolean().default(false),
  }).default({ vcxsrv: { enable: true }, vpnkit: false }),
  /** The store's nix: team binary caches and the stall watchdog. */
  nix: z.strictObject({
    /** Extra binary caches for every build (a team's cache). */
    substituters: z.array(SUBSTITUTER).default([]),
    /** Keys that sign them (`name:base64`). */
    trustedPublicKeys: z.array(PUBLIC_KEY).default([]),
    /** A nix command in the store with no progress for this many minutes is ended. */
    stallMinutes: z.number().int().min(1).max(24 * 60).default(DEFAULT_STALL_MINUTES),
  }).default({ substituters: [], trustedPublicKeys: [], stallMinutes: DEFAULT_STALL_MINUTES }),
});
/** The parsed global config. */
export type GlobalConfig = z.infer<typeof GlobalConfigSchema>;

/** The default global config (what an absent config.json means). */
export function defaultGlobalConfig(): GlobalConfig {
  return GlobalConfigSchema.parse({ version: CONFIG_VERSION });
}

/** True for `/x` and `C:\\x` (config.json is shared by both OS's path rules). */
function isAbsoluteAnyOs(p: string): boolean {
  return posix.isAbsolute(p) || /^[A-Za-z]:[\\/]/.test(p) ||
    win32.isAbsolute(p) && p.startsWith("\\\\");
}

function hasControl(s: string): boolean {
  // deno-lint-ignore no-control-regex
  return /[\x00-\x1f\x7f]/.test(s);
}

/** A single path segment of a URL or a folder: no `.`/`..`, no separators, no odd characters. */
const SEGMENT = /^(?!\.\.?$)[A-Za-z0-9._~@+-]+$/;
/** A relative path below a root: segments as above, never `..`, never absolute. */
const RELATIVE = z.string().refine(
  (p) => p.split("/").every((s) => SEGMENT.test(s)),
  { message: "must be a relative path below the machine's home (no '..', no leading '/')" },
);
/** git's rules for a ref name (stored as written; Nix's forge rule is applied on forge sources). */
const GIT_REF = z.string().refine((r) => gitRefOk(r), { message: "is not a valid git ref name" });
/** A full commit hash. */
const REV = z.string().regex(/^[0-9a-f]{40}$/, { message: "must be a 40-digit hex commit" });

function gitRefOk(r: string): boolean {
  // deno-lint-ignore no-control-regex
  return r !== "" && !/[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|\/\//.test(r) &&
    !/^[-/]|[/.]$|\.lock$/.test(r);
}

const refs = { ref: GIT_REF.optional(), rev: REV.optional() };

/** Where a module's flake comes from (never with credentials). */
export const ModuleSourceSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("forge"),
    forge: z.enum(["github", "gitlab", "sourcehut"]),
    owner: z.string().regex(SEGMENT),
    repo: z.string().regex(SEGMENT),
    ref: z.string().regex(NIX_FORGE_REF, {
      message: "is not a ref name Nix's forge fetchers accept",
    }).refine(gitRefOk, { message: "is not a valid git ref name" }).optional(),
    rev: REV.optional(),
  }),
  z.strictObject({
    kind: z.literal("git"),
    host: z.string().regex(/^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?)(:[0-9]{1,5})?$/, {
      message: "is not a host name",
    }),
    path: z.string().refine((p) => p.startsWith("/") && RELATIVE.safeParse(p.slice(1)).success, {
      message: "must be an absolute URL path without '..'",
    }),
    ...refs,
  }),
  z.strictObject({
    kind: z.literal("local"),
    path: RELATIVE,
    scheme: z.enum(["git", "path"]),
    ...refs,
  }),
]);

/** One module of a machine. */
export const ModuleSchema = z.strictObject({
  /** Name of the flake input in the machine's flake.nix. */
  name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_-]*$/),
  /** Where its flake is. */
  source: ModuleSourceSchema,
  /** `nixosModules.<x>` or `codchiModules.<x>`. */
  modulePath: z.string().regex(/^(nixosModules|codchiModules)\.[^.]+$/),
});
/** A module of a machine. */
export type Module = z.infer<typeof ModuleSchema>;

/** `machines/<name>/machine.json`. Holds no secrets. */
export const MachineConfigSchema = z.strictObject({
  version: z.literal(MACHINE_VERSION),
  name: z.string().refine((n) => !machineNameProblem(n), {
    message: "is not a valid machine name",
  }),
  /** "local" = codchi's pinned nixpkgs; otherwise the name of the module whose nixpkgs is used. */
  nixpkgsFrom: z.string().default("local"),
  modules: z.array(ModuleSchema).default([]),
  createdAt: z.string(),
  /**
   * Binary caches a module flake's `nixConfig` offered: the accepted ones are used for this
   * machine's builds; the declined ones are not offered again.
   */
  caches: z.strictObject({
    accepted: z.array(SUBSTITUTER).default([]),
    trustedPublicKeys: z.array(PUBLIC_KEY).default([]),
    declined: z.array(z.string()).default([]),
  }).optional(),
  /** USB devices (`vvvv:pppp`) handed to the machine at every start (`codchi usb attach`). */
  usb: z.array(z.string().regex(/^[0-9a-f]{4}:[0-9a-f]{4}$/, "is not a vvvv:pppp USB id"))
    .optional(),
});
/** The parsed machine config. */
export type MachineConfig = z.infer<typeof MachineConfigSchema>;

/** `machines/<name>/built.json`: what was last built, so `status` needs no process. */
export const BuiltSchema = z.strictObject({
  version: z.literal(1),
  /** SHA-256 of flake.nix at the last build. */
  flakeHash: z.string(),
  /** SHA-256 of flake.lock at the last build. */
  lockHash: z.string(),
  /** The system store path the profile points at. */
  system: z.string(),
  builtAt: z.string(),
  /** The driver flake it was built with (`sha256:<tree>` or `url:<flake>`); absent: unknown. */
  driver: z.string().optional(),
});
/** The parsed build record. */
export type Built = z.infer<typeof BuiltSchema>;
