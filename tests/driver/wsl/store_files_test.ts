/**
 * The shell code that hands the host's files into the WSL store (src/driver/wsl/argv.ts), run by
 * the host's real /bin/sh on a temp folder (the store runs it with busybox sh).
 */
import { deepEqual, equal } from "node:assert/strict";
import {
  NO_STORE_FILES_EXIT,
  STORE_FILES_MARKER,
  storeApplyArgv,
  storeProbeArgv,
  storeWriteFileArgv,
} from "../../../src/driver/wsl/argv.ts";

const dec = new TextDecoder();

/** Runs argv with `stdin`; returns exit code and stdout. */
function run(argv: string[], stdin = "") {
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  return (async () => {
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
    const out = await child.output();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  })();
}

Deno.test("store file: written with its mode, 'changed' only when the bytes differ", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/etc/codchi/proxy.env`; // its folder is made
    const first = await run(storeWriteFileArgv(file, 0o644), "http_proxy=a\n");
    deepEqual([first.code, first.stdout.trim()], [0, "changed"], first.stderr);
    equal(await Deno.readTextFile(file), "http_proxy=a\n");
    equal((await Deno.stat(file)).mode! & 0o777, 0o644);
    const same = await run(storeWriteFileArgv(file, 0o644), "http_proxy=a\n");
    deepEqual([same.code, same.stdout], [0, ""]);
    const other = await run(storeWriteFileArgv(file, 0o644), "");
    deepEqual([other.code, other.stdout.trim()], [0, "changed"]);
    equal(await Deno.readTextFile(file), "");
    // No temp file is left behind.
    deepEqual([...Deno.readDirSync(`${dir}/etc/codchi`)].map((e) => e.name), ["proxy.env"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("store probe: fails with its own code until this boot got the files", async () => {
  const argv = storeProbeArgv(["/bin/sh", "-c", "exit 0"]);
  // The marker is on /run of the store; here it does not exist, so the probe says "not yet".
  equal(argv.includes(STORE_FILES_MARKER), true);
  const r = await run(argv);
  equal(r.code, NO_STORE_FILES_EXIT);
  // With the marker in place the probe itself decides.
  const dir = await Deno.makeTempDir();
  try {
    const marked = argv.map((a) => a === STORE_FILES_MARKER ? `${dir}/m` : a);
    await Deno.writeTextFile(`${dir}/m`, "");
    equal((await run(marked)).code, 0);
    const failing = storeProbeArgv(["/bin/sh", "-c", "exit 3"])
      .map((a) => a === STORE_FILES_MARKER ? `${dir}/m` : a);
    equal((await run(failing)).code, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("store apply: unchanged files only mark the boot", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const argv = storeApplyArgv(false, `${dir}/socket`)
      .map((a) => a === STORE_FILES_MARKER ? `${dir}/marker` : a);
    const r = await run(argv);
    equal(r.code, 0, r.stderr);
    equal((await Deno.stat(`${dir}/marker`)).isFile, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("store probe and apply: a changed switch (the marker's key) means 'hand in again'", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const at = (argv: string[]) => argv.map((a) => a === STORE_FILES_MARKER ? `${dir}/m` : a);
    // The apply step writes the switches it was made from into the marker.
    const r = await run(at(storeApplyArgv(false, `${dir}/socket`, "vpnkit=1")));
    equal(r.code, 0, r.stderr);
    equal(await Deno.readTextFile(`${dir}/m`), "vpnkit=1");
    equal((await run(at(storeProbeArgv(["/bin/sh", "-c", "exit 0"], "vpnkit=1")))).code, 0);
    // config.json turned wsl-vpnkit off: the running store is out of date.
    equal(
      (await run(at(storeProbeArgv(["/bin/sh", "-c", "exit 0"], "vpnkit=0")))).code,
      NO_STORE_FILES_EXIT,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
