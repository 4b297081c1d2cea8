/**
 * Reading a secret from the user: a masked prompt on the terminal (raw mode, nothing echoed), or
 * the whole of stdin when it is not a terminal. The key handling (`MaskedLine`) is pure.
 */
import { writeAll } from "../bytes.ts";
import { InterruptedError, UsageError } from "../errors.ts";

/** Outcome of feeding bytes to a `MaskedLine`. */
export type LineState = "more" | "enter";

const CTRL_C = 0x03;
const CTRL_D = 0x04;
const BACKSPACE = 0x08;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const CTRL_U = 0x15;
const CTRL_W = 0x17;
const ESC = 0x1b;
const DEL = 0x7f;

/**
 * Turns raw terminal bytes into a line: Enter (CR, LF, or Ctrl-D) ends it, Backspace/DEL remove
 * the last character, Ctrl-U clears, Ctrl-W removes the last word, Ctrl-C throws an
 * InterruptedError, escape sequences (arrows, function keys) and other control keys are ignored,
 * UTF-8 split across reads is joined.
 */
export class MaskedLine {
  #chars: string[] = [];
  #decoder = new TextDecoder("utf-8");
  #esc: "none" | "esc" | "csi" | "ss3" = "none";

  /** The text typed so far. */
  get value(): string {
    return this.#chars.join("");
  }

  /** Feeds one read's bytes; returns "enter" once the line is complete (later bytes dropped). */
  feed(bytes: Uint8Array): LineState {
    let run: number[] = [];
    const flush = () => {
      if (run.length) {
        this.#chars.push(...this.#decoder.decode(new Uint8Array(run), { stream: true }));
        run = [];
      }
    };
    for (const b of bytes) {
      if (this.#esc !== "none") {
        this.#esc = skipEscape(this.#esc, b);
        continue;
      }
      if ((b >= 0x20 && b !== DEL) || b === TAB) {
        run.push(b);
        continue;
      }
      flush();
      switch (b) {
        case CTRL_C:
          throw new InterruptedError("Interrupted.");
        case CR:
        case LF:
        case CTRL_D:
          this.#chars.push(...this.#decoder.decode());
          return "enter";
        case BACKSPACE:
        case DEL:
          this.#chars.pop();
          break;
        case CTRL_U:
          this.#chars = [];
          break;
        case CTRL_W:
          while (this.#chars.length && /\s/.test(this.#chars.at(-1)!)) this.#chars.pop();
          while (this.#chars.length && !/\s/.test(this.#chars.at(-1)!)) this.#chars.pop();
          break;
        case ESC:
          this.#esc = "esc";
          break;
        default: // other control keys: ignored
      }
    }
    flush();
    return "more";
  }
}

/** Next state of an escape sequence after byte `b` ("none" once it ended). */
function skipEscape(state: "esc" | "csi" | "ss3", b: number): "none" | "esc" | "csi" | "ss3" {
  if (state === "esc") return b === 0x5b ? "csi" : b === 0x4f ? "ss3" : "none";
  if (state === "ss3") return "none";
  return b >= 0x40 && b <= 0x7e ? "none" : "csi"; // CSI ends with a final byte @..~
}

/** Terminal effects used by `promptMasked` (injectable for tests). */
export interface TerminalIo {
  isTerminal(): boolean;
  setRaw(raw: boolean): void;
  read(buf: Uint8Array): Promise<number | null>;
  write(text: string): Promise<void>;
}

const realTerminal: TerminalIo = {
  isTerminal: () => Deno.stdin.isTerminal(),
  setRaw: (raw) => Deno.stdin.setRaw(raw),
  read: (buf) => Deno.stdin.read(buf),
  write: async (text) => {
    await writeAll(Deno.stderr, new TextEncoder().encode(text));
  },
};

/**
 * Asks `question` on stderr and reads a line from the terminal with echo off (nothing is shown
 * while typing). Ctrl-C → InterruptedError; end of input before Enter → InterruptedError.
 */
export async function promptMasked(
  question: string,
  io: TerminalIo = realTerminal,
): Promise<string> {
  if (!io.isTerminal()) {
    throw new UsageError(
      "Cannot ask for a secret: stdin is not a terminal.",
      "Pipe the value to `codchi secrets set`, or pass it as CODCHI_SECRET_<NAME>.",
    );
  }
  await io.write(`${question.replace(/:?\s*$/, "")}: `);
  const line = new MaskedLine();
  const buf = new Uint8Array(1024);
  io.setRaw(true);
  try {
    for (;;) {
      const n = await io.read(buf);
      if (n === null) throw new InterruptedError("No answer (end of input).");
      if (line.feed(buf.subarray(0, n)) === "enter") return line.value;
    }
  } finally {
    io.setRaw(false);
    await io.write("\n");
  }
}

/** Removes ONE trailing line end (`\n` or `\r\n`), the one `echo` and editors add; nothing else. */
export function stripOneNewline(text: string): string {
  if (text.endsWith("\r\n")) return text.slice(0, -2);
  if (text.endsWith("\n")) return text.slice(0, -1);
  return text;
}

/** Decodes stdin's bytes as a secret: strict UTF-8, one trailing line end removed. */
export function decodeStdinSecret(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new UsageError(
      "The value on stdin is not valid UTF-8.",
      "Secrets are text; encode binary data (e.g. base64) first.",
    );
  }
  return stripOneNewline(text);
}

/** Reads the whole of stdin (not a terminal) as a secret value; see `decodeStdinSecret`. */
export async function readSecretFromStdin(
  stdin: ReadableStream<Uint8Array> = Deno.stdin.readable,
): Promise<string> {
  return decodeStdinSecret(new Uint8Array(await new Response(stdin).arrayBuffer()));
}
