/** Versioned zod schemas of codchi's files on disk. Unknown keys are errors, never dropped. */
import { z } from "zod";

/** Current version of config.json. */
export const CONFIG_VERSION = 1;
/** Current version of machine.json. */
export const MACHINE_VERSION = 1;

/** The global `config.json`. */
export const GlobalConfigSchema = z.strictObject({
  version: z.literal(CONFIG_VERSION),
  /** Where the store, machine homes and logs live (default: the platform data folder). */
  dataDir: z.string().min(1).optional(),
  /** Where the images come from (also `CODCHI_RELEASE_URL`): a URL or a local folder. */
  release: z.strictObject({ url: z.string().min(1) }).optional(),
  /** Force a host driver (also `CODCHI_DRIVER`). */
  driver: z.enum(["lxd", "incus", "wsl"]).optional(),
  tray: z.strictObject({ autostart: z.boolean().default(true) }).default({ autostart: true }),
  /** Hand the host's CA bundle to machines that enable `codchi.hostCertificates`. */
  hostCertificates: z.boolean().default(true),
  windows: z.strictObject({
    vcxsrv: z.strictObject({ enable: z.boolean().default(true) }).default({ enable: true }),
  }).default({ vcxsrv: { enable: true } }),
});
/** The parsed global config. */
export type GlobalConfig = z.infer<typeof GlobalConfigSchema>;

/** The default global config (what an absent config.json means). */
export function defaultGlobalConfig(): GlobalConfig {
  return GlobalConfigSchema.parse({ version: CONFIG_VERSION });
}

const refs = { ref: z.string().optional(), rev: z.string().optional() };

/** Where a module's flake comes from (never with credentials). */
export const ModuleSourceSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("forge"),
    forge: z.enum(["github", "gitlab", "sourcehut"]),
    owner: z.string(),
    repo: z.string(),
    ...refs,
  }),
  z.strictObject({ kind: z.literal("git"), host: z.string(), path: z.string(), ...refs }),
  z.strictObject({
    kind: z.literal("local"),
    path: z.string(),
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
  name: z.string(),
  /** "local" = codchi's pinned nixpkgs; otherwise the name of the module whose nixpkgs is used. */
  nixpkgsFrom: z.string().default("local"),
  modules: z.array(ModuleSchema).default([]),
  createdAt: z.string(),
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
});
/** The parsed build record. */
export type Built = z.infer<typeof BuiltSchema>;
