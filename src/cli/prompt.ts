/** The terminal Prompter: questions only on a TTY and never with --dont-prompt. */
import type { Prompter } from "../core/context.ts";
import { InterruptedError, UsageError } from "../errors.ts";

/** Reads one line from stdin (without the newline); undefined at end of input. */
export async function readLine(): Promise<string | undefined> {
  const buf: number[] = [];
  const one = new Uint8Array(1);
  while (true) {
    const n = await Deno.stdin.read(one);
    if (n === null) return buf.length ? new TextDecoder().decode(new Uint8Array(buf)) : undefined;
    if (one[0] === 0x0a) break;
    buf.push(one[0]);
  }
  return new TextDecoder().decode(new Uint8Array(buf)).replace(/\r$/, "");
}

/** A Prompter on the process's terminal. */
export class TerminalPrompter implements Prompter {
  constructor(
    readonly interactive: boolean,
    private readonly readSecret: (question: string) => Promise<string>,
  ) {}

  async confirm(question: string): Promise<boolean> {
    if (!this.interactive) return false;
    await Deno.stderr.write(new TextEncoder().encode(`${question} [y/N] `));
    const answer = await readLine();
    if (answer === undefined) throw new InterruptedError("No answer (end of input).");
    return /^y(es)?$/i.test(answer.trim());
  }

  async choose(question: string, choices: string[]): Promise<string | undefined> {
    if (!this.interactive) return undefined;
    const list = choices.map((c, i) => `  ${i + 1}) ${c}`).join("\n");
    await Deno.stderr.write(new TextEncoder().encode(`${question}\n${list}\nNumber: `));
    const answer = await readLine();
    if (answer === undefined) throw new InterruptedError("No answer (end of input).");
    const i = Number(answer.trim());
    if (!Number.isInteger(i) || i < 1 || i > choices.length) {
      throw new UsageError(`"${answer.trim()}" is not one of 1..${choices.length}.`);
    }
    return choices[i - 1];
  }

  secret(question: string, description: string): Promise<string> {
    if (!this.interactive) {
      return Promise.reject(new UsageError(`Cannot ask for ${question}: no terminal.`));
    }
    return this.readSecret(description ? `${question} (${description})` : question);
  }
}
