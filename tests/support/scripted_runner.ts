/** A Runner for unit tests: records every argv and answers each from a function (no process). */
import type { Output, Runner } from "../../src/process.ts";

const enc = new TextEncoder();

/** An Output as a finished process would give it. */
export function output(code: number, text = "", errText = ""): Output {
  return { code, stdout: enc.encode(text), stderr: enc.encode(errText), text, errText };
}

/** A runner whose answer to each call is chosen by `answer` (argv → Output); `calls` records them. */
export function scriptedRunner(answer: (argv: string[]) => Output): Runner & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    get spawns() {
      return calls.length;
    },
    run(argv: string[]): Promise<Output> {
      calls.push(argv);
      return Promise.resolve(answer(argv));
    },
  };
}
