import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { ensureVcxsrv, vcxsrvEnv, xServerListening } from "../../../src/host/windows/vcxsrv_run.ts";
import { VCXSRV_INSTALL_HINT } from "../../../src/host/windows/vcxsrv.ts";
import { DISPLAY_VAR } from "../../../src/contract.ts";
import { ProcessRunner } from "../../../src/process.ts";
import { PrerequisiteError } from "../../../src/errors.ts";

// Display numbers far above real X servers: 6000 + 470 + n.
const DISPLAY = 470 + (Deno.pid % 50);

Deno.test("an X server already listening is left alone", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 6000 + DISPLAY });
  try {
    equal(await xServerListening(DISPLAY), true);
    equal(await ensureVcxsrv({ display: DISPLAY, exe: "/nonexistent/vcxsrv.exe" }), "running");
  } finally {
    listener.close();
  }
  equal(await xServerListening(DISPLAY), false);
});

Deno.test("a missing vcxsrv.exe is an error that names the fix", async () => {
  await rejects(
    ensureVcxsrv({ display: DISPLAY + 1, timeoutMs: 200 }),
    (e) =>
      e instanceof PrerequisiteError && /vcxsrv\.exe was not found/.test(e.message) &&
      /winget install marha\.VcXsrv/.test(e.hint ?? ""),
  );
});

Deno.test("VcXsrv is started with its argv and waited for", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A stand-in server: records its argv, listens on 6000 + display for a moment, then ends.
    const server = `${dir}/listen.ts`;
    await Deno.writeTextFile(
      server,
      `await Deno.writeTextFile(${JSON.stringify(`${dir}/argv`)}, JSON.stringify(Deno.args));
       const l = Deno.listen({ hostname: "127.0.0.1", port: 6000 + Number(Deno.args[0].slice(1)) });
       setTimeout(() => { l.close(); Deno.exit(0); }, 1500);
       for await (const c of l) c.close();`,
    );
    const exe = `${dir}/vcxsrv.sh`;
    await Deno.writeTextFile(
      exe,
      `#!/bin/sh\nexec ${JSON.stringify(Deno.execPath())} run -A --no-lock ${server} "$@"\n`,
    );
    await Deno.chmod(exe, 0o755);
    equal(await ensureVcxsrv({ display: DISPLAY + 2, exe, timeoutMs: 10_000 }), "started");
    equal(
      await Deno.readTextFile(`${dir}/argv`),
      JSON.stringify([`:${DISPLAY + 2}`, "-multiwindow", "-clipboard", "-wgl", "-ac"]),
    );
    await new Promise((r) => setTimeout(r, 1700)); // let the stand-in end
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A stand-in vcxsrv.exe (a script): counts its starts, listens on 6000 + display for `ms`. */
async function standIn(dir: string, ms: number): Promise<string> {
  const server = `${dir}/listen.ts`;
  await Deno.writeTextFile(
    server,
    `await Deno.writeTextFile(${JSON.stringify(`${dir}/starts`)}, "x", { append: true });
     await new Promise((r) => setTimeout(r, 300)); // a server takes a moment to listen
     const l = Deno.listen({ hostname: "127.0.0.1", port: 6000 + Number(Deno.args[0].slice(1)) });
     setTimeout(() => { l.close(); Deno.exit(0); }, ${ms});
     for await (const c of l) c.close();`,
  );
  const exe = `${dir}/vcxsrv.sh`;
  await Deno.writeTextFile(
    exe,
    `#!/bin/sh\nexec ${JSON.stringify(Deno.execPath())} run -A --no-lock ${server} "$@"\n`,
  );
  await Deno.chmod(exe, 0o755);
  return exe;
}

Deno.test("vcxsrvEnv: disabled, running, missing (WSLg + one line), started once by two", async () => {
  const dir = await Deno.makeTempDir();
  const display = DISPLAY + 3;
  const warned: string[] = [];
  const base = {
    env: {},
    runner: new ProcessRunner(),
    locksDir: `${dir}/locks`,
    warn: (l: string) => warned.push(l),
    display,
  };
  try {
    let looked = false;
    const find = () => {
      looked = true;
      return Promise.resolve(undefined);
    };
    // Disabled: nothing is looked for, WSLg.
    equal(await vcxsrvEnv({ ...base, enabled: false, find }), undefined);
    equal(looked, false);
    // Not installed: WSLg, with the line that says how to install it.
    equal(await vcxsrvEnv({ ...base, enabled: true, find }), undefined);
    equal(warned.length, 1);
    ok(warned[0].includes(VCXSRV_INSTALL_HINT), warned[0]);
    // Installed: two codchis at once start it once; both get the display.
    const exe = await standIn(dir, 4000);
    const found = () => Promise.resolve(exe);
    const both = await Promise.all([
      vcxsrvEnv({ ...base, enabled: true, find: found, timeoutMs: 10_000 }),
      vcxsrvEnv({ ...base, enabled: true, find: found, timeoutMs: 10_000 }),
    ]);
    deepEqual(both, [{ [DISPLAY_VAR]: `:${display}` }, { [DISPLAY_VAR]: `:${display}` }]);
    equal(await Deno.readTextFile(`${dir}/starts`), "x", "one instance");
    // Running: used as it is, nothing looked for.
    looked = false;
    deepEqual(await vcxsrvEnv({ ...base, enabled: true, find }), { [DISPLAY_VAR]: `:${display}` });
    equal(looked, false);
    equal(warned.length, 1);
    await new Promise((r) => setTimeout(r, 4200)); // let the stand-in end
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
