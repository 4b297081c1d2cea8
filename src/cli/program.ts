/** Builds the codchi command tree and runs it; returns the exit code (only main.ts exits). */
import { Command, CommanderError } from "@commander-js/extra-typings";
import { VERSION } from "../version.ts";
import { CodchiError, ExitCode, typedError, UsageError } from "../errors.ts";
import { Ui, uiOptions } from "../ui.ts";
import { Context } from "./context.ts";
import { addCompletion, machineNamesSync } from "./completion.ts";
import { statusCommand } from "./status.ts";
import { initCommand } from "./init.ts";
import { cloneCommand } from "./clone.ts";
import { execCommand } from "./exec.ts";
import { rebuildCommand } from "./rebuild.ts";
import { deleteCommand } from "./delete.ts";
import { duplicateCommand } from "./duplicate.ts";
import { gcCommand } from "./gc.ts";
import { usbCommand } from "./usb.ts";
import { moduleCommand } from "./module.ts";
import { secretsCommand } from "./secrets.ts";
import { tarCommand } from "./tar.ts";
import { recoverCommand, storeCommand } from "./store.ts";
import { trayCommand } from "./tray.ts";
import { doctorCommand } from "./doctor.ts";
import { redact } from "../process.ts";

export { VERSION };

/** Global flags, read before the command runs. */
interface GlobalFlags {
  json?: boolean;
  verbose: number;
  quiet?: boolean;
}

/**
 * Scans argv for the global flags (they may stand anywhere before an exec'd command). Pass argv
 * through `protectExecArgs` first, so the flags of an exec'd command are not taken for codchi's.
 */
export function scanGlobalFlags(argv: string[]): GlobalFlags {
  const flags: GlobalFlags = { verbose: 0 };
  for (const a of argv) {
    if (a === "--") break;
    if (a === "--json") flags.json = true;
    else if (a === "-q" || a === "--quiet") flags.quiet = true;
    else if (a === "--verbose") flags.verbose++;
    else if (/^-[vq]+$/.test(a)) {
      flags.verbose += a.split("v").length - 1;
      if (a.includes("q")) flags.quiet = true;
    }
  }
  return flags;
}

/**
 * Makes everything after `exec <name>` an operand: inserts `--` after the machine name unless the
 * user wrote one, so `codchi exec m ls -la` and `codchi exec m -- ls -la` mean the same.
 */
export function protectExecArgs(argv: string[]): string[] {
  const i = argv.findIndex((a) => !a.startsWith("-"));
  if (i < 0 || (argv[i] !== "exec" && argv[i] !== "run")) return argv;
  let j = i + 1;
  while (j < argv.length && argv[j].startsWith("-") && argv[j] !== "--") j++;
  if (j >= argv.length || argv[j] === "--") return argv;
  if (argv[j + 1] === "--" || j + 1 >= argv.length) return argv;
  return [...argv.slice(0, j + 1), "--", ...argv.slice(j + 1)];
}

/** Builds the command tree for one invocation. */
export function buildProgram(ctx: Context) {
  const program = new Command("codchi")
    .description(
      "codchi turns a NixOS module from a git repo into a running code machine on your desktop.",
    )
    .version(VERSION, "--version", "print the version")
    .helpOption("-h, --help", "show help")
    .option("--json", "machine-readable output on stdout")
    .option("-v, --verbose", "more output (repeat for more)", (_v, prev: number) => prev + 1, 0)
    .option("-q, --quiet", "only errors")
    .showSuggestionAfterError(true)
    .addHelpText(
      "after",
      "\nExamples:\n  codchi init java https://github.com/acme/app nixosModules.jvm\n" +
        "  codchi exec java -- idea-community\n  codchi status --json\n\nRun `codchi doctor` to check this host.",
    );
  program.addCommand(statusCommand(ctx), { isDefault: true });
  for (
    const c of [
      initCommand(ctx),
      cloneCommand(ctx),
      execCommand(ctx),
      rebuildCommand(ctx),
      deleteCommand(ctx),
      duplicateCommand(ctx),
      gcCommand(ctx),
      usbCommand(ctx),
      moduleCommand(ctx),
      secretsCommand(ctx),
      tarCommand(ctx),
      storeCommand(ctx),
      recoverCommand(ctx),
      doctorCommand(ctx),
    ]
  ) program.addCommand(c as unknown as Command);
  program.addCommand(trayCommand(ctx) as unknown as Command, { hidden: true });
  addCompletion(
    program as unknown as Command<[], Record<string, unknown>>,
    () => machineNamesSync(ctx.basePaths.machinesDir),
  );
  applyToTree(program as unknown as Command, (c) => {
    c.exitOverride();
    c.configureOutput({
      writeOut: (s) => ctx.ui.print(s.replace(/\n$/, "")),
      writeErr: (s) => {
        if (!ctx.ui.opts.json) Deno.stderr.writeSync(new TextEncoder().encode(s));
      },
      outputError: () => {},
    });
  });
  return program;
}

function applyToTree(cmd: Command, fn: (c: Command) => void): void {
  fn(cmd);
  for (const c of cmd.commands) applyToTree(c as Command, fn);
}

/** Runs codchi with `argv` (without the program name); returns the exit code. */
export async function run(argv: string[], env = Deno.env.toObject()): Promise<number> {
  const args = protectExecArgs(argv);
  const flags = scanGlobalFlags(args);
  const ui = new Ui(
    uiOptions(flags, env, Deno.stdout.isTerminal(), Deno.stderr.isTerminal()),
  );
  let ctx: Context | undefined;
  try {
    ctx = new Context(env, ui);
    const program = buildProgram(ctx);
    await program.parseAsync(args, { from: "user" });
    ui.done();
    return ctx.exitCode;
  } catch (e) {
    ui.done();
    return reportError(e, ui);
  }
}

/** Prints an error (text or JSON on stderr) and returns its exit code. */
export function reportError(e: unknown, ui: Ui): number {
  if (e instanceof CommanderError) {
    if (
      e.code === "commander.helpDisplayed" || e.code === "commander.version" ||
      e.code === "commander.help"
    ) return ExitCode.ok;
    const msg = e.message.replace(/^error: /, "");
    return reportError(
      new UsageError(msg, "Run `codchi --help` or `codchi <command> --help`."),
      ui,
    );
  }
  e = typedError(e);
  const err = e instanceof CodchiError ? e : undefined;
  const exitCode = err?.exitCode ?? ExitCode.internal;
  const message = redact(
    err ? err.message : (e instanceof Error ? e.stack ?? e.message : String(e)),
  );
  const hint = err?.hint ? redact(err.hint) : undefined;
  const enc = new TextEncoder();
  if (ui.opts.json) {
    const body = { error: { type: err?.name ?? "InternalError", message, hint, exitCode } };
    Deno.stderr.writeSync(enc.encode(JSON.stringify(body) + "\n"));
  } else {
    const head = ui.opts.errColor ? "\x1b[31merror:\x1b[0m" : "error:";
    let text = `${head} ${message}\n`;
    if (hint) text += `${hint}\n`;
    if (!err) text += "This is a bug in codchi; please report it with the output above.\n";
    Deno.stderr.writeSync(enc.encode(text));
  }
  return exitCode;
}
