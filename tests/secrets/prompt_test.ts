import { assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { InterruptedError, UsageError } from "../../src/errors.ts";
import {
  decodeStdinSecret,
  MaskedLine,
  promptMasked,
  readSecretFromStdin,
  stripOneNewline,
  type TerminalIo,
} from "../../src/secrets/prompt.ts";

const enc = (s: string) => new TextEncoder().encode(s);

function typed(...chunks: (string | Uint8Array)[]): string {
  const line = new MaskedLine();
  for (const c of chunks) {
    if (line.feed(typeof c === "string" ? enc(c) : c) === "enter") return line.value;
  }
  throw new Error("no Enter");
}

Deno.test("masked line: Enter (CR, LF, Ctrl-D) ends; text kept exactly", () => {
  assertEquals(typed("pa$$ 'w\"`\\d\r"), "pa$$ 'w\"`\\d");
  assertEquals(typed("x\n"), "x");
  assertEquals(typed("x\x04"), "x");
  assertEquals(typed("\r"), "");
  assertEquals(typed("a\tb\r"), "a\tb");
});

Deno.test("masked line: backspace/DEL remove one character (a whole emoji), Ctrl-U/Ctrl-W", () => {
  assertEquals(typed("abc\x7f\x7fz\r"), "az");
  assertEquals(typed("ab\x08\r"), "a");
  assertEquals(typed("k🔑\x7f\r"), "k");
  assertEquals(typed("\x7f\x7fa\r"), "a");
  assertEquals(typed("junk\x15ok\r"), "ok");
  assertEquals(typed("one two\x17\r"), "one ");
});

Deno.test("masked line: UTF-8 split across reads, escape sequences ignored", () => {
  const bytes = enc("é日🔑");
  assertEquals(typed(bytes.slice(0, 1), bytes.slice(1, 4), bytes.slice(4), "\r"), "é日🔑");
  assertEquals(typed("a\x1b[D\x1b[3~\x1bOPb\r"), "ab");
  assertEquals(typed("a\x1b", "[", "A", "b\r"), "ab");
});

Deno.test("masked line: Ctrl-C throws InterruptedError", () => {
  assertThrows(() => typed("secret\x03"), InterruptedError);
});

function fakeTerminal(chunks: string[], isTerminal = true) {
  const written: string[] = [];
  const raw: boolean[] = [];
  const io: TerminalIo = {
    isTerminal: () => isTerminal,
    setRaw: (r) => void raw.push(r),
    read: (buf) => {
      const c = chunks.shift();
      if (c === undefined) return Promise.resolve(null);
      const b = enc(c);
      buf.set(b);
      return Promise.resolve(b.length);
    },
    write: (t) => {
      written.push(t);
      return Promise.resolve();
    },
  };
  return { io, written, raw };
}

Deno.test("prompt: shows the question, echoes nothing, restores the terminal", async () => {
  const t = fakeTerminal(["hun", "ter2", "\r"]);
  assertEquals(await promptMasked("Secret X (the description)", t.io), "hunter2");
  assertEquals(t.written, ["Secret X (the description): ", "\n"]);
  assertEquals(t.raw, [true, false]);
});

Deno.test("prompt: Ctrl-C and end of input are InterruptedError; raw mode restored", async () => {
  const t = fakeTerminal(["ab\x03"]);
  await assertRejects(() => promptMasked("Q", t.io), InterruptedError);
  assertEquals(t.raw, [true, false]);
  await assertRejects(() => promptMasked("Q", fakeTerminal(["ab"]).io), InterruptedError);
  await assertRejects(() => promptMasked("Q", fakeTerminal([], false).io), UsageError);
});

Deno.test("stdin: strips ONE trailing newline only, keeps everything else", async () => {
  assertEquals(stripOneNewline("v\n\n"), "v\n");
  assertEquals(stripOneNewline("v\r\n"), "v");
  assertEquals(stripOneNewline("v \t"), "v \t");
  assertEquals(stripOneNewline(""), "");
  assertEquals(decodeStdinSecret(enc("\ufeffbom kept\n")), "\ufeffbom kept");
  assertThrows(() => decodeStdinSecret(new Uint8Array([0xff, 0xfe])), UsageError);
  const stream = new Blob([enc("multi\nline\n\n")]).stream();
  assertEquals(await readSecretFromStdin(stream), "multi\nline\n");
});
