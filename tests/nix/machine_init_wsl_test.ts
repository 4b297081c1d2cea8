/**
 * The machine image's /sbin/init (nix/container/machine/init.sh) on its real WSL branch, which
 * machine_init_test.ts switches off (CODCHI_INIT_ROOT): run unchanged as root in its own mount
 * namespace, chrooted into a root of the real image's layout (busybox in /usr/lib/codchi, no
 * /bin), with the store's /nix shared under /mnt/wsl/codchi/nix as the store distro shares it.
 * Needs root and a static busybox (Debian's busybox-static); ignored otherwise.
 */
import { equal } from "node:assert/strict";
import { contractShellVars } from "./_contract.ts";
import { ENV_FILE, MACHINE_USER, WSL_ENV_DROP } from "../../src/contract.ts";

const INIT = new URL("../../nix/container/machine/init.sh", import.meta.url).pathname;
const BUSYBOX = ["/usr/bin/busybox", "/bin/busybox"].find((p) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
});
const CAN_RUN = Deno.uid() === 0 && BUSYBOX !== undefined;

/** What the stand-in NixOS system's init reports about the machine it finds. */
const SYSTEM_INIT = `#!/usr/lib/codchi/busybox sh
export PATH=/usr/lib/codchi/bin
{
  echo "store: $(ls /nix/store)"
  echo "db: $(ls /nix/var/nix/db)"
  echo "profiles: $(ls /nix/var/nix/profiles)"
  echo home > "$HOME_DIR/from-machine"
  echo "home share: $(cat /mnt/wsl/codchi/machines/$1/home/from-machine)"
  echo "env: $(stat -c '%a %u' "$ENV_FILE")"
} > /result
`;

async function wslRoot(machine: string, wslDistroName: boolean): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "codchi-init-wsl-" });
  const dirs = [
    "usr/lib/codchi/bin",
    "sbin",
    "etc",
    "tmp",
    MACHINE_USER.home.slice(1),
    "nix/store",
    "nix/var/nix/db",
    "nix/var/nix/daemon-socket",
    "nix/var/nix/profiles",
    "mnt/wsl/codchi/nix/store/abc-hello",
    "mnt/wsl/codchi/nix/var/nix/db",
    "mnt/wsl/codchi/nix/var/nix/daemon-socket",
    "profiles/system",
  ];
  for (const d of dirs) await Deno.mkdir(`${root}/${d}`, { recursive: true });
  await Deno.copyFile(BUSYBOX!, `${root}/usr/lib/codchi/busybox`);
  await Deno.chmod(`${root}/usr/lib/codchi/busybox`, 0o755);
  const applets = new TextDecoder().decode(
    (await new Deno.Command(BUSYBOX!, { args: ["--list"], stdout: "piped" }).output()).stdout,
  ).split("\n").filter((a) => a);
  for (const a of applets) await Deno.symlink("../busybox", `${root}/usr/lib/codchi/bin/${a}`);
  await Deno.copyFile(INIT, `${root}/sbin/init`);
  await Deno.chmod(`${root}/sbin/init`, 0o755);
  await Deno.writeTextFile(`${root}/mnt/wsl/codchi/nix/var/nix/db/db.sqlite`, "");
  const init = `${root}/profiles/system/init`;
  await Deno.writeTextFile(
    init,
    SYSTEM_INIT.replace("$1", machine).replace("$HOME_DIR", MACHINE_USER.home).replace(
      "$ENV_FILE",
      ENV_FILE,
    ),
  );
  await Deno.writeTextFile(`${root}/usr/lib/codchi/contract.sh`, await contractShellVars());
  await Deno.chmod(init, 0o755);
  // The host drops the env file; the machine name comes from it unless WSL names the distro.
  const name = wslDistroName
    ? ""
    : `CODCHI_MACHINE_NAME='${machine}'\nexport CODCHI_MACHINE_NAME\n`;
  await Deno.writeTextFile(
    `${root}${WSL_ENV_DROP}`,
    `${name}CODCHI_PROFILES_DIR='/profiles'\nexport CODCHI_PROFILES_DIR\n`,
  );
  return root;
}

async function boot(root: string, env: Record<string, string>) {
  const out = await new Deno.Command("/usr/bin/unshare", {
    args: [
      "--mount",
      "--propagation",
      "private",
      "--",
      "/bin/sh",
      "-c",
      '/usr/bin/mkdir -p "$1/dev" && /usr/bin/mount --rbind /dev "$1/dev" && exec /usr/sbin/chroot "$1" /sbin/init',
      "boot",
      root,
    ],
    clearEnv: true,
    env: { PATH: "/usr/lib/codchi/bin", CODCHI_ENV_TIMEOUT: "3", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

for (const wslDistroName of [false, true]) {
  Deno.test({
    name: `init.sh on WSL (${
      wslDistroName ? "WSL_DISTRO_NAME" : "name from the env file"
    }): the store's /nix, the profiles, the home share, then the system`,
    ignore: !CAN_RUN,
  }, async () => {
    const root = await wslRoot("m1", wslDistroName);
    try {
      const r = await boot(root, wslDistroName ? { WSL_DISTRO_NAME: "codchi-m1" } : {});
      equal(r.code, 0, r.stderr);
      equal(
        await Deno.readTextFile(`${root}/result`),
        "store: abc-hello\ndb: db.sqlite\nprofiles: system\nhome share: home\n" +
          `env: 600 ${MACHINE_USER.uid}\n`,
      );
      equal(await Deno.readTextFile(`${root}${WSL_ENV_DROP}`).catch(() => "moved"), "moved");
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
}

Deno.test({
  name: "init.sh on WSL: no store sharing /nix → exits with a message naming the store",
  ignore: !CAN_RUN,
}, async () => {
  const root = await wslRoot("m2", false);
  try {
    await Deno.remove(`${root}/mnt/wsl/codchi/nix`, { recursive: true });
    const r = await boot(root, { CODCHI_ENV_TIMEOUT: "1" });
    equal(r.code, 1);
    equal(r.stderr.includes("is codchistore running?"), true, r.stderr);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
