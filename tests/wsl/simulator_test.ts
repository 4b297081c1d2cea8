/** The wsl.exe simulator speaks like wsl.exe: encodings, texts, exit codes, WSLENV, state, faults. */
import { assert, assertEquals } from "./assert.ts";
import { MACHINE_IMAGE, sandbox } from "./sim.ts";
import { decodeWslOutput } from "../../src/driver/wsl/decode.ts";

const utf8 = { WSL_UTF8: "1" };
const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("simulator: UTF-16LE by default, UTF-8 with WSL_UTF8=1, wsl.exe's exit codes", async () => {
  const sb = await sandbox();
  try {
    const raw = await sb.wsl(["--list", "--verbose"], { env: { WSL_SIM_VERSION: "2.4.11.0" } });
    assertEquals(raw.code, 255);
    assertEquals(raw.stdout[1], 0, "UTF-16LE: every second byte of ASCII is NUL");
    assertEquals(raw.stderr.length, 0, "wsl.exe prints its own errors on stdout");
    // 2.4 and later (WslClient.cpp, MicrosoftDocs/WSL#2137): MessageNoDefaultDistro, no code line.
    const noCode = decodeWslOutput(raw.stdout);
    assert(noCode.startsWith("Windows Subsystem for Linux has no installed distributions.\n"));
    assert(!noCode.includes("Error code"), noCode);
    // The 2.0 era (microsoft/WSL#9338): the Store hint, then the code line.
    const old = decodeWslOutput(
      (await sb.wsl(["--list"], { env: { WSL_SIM_VERSION: "2.0.14.0" } })).stdout,
    );
    assert(
      old.includes("https://aka.ms/wslstore\nError code: Wsl/WSL_E_DEFAULT_DISTRO_NOT_FOUND"),
      old,
    );
    const quiet = await sb.wsl(["--list", "--quiet"]);
    assertEquals([quiet.code, quiet.stdout.length], [0, 0]);
    const v = await sb.wsl(["--version"], { env: utf8 });
    assert(text(v.stdout).startsWith("WSL version: 2.0.14.0\r\n"));
    const bad = await sb.wsl(["--bogus"], { env: utf8 });
    assertEquals(bad.code, 255);
    assert(text(bad.stdout).includes("Invalid command line argument: --bogus"));
    assert(!text(bad.stdout).includes("Error code"), "WSL_E_INVALID_USAGE has no code line");
  } finally {
    await sb.dispose();
  }
});

Deno.test("simulator: import, list, errors of unknown and existing distros, unregister", async () => {
  const sb = await sandbox();
  try {
    const dir = `${sb.dir}/disks/a`;
    const imp = await sb.wsl(["--import", "a", dir, MACHINE_IMAGE, "--version", "2"], {
      env: utf8,
    });
    assertEquals(imp.code, 0, text(imp.stdout));
    assert(text(imp.stdout).includes("The operation completed successfully."));
    assert((await Deno.stat(`${dir}/ext4.vhdx`)).isFile);
    const again = await sb.wsl(["--import", "A", `${sb.dir}/x`, MACHINE_IMAGE], { env: utf8 });
    assertEquals(again.code, 255);
    assert(text(again.stdout).includes("A distribution with the supplied name already exists."));
    const inUse = await sb.wsl(["--import", "b", dir, MACHINE_IMAGE], { env: utf8 });
    assert(text(inUse.stdout).includes("The supplied install location is already in use."));
    const list = await sb.wsl(["-l", "-v"], { env: utf8 });
    assertEquals(
      text(list.stdout),
      "  NAME    STATE           VERSION\r\n* a       Stopped         2\r\n",
    );
    for (
      const args of [["--unregister", "zz"], ["--terminate", "zz"], ["-d", "zz", "-e", "true"]]
    ) {
      const r = await sb.wsl(args, { env: utf8 });
      assertEquals(r.code, 255);
      const all = text(r.stdout) + text(r.stderr);
      assert(all.includes("There is no distribution with the supplied name."), all);
      assert(/Error code: Wsl\/.*WSL_E_DISTRO_NOT_FOUND/.test(all), all);
    }
    const un = await sb.wsl(["--unregister", "a"], { env: utf8 });
    assertEquals(un.code, 0);
    assertEquals([...Deno.readDirSync(`${sb.state}/roots`)].length, 0);
  } finally {
    await sb.dispose();
  }
});

Deno.test("simulator: --exec keeps argv, -- goes through the shell, WSLENV flags", async () => {
  const sb = await sandbox();
  try {
    await sb.wsl(["--import", "a", `${sb.dir}/a`, MACHINE_IMAGE]);
    const args = ["a b", "$(id -u)", "`x`", "*", "new\nline", "ü"];
    const ex = await sb.wsl(["-d", "a", "--exec", "sh", "-c", 'printf "%s|" "$@"', "sh", ...args]);
    assertEquals(text(ex.stdout), args.join("|") + "|");
    const sh = await sb.wsl(["-d", "a", "--user", "codchi", "--", "echo", "$HOME", "a  b"]);
    assertEquals(text(sh.stdout), "/home/codchi a  b\n");
    const env = {
      WSLENV: "PLAIN/u:BACK/w:WINPATH/up:LIST/l",
      PLAIN: "x y",
      BACK: "not passed",
      WINPATH: "C:\\Users\\me\\dir",
      LIST: "C:\\a;D:\\b",
    };
    const r = await sb.wsl([
      "-d",
      "a",
      "-e",
      "sh",
      "-c",
      'echo "$PLAIN|${BACK-unset}|$WINPATH|$LIST"',
    ], {
      env,
    });
    assertEquals(text(r.stdout), "x y|unset|/mnt/c/Users/me/dir|/mnt/c/a:/mnt/d/b\n");
    const exit = await sb.wsl(["-d", "a", "-e", "sh", "-c", "exit 9"]);
    assertEquals(exit.code, 9);
  } finally {
    await sb.dispose();
  }
});

