/**
 * The host's Windows PATH inside a WSL machine (issue 15 item 1), on the wsl.exe simulator: the
 * driver hands it in with the env file, the machine image's login shell appends it with the WSL
 * module's own code (nix/nixos/driver/wsl/windows_path.sh) after the machine's PATH, while WSL's
 * own appending stays off (appendWindowsPath = false, as in codchi's wsl.conf).
 */
import { assertEquals } from "./assert.ts";
import { driver, machineEnv, sandbox } from "./sim.ts";
import { DISPLAY_VAR } from "../../src/contract.ts";
import { vcxsrvDisplayEnv } from "../../src/host/windows/vcxsrv.ts";

const dec = new TextDecoder();

Deno.test("Windows tools are found from a login shell, after the machine's own", async () => {
  const sb = await sandbox();
  const driveC = `${sb.dir}/drive-c`;
  try {
    // A Windows drive with clip.exe, VS Code's `code`, and an `id` that must lose to Linux's.
    const tool = async (dir: string, name: string, says: string) => {
      await Deno.mkdir(`${driveC}/${dir}`, { recursive: true });
      await Deno.writeTextFile(`${driveC}/${dir}/${name}`, `#!/bin/sh\necho ${says}\n`);
      await Deno.chmod(`${driveC}/${dir}/${name}`, 0o755);
    };
    await tool("Windows/System32", "clip.exe", "windows-clip");
    await tool("Windows/System32", "id", "windows-id");
    await tool("Program Files/Microsoft VS Code/bin", "code", "windows-code");
    const winPath = "C:\\Windows\\System32;\\\\server\\share\\bin;" +
      "C:\\Program Files\\Microsoft VS Code\\bin";
    // WSL would append it by itself if wsl.conf let it (the simulator does, like WSL).
    sb.set({ WSL_SIM_DRIVE_C: driveC, WSL_SIM_WINDOWS_PATH: winPath });
    const { d } = driver(sb, { env: { ...Deno.env.toObject(), Path: winPath } });
    await d.store.ensureRunning();
    await d.install("m1");
    await d.start("m1", machineEnv());
    const run = async (script: string, user: "codchi" | "root" = "codchi") =>
      dec.decode((await d.exec("m1", ["sh", "-c", script], { capture: true, user })).stdout)
        .trim();
    assertEquals(await run("clip.exe"), "windows-clip");
    assertEquals(await run("code"), "windows-code");
    // The machine's own tool wins; the Windows PATH comes last, once, translated.
    assertEquals(await run("id -un"), "codchi");
    const path = (await run('echo "$PATH"')).split(":");
    assertEquals(
      path.slice(-2),
      ["/mnt/c/Windows/System32", "/mnt/c/Program Files/Microsoft VS Code/bin"],
    );
    assertEquals(path.filter((p) => p === "/mnt/c/Windows/System32").length, 1);
    // A nested login shell does not append it again.
    assertEquals(
      (await run("sh -lc 'echo \"$PATH\"'")).split(":").filter((p) => p.startsWith("/mnt/c"))
        .length,
      2,
    );
    // Root's login shell as well.
    assertEquals(await run("clip.exe", "root"), "windows-clip");
    // exec's display variable for VcXsrv (vcxsrvDisplayEnv) reaches the user's session (WSLENV).
    const gui = await d.exec("m1", ["sh", "-c", `echo "$${DISPLAY_VAR}"`], {
      capture: true,
      env: vcxsrvDisplayEnv(0),
    });
    assertEquals(dec.decode(gui.stdout).trim(), ":0");
  } finally {
    await sb.dispose();
  }
});

Deno.test("without a Windows PATH the machine's PATH is left as it is", async () => {
  const sb = await sandbox();
  try {
    const env = Object.fromEntries(
      Object.entries(Deno.env.toObject()).filter(([k]) => k !== "Path"),
    );
    const { d } = driver(sb, { env });
    await d.store.ensureRunning();
    await d.install("m1");
    await d.start("m1", machineEnv());
    const out = await d.exec("m1", ["sh", "-c", 'echo "$PATH"'], { capture: true });
    const path = dec.decode(out.stdout).trim();
    assertEquals(path.split(":").filter((p) => p.startsWith("/mnt/")), []);
  } finally {
    await sb.dispose();
  }
});
