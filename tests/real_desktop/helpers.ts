/** Helpers for the real-component host tests: temp dirs, commands, waiting, free numbers. */

/** Result of a helper command. */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a helper command to completion (tests may spawn helpers directly). */
export async function sh(
  argv: string[],
  opts: { env?: Record<string, string>; clearEnv?: boolean; stdin?: string; cwd?: string } = {},
): Promise<Ran> {
  const cmd = new Deno.Command(argv[0], {
    args: argv.slice(1),
    env: opts.env,
    clearEnv: opts.clearEnv,
    cwd: opts.cwd,
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = cmd.spawn();
  if (opts.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(opts.stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Whether an executable is on PATH. */
export function have(name: string): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/${name}`).isFile) return true;
    } catch {
      // next
    }
  }
  return false;
}

/** Polls `check` every 50 ms until it is true or `ms` pass; returns whether it became true. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  ms = 10000,
): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return await check();
}

/** A free X display number (no socket or lock file for it). */
export function freeDisplay(from = 90): number {
  for (let n = from; n < from + 200; n++) {
    const used = [`/tmp/.X11-unix/X${n}`, `/tmp/.X${n}-lock`].some((p) => {
      try {
        Deno.lstatSync(p);
        return true;
      } catch {
        return false;
      }
    });
    if (!used) return n;
  }
  throw new Error("no free X display number");
}

/** A background helper process that is killed (whole group) at `stop()`. */
export class Background {
  readonly child: Deno.ChildProcess;
  readonly #pipedOut: boolean;
  constructor(argv: string[], env?: Record<string, string>, opts: { stdout?: boolean } = {}) {
    this.#pipedOut = opts.stdout ?? false;
    this.child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      env,
      stdin: "null",
      stdout: this.#pipedOut ? "piped" : "null",
      stderr: "piped",
    }).spawn();
  }

  /** The first line the process prints on stdout (needs `{ stdout: true }`), or undefined. */
  async firstLine(ms = 15000): Promise<string | undefined> {
    const reader = this.child.stdout.getReader();
    const dec = new TextDecoder();
    let text = "";
    const timer = setTimeout(() => reader.cancel().catch(() => {}), ms);
    try {
      while (!text.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        text += dec.decode(value);
      }
    } finally {
      clearTimeout(timer);
      reader.releaseLock();
    }
    return text.includes("\n") ? text.slice(0, text.indexOf("\n")) : undefined;
  }
  /** Kills the process (TERM, then KILL) and waits for it. */
  async stop(): Promise<void> {
    try {
      this.child.kill("SIGTERM");
    } catch {
      // already gone
    }
    const t = setTimeout(() => {
      try {
        this.child.kill("SIGKILL");
      } catch {
        // gone
      }
    }, 3000);
    await this.child.status;
    clearTimeout(t);
    await this.child.stderr.cancel().catch(() => {});
    if (this.#pipedOut) await this.child.stdout.cancel().catch(() => {});
  }
}

/** Random lowercase hex of `bytes` bytes (X cookies). */
export function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * An Xvfb on display `n` that accepts only clients with the fresh cookie written to `auth`
 * (local only, no server reset, ready when it prints its display number).
 */
export async function startAuthXvfb(n: number, auth: string, screen = "320x240x24") {
  const cookie = randomHex(16);
  const add = await sh(["xauth", "-f", auth, "add", `:${n}`, "MIT-MAGIC-COOKIE-1", cookie]);
  if (add.code !== 0) throw new Error(`xauth add failed: ${add.stderr}`);
  const x = new Background(
    [
      "Xvfb",
      `:${n}`,
      "-auth",
      auth,
      "-nolisten",
      "tcp",
      // No server reset when the last client leaves (a reset makes the next client fail at random).
      "-noreset",
      // Xvfb prints the display number here once it accepts clients.
      "-displayfd",
      "1",
      "-screen",
      "0",
      screen,
    ],
    undefined,
    { stdout: true },
  );
  const ready = await x.firstLine(15000);
  if (ready?.trim() !== String(n)) {
    await x.stop();
    throw new Error(`Xvfb :${n} did not come up (${ready})`);
  }
  return { n, auth, cookie, x };
}

/** A 16-bit mono PCM WAV with a sine tone. */
export function sineWav(seconds: number, rate = 44100, hz = 440): Uint8Array {
  const samples = Math.floor(seconds * rate);
  const buf = new ArrayBuffer(44 + samples * 2);
  const v = new DataView(buf);
  const ascii = (off: number, s: string) =>
    [...s].forEach((c, i) => v.setUint8(off + i, c.charCodeAt(0)));
  ascii(0, "RIFF");
  v.setUint32(4, 36 + samples * 2, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  ascii(36, "data");
  v.setUint32(40, samples * 2, true);
  for (let i = 0; i < samples; i++) {
    v.setInt16(44 + i * 2, Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * 8000), true);
  }
  return new Uint8Array(buf);
}
