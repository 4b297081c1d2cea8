/**
 * Terminal detection from a real environment: gsettings (memory backend) on GNOME, kdeglobals on
 * KDE, PATH lookups; the chosen argv really starts the terminal, which runs the command.
 */
import assert from "node:assert/strict";
import { ProcessRunner } from "../../src/process.ts";
import { detachedArgv, detectTerminal, terminalArgv } from "../../src/host/linux/terminal.ts";
import { have, sh, waitFor } from "./helpers.ts";

async function fakeBin(dir: string, name: string) {
  // A terminal that records its argv and runs what follows `-e` (or `--`).
  await Deno.writeTextFile(
    `${dir}/${name}`,
    `#!/bin/sh\nprintf '%s\\n' "$0" "$@" > "$TERM_OUT"\nwhile [ $# -gt 0 ]; do case "$1" in -e|--|-x) shift; exec "$@";; esac; shift; done\n`,
  );
  await Deno.chmod(`${dir}/${name}`, 0o755);
}

Deno.test("GNOME: the desktop's default terminal from gsettings; KDE: from kdeglobals", async () => {
  if (!have("gsettings")) return console.warn("gsettings missing: skipped");
  const dir = await Deno.makeTempDir({ prefix: "codchi-term-" });
  const prevBackend = Deno.env.get("GSETTINGS_BACKEND");
  Deno.env.set("GSETTINGS_BACKEND", "memory");
  try {
    await Deno.mkdir(`${dir}/bin`);
    await fakeBin(`${dir}/bin`, "x-terminal-emulator");
    await fakeBin(`${dir}/bin`, "konsole");
    const runner = new ProcessRunner(false);
    const base = { HOME: dir, PATH: `${dir}/bin:/usr/bin:/bin` };

    const gnome = await detectTerminal({ ...base, XDG_CURRENT_DESKTOP: "GNOME" }, runner);
    assert.equal(gnome?.source, "desktop");
    assert.deepEqual(gnome?.prefix, ["x-terminal-emulator", "-e"]);
    assert.equal(runner.spawns, 2); // gsettings exec + exec-arg, nothing else

    await Deno.mkdir(`${dir}/.config`);
    await Deno.writeTextFile(
      `${dir}/.config/kdeglobals`,
      "[General]\nTerminalApplication=konsole\n",
    );
    const kde = await detectTerminal({ ...base, XDG_CURRENT_DESKTOP: "KDE" }, runner);
    assert.deepEqual(kde?.prefix, ["konsole", "-e"]);
    assert.equal(runner.spawns, 2); // no process on KDE

    // The argv really starts the terminal, which runs the command with its arguments intact.
    const out = `${dir}/term-argv`;
    const argv = terminalArgv(kde!, [
      "/bin/sh",
      "-c",
      'printf "%s|" "$@" > "$0"',
      `${dir}/cmd-argv`,
      "a b",
      "c",
    ]);
    const r = await sh(argv, { env: { PATH: base.PATH, TERM_OUT: out } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await Deno.readTextFile(`${dir}/cmd-argv`), "a b|c|");
  } finally {
    if (prevBackend === undefined) Deno.env.delete("GSETTINGS_BACKEND");
    else Deno.env.set("GSETTINGS_BACKEND", prevBackend);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("detachedArgv returns at once while the program keeps running", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codchi-detach-" });
  try {
    const t0 = Date.now();
    // Through the production Runner (dax, output captured): it must not wait for the program.
    const r = await new ProcessRunner(false).run(
      detachedArgv(["sh", "-c", `sleep 0.7; echo done > ${dir}/f`]),
    );
    assert.equal(r.code, 0, r.errText);
    assert.ok(Date.now() - t0 < 500, "setsid -f waited for the program");
    assert.ok(await waitFor(() => Deno.stat(`${dir}/f`).then(() => true, () => false), 5000));
  } finally {
    await new Promise((r) => setTimeout(r, 100));
    await Deno.remove(dir, { recursive: true });
  }
});
