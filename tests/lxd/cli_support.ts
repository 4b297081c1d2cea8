/** Helpers of the CLI-level real-LXD tests (lifecycle, interrupts, scale): containers, status. */
import { REPO, type TestHome } from "../support/cli.ts";
import { ENGINE_BIN } from "../support/engine.ts";

export { execIn, exists, ok, statusOf } from "../contract/cli.ts";

/** Whether `.testbed.env` points at the test bed's images (the tests are ignored otherwise). */
export function haveTestbed(env: Record<string, string>): boolean {
  return !!env.CODCHI_LXD_STORE_IMAGE && !!env.CODCHI_LXD_MACHINE_IMAGE;
}

/** Runs lxc or incus (not through codchi) and returns code and stdout. */
export async function lxc(...args: string[]): Promise<{ code: number; text: string; err: string }> {
  const out = await new Deno.Command(ENGINE_BIN, { args, stdout: "piped", stderr: "piped" })
    .output();
  const dec = new TextDecoder();
  return { code: out.code, text: dec.decode(out.stdout), err: dec.decode(out.stderr) };
}

/** Names of every container LXD has. */
export async function containerNames(): Promise<string[]> {
  const out = await lxc("list", "--format", "json");
  return (JSON.parse(out.text) as { name: string }[]).map((c) => c.name);
}

/**
 * Removes the store (whoever made it: one store per host, and a previous run's belongs to another
 * temp HOME) and this file's machines (`codchi-<prefix>…`). Tests hold /tmp/codchi-lxd.lock.
 */
export async function removeContainers(prefix: string): Promise<void> {
  const names = await containerNames();
  const doomed = names.filter((n) => n === "codchistore" || n.startsWith(`codchi-${prefix}`));
  await Promise.all(doomed.map((n) => lxc("delete", "--force", n)));
}

/** A running codchi CLI whose stderr is read line by line (for signals at a given step). */
export interface LiveCli {
  child: Deno.ChildProcess;
  /** Resolves with the first stderr line matching `re` (or undefined when stderr ends first). */
  waitFor(re: RegExp): Promise<string | undefined>;
  /** Exit code and everything printed on stderr. */
  done(): Promise<{ code: number; stderr: string }>;
}

/** Spawns codchi with the home's environment, streaming its stderr. */
export function spawnCli(home: TestHome, args: string[]): LiveCli {
  const DENO_DIR = home.env.DENO_DIR;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", `${REPO}/main.ts`, ...args],
    env: { ...home.env, DENO_DIR },
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  const waiters: { re: RegExp; resolve: (l: string | undefined) => void }[] = [];
  const pump = (async () => {
    const dec = new TextDecoder();
    let buf = "";
    for await (const chunk of child.stderr) {
      buf += dec.decode(chunk, { stream: true });
      let i: number;
      while ((i = buf.search(/[\r\n]/)) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        text += line + "\n";
        for (const w of [...waiters]) {
          if (w.re.test(line)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      }
    }
    text += buf;
    for (const w of waiters.splice(0)) w.resolve(undefined);
  })();
  return {
    child,
    waitFor: (re) => {
      const seen = text.split("\n").find((l) => re.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ re, resolve }));
    },
    done: async () => {
      const st = await child.status;
      await pump;
      return { code: st.code, stderr: text };
    },
  };
}