Deno.test("simulator: running state, boot command, terminate, disk copy + --import-in-place", async () => {
  const sb = await sandbox();
  try {
    await sb.wsl(["--import", "a", `${sb.dir}/a`, MACHINE_IMAGE]);
    const state = async () => text((await sb.wsl(["-l", "-v"], { env: utf8 })).stdout);
    assert((await state()).includes("Stopped"));
    await sb.wsl(["-d", "a", "-e", "sh", "-c", "echo keep > /root/file"]);
    assert((await state()).includes("Running"));
    const booted = await sb.wsl([
      "-d",
      "a",
      "-e",
      "sh",
      "-c",
      "sleep 0.2; test -e /run/codchi-booted",
    ]);
    assertEquals(booted.code, 0, "the wsl.conf boot command ran");
    assertEquals((await sb.wsl(["-t", "a"])).code, 0);
    assert((await state()).includes("Stopped"));
    // After --terminate the disk stays attached to the VM: a copy of the file is not current…
    await Deno.mkdir(`${sb.dir}/stale`);
    await Deno.copyFile(`${sb.dir}/a/ext4.vhdx`, `${sb.dir}/stale/ext4.vhdx`);
    await sb.wsl(["--import-in-place", "stale", `${sb.dir}/stale/ext4.vhdx`]);
    const stale = await sb.wsl(["-d", "stale", "-e", "cat", "/root/file"]);
    assertEquals(stale.code, 1, "the copy misses what was written while attached");
    // …a copy made by WSL (--export --format vhd) is.
    await Deno.mkdir(`${sb.dir}/b`);
    const exp = await sb.wsl(["--export", "a", `${sb.dir}/b/ext4.vhdx`, "--format", "vhd"]);
    assertEquals(exp.code, 0);
    const inPlace = await sb.wsl(["--import-in-place", "b", `${sb.dir}/b/ext4.vhdx`]);
    assertEquals(inPlace.code, 0);
    const r = await sb.wsl(["-d", "b", "-e", "cat", "/root/file"]);
    assertEquals(text(r.stdout), "keep\n");
    const sparse = await sb.wsl(["--manage", "b", "--set-sparse", "true"], { env: utf8 });
    assertEquals(sparse.code, 255, "a running distro cannot be converted");
    await sb.wsl(["--shutdown"]);
    assertEquals((await sb.wsl(["--manage", "b", "--set-sparse", "true"])).code, 0);
    const newer = await sb.wsl(["--manage", "b", "--set-sparse", "true"], {
      env: { ...utf8, WSL_SIM_VERSION: "2.5.10.0" },
    });
    assert(text(newer.stdout).includes("Sparse VHD support is currently disabled"));
    // --shutdown detaches the disks: now the file is current.
    await Deno.mkdir(`${sb.dir}/c`);
    await Deno.copyFile(`${sb.dir}/a/ext4.vhdx`, `${sb.dir}/c/ext4.vhdx`);
    await sb.wsl(["--import-in-place", "c", `${sb.dir}/c/ext4.vhdx`]);
    assertEquals(text((await sb.wsl(["-d", "c", "-e", "cat", "/root/file"])).stdout), "keep\n");
  } finally {
    await sb.dispose();
  }
});

Deno.test("simulator: scripted, persistent and seeded random faults, and the call log", async () => {
  const sb = await sandbox();
  try {
    sb.set({ WSL_SIM_FAIL_SEQ: "ok,catastrophic,rpc,ok" });
    const codes = [];
    for (let i = 0; i < 5; i++) {
      const r = await sb.wsl(["--list", "--quiet"], { env: utf8 });
      codes.push(r.code);
      if (i === 1) {
        assert(
          text(r.stdout).includes("Catastrophic failure\r\nError code: Wsl/Service/E_UNEXPECTED"),
        );
      }
      if (i === 2) assert(text(r.stdout).includes("The remote procedure call failed."));
    }
    assertEquals(codes, [0, 255, 255, 0, 0]);
    sb.set({
      WSL_SIM_FAIL_SEQ: undefined,
      WSL_SIM_FAIL_PERSIST: "timeout",
      WSL_SIM_FAIL_OPS: "import",
    });
    assertEquals((await sb.wsl(["--list", "--quiet"])).code, 0, "other operations are spared");
    assertEquals((await sb.wsl(["--import", "a", `${sb.dir}/a`, MACHINE_IMAGE])).code, 255);
    sb.set({ WSL_SIM_FAIL_PERSIST: undefined, WSL_SIM_FAIL_OPS: undefined });

    const run = async (seed: string) => {
      const sb2 = await sandbox();
      sb2.set({ WSL_SIM_FAIL_RATE: "0.3", WSL_SIM_SEED: seed });
      const out = [];
      for (let i = 0; i < 20; i++) out.push((await sb2.wsl(["--list", "--quiet"])).code);
      await sb2.dispose();
      return out;
    };
    const a = await run("7");
    assertEquals(await run("7"), a, "the same seed fails the same calls");
    const failed = a.filter((c) => c !== 0).length;
    assert(failed >= 2 && failed <= 12, `about 30% failed (${failed}/20)`);
  } finally {
    await sb.dispose().catch(() => {});
  }
});
