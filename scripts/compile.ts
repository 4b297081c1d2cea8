/**
 * `deno task compile`: the release binaries, with `nix/` embedded. Needs Deno's download host for
 * the target runtimes, so it runs in the release workflow, not in CI.
 *   deno run -A scripts/compile.ts [--target <triple>…] [--out dist]
 */
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../", import.meta.url));

/** One binary to build. */
export interface Build {
  target: string;
  output: string;
  /** Windows GUI-subsystem build (no console window): codchiw.exe for GUI shortcuts. */
  noTerminal?: boolean;
}

/** The release builds for `targets`, written below `out`. */
export function plan(out: string, targets: string[] = DEFAULT_TARGETS): Build[] {
  return targets.flatMap((target) => {
    const win = target.includes("windows");
    const base = `${out}/${target}/codchi`;
    const main: Build = { target, output: win ? `${base}.exe` : base };
    return win
      ? [main, { target, output: `${out}/${target}/codchiw.exe`, noTerminal: true }]
      : [main];
  });
}

/** Targets of a release. */
export const DEFAULT_TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-pc-windows-msvc",
];

/** The `deno compile` argv of one build. */
export function compileArgv(b: Build): string[] {
  return [
    "compile",
    "-A",
    "--frozen",
    "--include",
    "nix",
    "--target",
    b.target,
    ...(b.noTerminal ? ["--no-terminal"] : []),
    "--output",
    b.output,
    "main.ts",
  ];
}

if (import.meta.main) {
  const args = [...Deno.args];
  const targets: string[] = [];
  let out = "dist";
  while (args.length) {
    const a = args.shift()!;
    if (a === "--target") targets.push(args.shift()!);
    else if (a === "--out") out = args.shift()!;
    else {
      console.error(`compile: unknown argument ${a}`);
      Deno.exit(2);
    }
  }
  for (const b of plan(out, targets.length ? targets : undefined)) {
    console.error(`compile: ${b.output}`);
    const { code } = await new Deno.Command(Deno.execPath(), { args: compileArgv(b), cwd: REPO })
      .output();
    if (code !== 0) Deno.exit(code);
  }
}
