/**
 * `deno task compile`: the release binaries, with `nix/` embedded. Needs Deno's download host for
 * the target runtimes, so it runs in the release workflow, not in CI.
 *   deno run -A scripts/compile.ts [--target <triple>…] [--out dist] [--release <folder>]
 * `--release` embeds the images' SHA-256 from the folder's codchi-release.json (made by
 * scripts/make_release.ts from the images built before): such a binary accepts no other bytes.
 */
import { fileURLToPath } from "node:url";
import { MANIFEST_FILE, parseManifest, renderManifest } from "../src/release/manifest.ts";

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

/** The embedded-sums file the binary reads (`{}` in the repository: a development build). */
export const EMBEDDED_JSON = `${REPO}src/release/embedded.json`;

/**
 * The text of embedded.json for a release folder's manifest; throws when it is broken or its
 * version is not this codchi's (`version`).
 */
export function embeddedText(manifestText: string, version: string): string {
  const m = parseManifest(manifestText);
  if ("problems" in m) throw new Error(`${MANIFEST_FILE}: ${m.problems.join("; ")}`);
  if (m.version !== version) {
    throw new Error(`${MANIFEST_FILE} is of version ${m.version}, deno.json says ${version}`);
  }
  return renderManifest(m);
}

if (import.meta.main) {
  const args = [...Deno.args];
  const targets: string[] = [];
  let out = "dist";
  let release: string | undefined;
  while (args.length) {
    const a = args.shift()!;
    if (a === "--target") targets.push(args.shift()!);
    else if (a === "--out") out = args.shift()!;
    else if (a === "--release") release = args.shift()!;
    else {
      console.error(`compile: unknown argument ${a}`);
      Deno.exit(2);
    }
  }
  const before = await Deno.readTextFile(EMBEDDED_JSON);
  if (release) {
    const { VERSION } = await import("../src/version.ts");
    const text = embeddedText(await Deno.readTextFile(`${release}/${MANIFEST_FILE}`), VERSION);
    await Deno.writeTextFile(EMBEDDED_JSON, text);
    console.error(`compile: embedding the image sums of ${release}/${MANIFEST_FILE}`);
  } else console.error("compile: no --release: a development build (no embedded image sums)");
  let failed = 0;
  try {
    for (const b of plan(out, targets.length ? targets : undefined)) {
      console.error(`compile: ${b.output}`);
      const { code } = await new Deno.Command(Deno.execPath(), { args: compileArgv(b), cwd: REPO })
        .output();
      if (code !== 0) {
        failed = code;
        break;
      }
    }
  } finally {
    await Deno.writeTextFile(EMBEDDED_JSON, before);
  }
  if (failed) Deno.exit(failed);
}
