/**
 * codchi's top level: reads argv and answers `--version` / `--help` itself (the help from the
 * command table); a plain `exec` of a machine that ran before goes to its fast path (exec_fast.ts);
 * everything else to run.ts, which runs `exec` and `status` directly (their plain forms) and the
 * full parser, with only the invoked command's module, for the rest.
 * Returns the exit code (only main.ts exits).
 */
import { fastPath, protectExecArgs, scanGlobalFlags } from "./argv.ts";

/** Runs codchi with `argv` (without the program name); returns the exit code. */
export async function run(argv: string[], env = Deno.env.toObject()): Promise<number> {
  const args = protectExecArgs(argv);
  const flags = scanGlobalFlags(args);
  const fast = fastPath(args);
  if (fast?.kind === "version" || fast?.kind === "help") {
    // Loaded here: exec and status need neither the texts nor the version. The help's command
    // table is loaded beside the texts, not after them.
    const [{ rootHelpText, versionText }] = await Promise.all([
      import("./top_text.ts"),
      fast.kind === "help" ? import("./commands.ts") : undefined,
    ]);
    const text = fast.kind === "version"
      ? versionText(!!flags.json)
      : await rootHelpText(!!flags.json);
    try {
      Deno.stdout.writeSync(new TextEncoder().encode(text));
    } catch (e) {
      if (!(e instanceof Deno.errors.BrokenPipe)) throw e; // `codchi --help | head`
    }
    return 0;
  }
  if (fast?.kind === "exec") {
    // A plain exec of a machine that ran before: one spawn, nothing else loaded (exec_fast.ts).
    const { fastExec } = await import("./exec_fast.ts");
    const done = await fastExec(fast.name, fast.cmd, flags, env);
    if (done.kind === "ran") return done.code;
    if (done.kind !== "fallback") {
      const { runCommand } = await import("./run.ts");
      return await runCommand(args, flags, { ...fast, after: done }, env);
    }
  }
  if (fast?.kind === "status") {
    // Status with the driver's choices remembered: the listing without the driver (status_fast.ts).
    const { fastStatus } = await import("./status_fast.ts");
    const done = await fastStatus(flags, env);
    if (done.kind === "shown") return 0;
    if (done.kind === "failed") {
      const { runCommand } = await import("./run.ts");
      return await runCommand(args, flags, { ...fast, after: done }, env);
    }
  }
  const { runCommand } = await import("./run.ts");
  return await runCommand(args, flags, fast, env);
}
