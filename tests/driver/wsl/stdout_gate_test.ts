import { deepEqual } from "node:assert/strict";
import { stdoutGate } from "../../../src/driver/wsl/stdout_gate.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("stdout gate: held until the command started, then everything in order", async () => {
  let started = false;
  const out: string[] = [];
  const g = stdoutGate(() => Promise.resolve(started), (b) => {
    out.push(dec(b));
    return Promise.resolve();
  });
  await g.sink(enc("early "));
  deepEqual(out, []);
  started = true;
  await g.sink(enc("a"));
  await g.sink(enc("b"));
  deepEqual(out, ["early ", "a", "b"]);
});

Deno.test("stdout gate: never started → the held bytes are wsl.exe's message, not output", async () => {
  const out: string[] = [];
  const g = stdoutGate(() => Promise.resolve(false), (b) => {
    out.push(dec(b));
    return Promise.resolve();
  });
  await g.sink(enc("Catastrophic failure\r\n"));
  await g.sink(enc("Error code: Wsl/Service/E_UNEXPECTED\r\n"));
  deepEqual(out, []);
  deepEqual(dec(g.held()), "Catastrophic failure\r\nError code: Wsl/Service/E_UNEXPECTED\r\n");
  await g.flush();
  deepEqual(out.join(""), "Catastrophic failure\r\nError code: Wsl/Service/E_UNEXPECTED\r\n");
});
