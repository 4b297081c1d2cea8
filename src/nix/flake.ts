/**
 * The flake.nix files codchi writes: one per machine (driver lxd/wsl), and the standalone flake of
 * `codchi tar` (driver none). Output is deterministic: same spec, same bytes.
 */
import { UsageError } from "../errors.ts";
import { nixAttr, nixAttrPath, nixString } from "./nix_syntax.ts";
import { flakeUrl, type ModuleSource } from "./url.ts";
import { MACHINE_USER } from "../contract.ts";

/** Drivers `lib.codeMachine` knows. */
export type FlakeDriver = "lxd" | "wsl" | "none";
/** Systems codchi builds for. */
export type NixSystem = "x86_64-linux" | "aarch64-linux";

/** One module of a machine. */
export interface FlakeModule {
  /** The module's name in codchi (`codchi module ls`); its flake input name derives from it. */
  name: string;
  /** Where the module's flake is. */
  source: ModuleSource;
  /** Output attribute holding the module, as typed by the user: `nixosModules.jvm`. */
  module: string;
}

/** Everything a machine flake depends on. */
export interface MachineFlakeSpec {
  /** Machine name (only used in the description). */
  machine: string;
  driver: FlakeDriver;
  system: NixSystem;
  /** Flake reference of codchi's own flake (`github:…?dir=nix`, or a path in development). */
  driverUrl: string;
  modules: readonly FlakeModule[];
  /**
   * Name of the module whose flake's own `nixpkgs` is used (`--use-nixpkgs remote`); undefined:
   * codchi's pinned one, which every module input then follows.
   */
  nixpkgsFrom?: string;
  /** The machine's home as the evaluating Nix sees it (for local modules). */
  localRoot: string;
}

/** Input name of codchi's own flake in every machine flake. */
export const DRIVER_INPUT = "codchi_driver";
const RESERVED_INPUTS = new Set(["self", DRIVER_INPUT]);

/** Output attributes a module may live under. */
export const MODULE_OUTPUTS = ["nixosModules", "codchiModules"] as const;

/** Splits `nixosModules.jvm` into [output, name]; a bare `jvm` means `nixosModules.jvm`. */
export function parseModulePath(path: string): [string, string] {
  const hint = "A module path looks like nixosModules.<name> (or codchiModules.<name>).";
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(path)) {
    throw new UsageError(`Invalid module path ${JSON.stringify(path)}: bad characters.`, hint);
  }
  for (const out of MODULE_OUTPUTS) {
    if (path.startsWith(out + ".")) {
      const name = path.slice(out.length + 1);
      if (name === "") break;
      return [out, name];
    }
  }
  if (path === "" || (MODULE_OUTPUTS as readonly string[]).includes(path.split(".")[0])) {
    throw new UsageError(`Invalid module path ${JSON.stringify(path)}: no module name.`, hint);
  }
  return ["nixosModules", path];
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/**
 * The flake input name of a module. Nix only follows and updates inputs named
 * `[a-zA-Z][a-zA-Z0-9_-]*`, so other names are mapped (with a hash of the original, so distinct
 * module names never share an input).
 */
export function inputName(moduleName: string): string {
  if (/^[a-zA-Z][a-zA-Z0-9_-]*$/.test(moduleName) && !RESERVED_INPUTS.has(moduleName)) {
    return moduleName;
  }
  let s = moduleName.replace(/[^a-zA-Z0-9_-]/g, "_");
  if (!/^[a-zA-Z]/.test(s)) s = `m_${s}`;
  return `${s.slice(0, 40)}_${fnv1a(moduleName)}`;
}

