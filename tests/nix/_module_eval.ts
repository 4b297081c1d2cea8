/**
 * Runs tests/nix/eval/eval.nix (codchi's module under nixpkgs' real module system) with
 * nix-instantiate, offline: many cases in one process. Used by the module tests and the docs
 * generator (scripts/nix_options_doc.ts).
 */
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const EVAL_NIX = `${REPO}tests/nix/eval/eval.nix`;
const STYLE_DIR = `${REPO}tests/nix/eval/codchi_style/`;

/** nixpkgs' lib folder (../shared/nixpkgs-lib/lib beside the repository). */
export const nixLibPath = fileURLToPath(
  new URL("../../../shared/nixpkgs-lib/lib", import.meta.url),
);

/** One evaluation: a driver (none: left at its default), Codchi-style module files, inline modules. */
export interface EvalCase {
  driver?: string;
  /** File names below tests/nix/eval/codchi_style/. */
  files?: string[];
  /** Nix module expressions. */
  nix?: string[];
}

/** A systemd unit as eval.nix reports it. */
export interface EvalUnit {
  enable: boolean;
  wantedBy: string[];
  after: string[];
  before: string[];
  unitConfig: Record<string, string>;
  // deno-lint-ignore no-explicit-any
  serviceConfig: Record<string, any>;
  pathConfig: Record<string, string>;
  script: string;
}

/** One documented option: name, type, default and example as evaluated. */
export interface EvalOption {
  name: string;
  type: string;
  description: string;
  default: string | null;
  example: string | null;
}

/** What eval.nix returns for a case. */
export interface Evaluated {
  failedAssertions: string[];
  warnings: string[];
  driver: string;
  user: {
    name: string;
    uid: number;
    group: string;
    home: string;
    extraGroups: string[];
    linger: boolean;
    isNormalUser: boolean;
  };
  firewall: boolean;
  emergencyMode: boolean;
  oomd: boolean;
  isContainer: boolean;
  services: Record<string, EvalUnit>;
  disabledServices: string[];
  paths: Record<string, EvalUnit>;
  timers: Record<
    string,
    { enable: boolean; wantedBy: string[]; timerConfig: Record<string, string> }
  >;
  systemdPackages: { name: string; destination: string; text: string }[];
  userManagerConfig: string;
  extraInit: string;
  sessionVariables: Record<string, string | string[]>;
  fishInit: string;
  tmpfiles: string[];
  activationScripts: Record<string, string>;
  declaredSecrets: { name: string; description: string }[];
  initScript: string;
  welcome: string | null;
  codchiInit: string | null;
  systemPackages: string[];
  etc: Record<string, { enable: boolean; source: string | null; text: string | null }>;
  nvidiaToolkit: Record<string, boolean | string>;
  graphics: boolean;
  docker: boolean;
  keyring: boolean;
  recommended: boolean;
  javaPackages: Record<string, string>;
  options: EvalOption[];
}

/** Why the module evaluation cannot run here, or undefined when it can. */
export async function skipReason(): Promise<string | undefined> {
  try {
    await Deno.stat(`${nixLibPath}/default.nix`);
  } catch {
    return `nixpkgs' lib is not at ${nixLibPath} (../shared/nixpkgs-lib)`;
  }
  try {
    await new Deno.Command("nix-instantiate", { args: ["--version"], stdout: "null" }).output();
  } catch {
    return "nix-instantiate is not installed (Debian: apt-get install nix-bin)";
  }
  return undefined;
}

const nixStr = (s: string) => JSON.stringify(s).replaceAll("${", "\\${");

/** The Nix expression evaluating `cases` (a list of eval.nix results). */
export function casesExpr(cases: EvalCase[]): string {
  const one = (c: EvalCase) =>
    `(import ${nixStr(EVAL_NIX)} {
      libPath = ${nixStr(nixLibPath)};
      ${c.driver ? `driver = ${nixStr(c.driver)};` : ""}
      moduleFiles = [ ${(c.files ?? []).map((f) => nixStr(STYLE_DIR + f)).join(" ")} ];
      modules = [ ${(c.nix ?? []).map((m) => `(${m})`).join(" ")} ];
    })`;
  return `[ ${cases.map(one).join("\n")} ]`;
}

/** Evaluates the cases in one nix-instantiate (offline); throws with nix's error on failure. */
export async function evalCases(cases: EvalCase[]): Promise<Evaluated[]> {
  const out = await new Deno.Command("nix-instantiate", {
    args: [
      "--option",
      "substituters",
      "",
      "--eval",
      "--strict",
      "--json",
      "-E",
      casesExpr(cases),
    ],
    stdout: "piped",
    stderr: "piped",
    env: { NIX_CONFIG: "substituters =" },
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`nix-instantiate failed:\n${err}`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}
