import { equal, rejects } from "node:assert/strict";
import { ensureVcxsrv, xServerListening } from "../../src/host/windows/vcxsrv_run.ts";
import { PrerequisiteError } from "../../src/errors.ts";

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
