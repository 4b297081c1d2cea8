/** Options shared by several commands, and parsers of option values. */
import {
  type Command,
  InvalidArgumentError,
  Option,
  type OptionValues,
} from "@commander-js/extra-typings";
import { validateMachineName } from "../config/names.ts";

/** Parses a non-negative integer option value. */
export function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("expected a whole number");
  return Number(value);
}

/** A commander argument parser that validates machine names (exit 2 with the rule). */
export function machineArg(value: string): string {
  return validateMachineName(value);
}

/** The module-input options (src/core/types.ts), re-exported for the commands. */
export type { InputOptions } from "../core/types.ts";

/** Adds the module-input options (behaviour.md) to a command. */
export function withInputOptions<Args extends unknown[], Opts extends OptionValues>(
  cmd: Command<Args, Opts>,
) {
  return cmd
    .option("-y, --dont-prompt", "accept defaults and never ask (module paths become mandatory)")
    .option("-N, --no-build", "only write the configuration, do not build")
    .addOption(
      new Option("-p, --use-nixpkgs <from>", "nixpkgs: codchi's pinned one, or the module's own")
        .choices(["local", "remote"] as const),
    )
    .option(
      "-a, --auth <token>",
      "access token for a private repo (user:token or token; '-' reads it from stdin)",
    )
    .addOption(new Option("-b, --branch <branch>", "git branch").conflicts(["tag", "commit"]))
    .addOption(new Option("--tag <tag>", "git tag").conflicts(["branch", "commit"]))
    .addOption(new Option("-c, --commit <sha>", "git commit").conflicts(["branch", "tag"]));
}
