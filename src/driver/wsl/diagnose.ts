/**
 * `codchi doctor` for WSL: where wsl.exe is and which version it says it is (one bounded
 * `wsl.exe --version`), and whether usbipd-win is there for `codchi usb`.
 */
import { findOnPath, type Runner } from "../../process.ts";
import type { WslDiagnosis } from "../types.ts";

/** What the WSL probes need. */
export interface WslProbeDeps {
  runner: Runner;
  env: Record<string, string | undefined>;
}

/** The version `wsl.exe --version` prints first ("WSL version: 2.3.26.0"), or undefined. */
export function parseWslVersion(text: string): string | undefined {
  return text.replaceAll("\0", "").match(/\d+\.\d+\.\d+(\.\d+)?/)?.[0];
}

function exists(p: string): boolean {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Runs the WSL probes (Windows PATH: `;`-separated). */
export async function diagnoseWsl(d: WslProbeDeps): Promise<WslDiagnosis> {
  const path = d.env.PATH ?? "";
  const wslPath = d.env.CODCHI_WSL_EXE ?? findOnPath("wsl.exe", path, exists, ";");
  let wslVersion: string | undefined;
  if (wslPath) {
    const out = await d.runner.run([wslPath, "--version"], {
      check: false,
      env: { WSL_UTF8: "1" },
      timeoutMs: 15_000,
    });
    // The old inbox wsl.exe has no --version: it fails, and that is the finding.
    wslVersion = out.code === 0 ? parseWslVersion(out.text) : undefined;
  }
  const usbipdPath = d.env.CODCHI_USBIPD_EXE ?? findOnPath("usbipd.exe", path, exists, ";");
  return { kind: "wsl", wslPath, wslVersion, usbipdPath };
}