function checkUrl(what: string, url: string): void {
  // deno-lint-ignore no-control-regex
  if (/[\s\x00-\x1f\x7f"]/.test(url) || /^[a-z+]+:\/\/[^/?#]*@/i.test(url)) {
    throw new UsageError(
      `Refusing to write ${what} URL ${JSON.stringify(url.replace(/\/\/[^/]*@/, "//***@"))}: ` +
        "it contains whitespace, quotes or credentials.",
    );
  }
}

interface Prepared {
  input: string;
  module: FlakeModule;
  url: string;
  attr: [string, string];
}

function prepare(spec: MachineFlakeSpec): Prepared[] {
  checkUrl("the codchi driver", spec.driverUrl);
  const seen = new Map<string, string>();
  const out = [...spec.modules].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((module) => {
      if (module.name === "") throw new UsageError("A module has an empty name.");
      const input = inputName(module.name);
      const other = seen.get(input);
      if (other !== undefined) {
        throw new UsageError(
          `The modules ${JSON.stringify(other)} and ${JSON.stringify(module.name)} clash.`,
          "Rename one of them with `codchi module set <machine> <module> --new-name <name>`.",
        );
      }
      seen.set(input, module.name);
      const url = flakeUrl(module.source, { localRoot: spec.localRoot });
      checkUrl(`module ${module.name}`, url);
      return { input, module, url, attr: parseModulePath(module.module) };
    });
  if (spec.nixpkgsFrom !== undefined && !spec.modules.some((m) => m.name === spec.nixpkgsFrom)) {
    throw new UsageError(
      `nixpkgs is taken from the module ${JSON.stringify(spec.nixpkgsFrom)}, which the machine ` +
        "does not have.",
      "Use --use-nixpkgs local, or add that module first.",
    );
  }
  return out;
}

function render(spec: MachineFlakeSpec, standalone: boolean): string {
  const mods = prepare(spec);
  const from = spec.nixpkgsFrom === undefined ? undefined : inputName(spec.nixpkgsFrom);
  const follows = from === undefined ? `${DRIVER_INPUT}/nixpkgs` : `${from}/nixpkgs`;
  const lines: string[] = [];
  const header = standalone
    ? [
      `# The NixOS configuration of the codchi machine ${JSON.stringify(spec.machine)}, exported`,
      "# by `codchi tar`. Rebuild it as a plain NixOS system (add a hardware-configuration.nix",
      "# next to this file):  nixos-rebuild switch --flake .#default",
    ]
    : [
      `# Generated by codchi for the machine ${JSON.stringify(spec.machine)}. Do not edit:`,
      "# `codchi module …` rewrites this file.",
    ];
  lines.push(...header, "{");
  lines.push(`  description = ${nixString(`codchi machine ${spec.machine}`)};`, "");
  lines.push("  inputs = {");
  lines.push(`    ${DRIVER_INPUT}.url = ${nixString(spec.driverUrl)};`);
  if (from !== undefined) {
    lines.push(`    ${DRIVER_INPUT}.inputs.nixpkgs.follows = ${nixString(follows)};`);
  }
  for (const m of mods) {
    lines.push(`    ${nixAttr(m.input)}.url = ${nixString(m.url)};`);
    // Only codchi's own nixpkgs is imposed on modules; with a module's nixpkgs, each module
    // keeps the nixpkgs its own lock names (as Codchi does).
    if (from === undefined) {
      lines.push(`    ${nixAttr(m.input)}.inputs.nixpkgs.follows = ${nixString(follows)};`);
    }
  }
  lines.push("  };", "");
  lines.push(`  outputs = { ${DRIVER_INPUT}, ... }@inputs: {`);
  lines.push(`    nixosConfigurations.default = ${DRIVER_INPUT}.lib.codeMachine {`);
  lines.push(`      driver = ${nixString(spec.driver)};`);
  lines.push(`      system = ${nixString(spec.system)};`);
  const nixpkgs = from === undefined
    ? `${DRIVER_INPUT}.inputs.nixpkgs`
    : `inputs.${nixAttr(from)}.inputs.nixpkgs`;
  lines.push(`      nixpkgs = ${nixpkgs};`);
  const moduleExprs = mods.map((m) => `inputs.${nixAttrPath([m.input, ...m.attr])}`);
  const list = moduleExprs.length === 0
    ? "[ ]"
    : `[\n${moduleExprs.map((e) => `        ${e}\n`).join("")}      ]`;
  if (standalone) {
    lines.push(`      modules = ${list}`);
    lines.push("      ++ (if builtins.pathExists ./hardware-configuration.nix");
    lines.push("      then [ ./hardware-configuration.nix ]");
    lines.push("      else [ ]);");
  } else {
    lines.push(`      modules = ${list};`);
  }
  lines.push("    };", "  };", "}", "");
  return lines.join("\n");
}

/** The flake.nix of a machine: one input per module plus `codchi_driver`. */
export function renderMachineFlake(spec: MachineFlakeSpec): string {
  if (spec.driver === "none") {
    throw new Error("renderMachineFlake: use renderStandaloneFlake for driver none");
  }
  return render(spec, false);
}

/**
 * The flake `codchi export` builds a VM image from: the machine's modules and inputs (local ones
 * where the store sees them), with driver `none` (a plain NixOS, as a VM boots it).
 */
export function renderImageFlake(spec: Omit<MachineFlakeSpec, "driver">): string {
  return render({ ...spec, driver: "none" }, false);
}

/** Home of the machine user; local modules of an exported machine are found below it. */
export const MACHINE_HOME = MACHINE_USER.home;

/** The standalone flake of `codchi tar`: driver `none`, local modules below the user's home. */
export function renderStandaloneFlake(
  spec: Omit<MachineFlakeSpec, "driver" | "localRoot">,
): string {
  return render({ ...spec, driver: "none", localRoot: MACHINE_HOME }, true);
}
