/** A varied set of machines for the flake renderer tests (unit, parse and eval). */
import type { MachineFlakeSpec } from "../../src/nix/flake.ts";
import { parseModuleUrl } from "../../src/nix/url.ts";

const SHA = "89abcdef0123456789abcdef0123456789abcdef";
const base = {
  driver: "lxd" as const,
  system: "x86_64-linux" as const,
  driverUrl: "github:codchi-dev/codchi/v0.1.0?dir=nix",
  localRoot: "/data/machine/m",
};

/** name → spec. */
export const MACHINES: Record<string, MachineFlakeSpec> = {
  empty: { ...base, machine: "empty", modules: [] },
  several: {
    ...base,
    machine: "several",
    driver: "wsl",
    modules: [
      {
        name: "zeta",
        source: parseModuleUrl("https://github.com/acme/zeta"),
        module: "nixosModules.default",
      },
      {
        name: "app-jvm",
        source: parseModuleUrl("https://github.com/acme/app"),
        module: "nixosModules.jvm",
      },
      {
        name: "tools",
        source: parseModuleUrl("https://gitlab.com/g/sub/tools"),
        module: "codchiModules.base",
      },
    ],
  },
  remoteNixpkgs: {
    ...base,
    machine: "remote",
    system: "aarch64-linux",
    modules: [
      {
        name: "app",
        source: parseModuleUrl("https://github.com/acme/app", { branch: "main" }),
        module: "nixosModules.app",
      },
      {
        name: "extra",
        source: parseModuleUrl("sourcehut:~me/extra"),
        module: "nixosModules.extra",
      },
    ],
    nixpkgsFrom: "app",
  },
  local: {
    ...base,
    machine: "local",
    modules: [
      { name: "mine", source: parseModuleUrl("projects/my-app"), module: "nixosModules.dev" },
      {
        name: "plain",
        source: parseModuleUrl("notes", { localScheme: "path" }),
        module: "nixosModules.notes",
      },
    ],
  },
  refs: {
    ...base,
    machine: "refs",
    modules: [
      {
        name: "b",
        source: parseModuleUrl("https://github.com/a/b", { branch: "release/2.x" }),
        module: "nixosModules.b",
      },
      {
        name: "t",
        source: parseModuleUrl("https://git.example.com:8443/a/t", { tag: "v1.0" }),
        module: "nixosModules.t",
      },
      {
        name: "c",
        source: parseModuleUrl("https://git.example.com/a/c", { branch: "dev", commit: SHA }),
        module: "nixosModules.c",
      },
      {
        name: "h",
        source: parseModuleUrl("gitlab:a/h", { commit: SHA }),
        module: "nixosModules.h",
      },
    ],
  },
  unusualNames: {
    ...base,
    machine: 'we"ird ${x} \\ name',
    modules: [
      { name: "if", source: parseModuleUrl("https://github.com/a/if"), module: "nixosModules.let" },
      {
        name: "rec",
        source: parseModuleUrl("https://github.com/a/rec"),
        module: "nixosModules.x.y",
      },
      {
        name: "my.module",
        source: parseModuleUrl("https://github.com/a/m"),
        module: "nixosModules.with space",
      },
      {
        name: "9lives",
        source: parseModuleUrl("https://github.com/a/n"),
        module: "nixosModules.${evil}",
      },
      {
        name: "self",
        source: parseModuleUrl("https://github.com/a/s"),
        module: 'nixosModules."q"',
      },
      {
        name: "codchi_driver",
        source: parseModuleUrl("https://github.com/a/d"),
        module: "nixosModules.default",
      },
      {
        name: "A-b_c",
        source: parseModuleUrl("https://github.com/a/abc"),
        module: "nixosModules.a'b",
      },
    ],
    nixpkgsFrom: "my.module",
  },
};
