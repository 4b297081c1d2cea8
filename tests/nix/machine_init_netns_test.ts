/**
 * The machine image's /sbin/init (nix/container/machine/init.sh) on its WSL branch with network
 * isolation: run unchanged as root in a mount and a network namespace of its own (that network
 * namespace plays WSL's shared one; nothing is configured in the test's), chrooted into a root of
 * the real image's layout (busybox in /usr/lib/codchi, netns.sh beside it, no /bin) whose
 * stand-in NixOS system carries the tools file the module writes (contract `netns.toolsFile`,
 * naming ip and nft in the store's /nix/store). The system's init then runs with the same pid in
 * a namespace of its own, on the address the host's env file asked for, and reaches the store's
 * gateway; when isolation fails (no nft) it runs in the shared namespace instead.
 * Needs root, Debian's busybox-static, iproute2's ip and nftables' nft; ignored otherwise.
 */
import { equal, match } from "node:assert/strict";
import { contractShellVars } from "./_contract.ts";
import { NETNS, WSL_ENV_DROP } from "../../src/contract.ts";
import { preferredHost } from "../../src/driver/wsl/netns.ts";

const IMAGE = new URL("../../nix/container/machine/", import.meta.url).pathname;
const exists = (p: string) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
};
const BUSYBOX = ["/usr/bin/busybox", "/bin/busybox"].find(exists);
const TOOLS = { ip: "/usr/sbin/ip", nft: "/usr/sbin/nft" };
const CAN_RUN = Deno.uid() === 0 && BUSYBOX !== undefined && exists(TOOLS.ip) &&
  exists(TOOLS.nft) && exists("/usr/bin/ldd");
const STORE_TOOLS = "/nix/store/00000000000000000000000000000000-netns-tools";

/** What the stand-in NixOS system's init reports: its pid, network and the gateway's answer. */
const SYSTEM_INIT = `#!/usr/lib/codchi/busybox sh
export PATH=/usr/lib/codchi/bin
{
  echo "pid: $$"
  [ -e /proc/$$/fd/9 ] && echo "fd 9: open" || echo "fd 9: closed"
  echo "eth0: $(ip -4 addr show dev eth0 2>/dev/null | sed -n 's/.*inet \\([0-9./]*\\).*/\\1/p')"
  echo "route: $(ip route 2>/dev/null | grep ^default)"
  ping -c 1 -W 3 "$GW" >/ping.log 2>&1 && echo "gateway: reached" || echo "gateway: no"
} > /result
`;

async function copyWithLibs(root: string, bins: Record<string, string>) {
  const ldd = await new Deno.Command("/usr/bin/ldd", {
    args: Object.values(bins),
    stdout: "piped",
  }).output();
  const libs = new Set(
    new TextDecoder().decode(ldd.stdout).split("\n")
      .map((l) => l.trim().split(/\s+/).find((w) => w.startsWith("/")))
      .filter((p): p is string => p !== undefined && !p.endsWith(":")),
  );
  for (const lib of libs) {
    await Deno.mkdir(`${root}${lib.replace(/\/[^/]+$/, "")}`, { recursive: true });
    await Deno.copyFile(await Deno.realPath(lib), `${root}${lib}`);
  }
  const dir = `${root}/mnt/wsl/codchi${STORE_TOOLS}/bin`;
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, path] of Object.entries(bins)) {
    await Deno.copyFile(path, `${dir}/${name}`);
    await Deno.chmod(`${dir}/${name}`, 0o755);
  }
}

async function machineRoot(machine: string, tools: string): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "codchi-init-netns-" });
  for (
    const d of [
      "usr/lib/codchi/bin",
      "sbin",
      "etc",
      "tmp",
      "proc",
      "home",
      "nix/store",
      "nix/var/nix/db",
      "nix/var/nix/daemon-socket",
      "nix/var/nix/profiles",
      "mnt/wsl/codchi/nix/store",
      "mnt/wsl/codchi/nix/var/nix/db",
      "mnt/wsl/codchi/nix/var/nix/daemon-socket",
      `profiles/system${NETNS.toolsFile.replace(/\/[^/]+$/, "")}`,
    ]
  ) await Deno.mkdir(`${root}/${d}`, { recursive: true });
  await Deno.copyFile(BUSYBOX!, `${root}/usr/lib/codchi/busybox`);
  await Deno.chmod(`${root}/usr/lib/codchi/busybox`, 0o755);
  const applets = new TextDecoder().decode(
    (await new Deno.Command(BUSYBOX!, { args: ["--list"], stdout: "piped" }).output()).stdout,
  ).split("\n").filter((a) => a);
  for (const a of applets) await Deno.symlink("../busybox", `${root}/usr/lib/codchi/bin/${a}`);
  await Deno.copyFile(`${IMAGE}init.sh`, `${root}/sbin/init`);
  await Deno.chmod(`${root}/sbin/init`, 0o755);
  await Deno.copyFile(`${IMAGE}netns.sh`, `${root}/usr/lib/codchi/netns.sh`);
  await Deno.writeTextFile(`${root}/usr/lib/codchi/contract.sh`, await contractShellVars());
  await copyWithLibs(root, TOOLS);
  const gw = `${NETNS.subnet}.${NETNS.gatewayHost}`;
  await Deno.writeTextFile(`${root}/profiles/system/init`, SYSTEM_INIT.replace("$GW", gw), {
    mode: 0o755,
  });
  await Deno.writeTextFile(`${root}/profiles/system${NETNS.toolsFile}`, tools);
  await Deno.writeTextFile(
    `${root}${WSL_ENV_DROP}`,
    `CODCHI_MACHINE_NAME='${machine}'\nexport CODCHI_MACHINE_NAME\n` +
      `CODCHI_PROFILES_DIR='/profiles'\nexport CODCHI_PROFILES_DIR\n` +
      `${NETNS.hostVar}='${preferredHost(machine)}'\nexport ${NETNS.hostVar}\n`,
  );
  return root;
}

/**
 * Boots the root: own mount and network namespaces (loopback up, and held by a process of its
 * own besides the machine's, as WSL's is), /dev and /proc, then chroot /sbin/init.
 */
async function boot(root: string) {
  const child = new Deno.Command("/usr/bin/unshare", {
    args: [
      "--mount",
      "--net",
      "--propagation",
      "private",
      "--",
      "/bin/sh",
      "-c",
      '/usr/sbin/ip link set lo up && { /usr/bin/sleep 30 </dev/null >/dev/null 2>&1 & echo $! > "$1.holder"; } && ' +
      '/usr/bin/mount --rbind /dev "$1/dev" && ' +
      '/usr/bin/mount -t proc proc "$1/proc" && ' +
      'exec /usr/sbin/chroot "$1" /sbin/init',
      "boot",
      root,
    ],
    clearEnv: true,
    env: { PATH: "/usr/lib/codchi/bin", CODCHI_ENV_TIMEOUT: "3" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = await child.output();
  const holder = await Deno.readTextFile(`${root}.holder`).catch(() => "");
  if (/^\d+\n?$/.test(holder)) Deno.kill(Number(holder), "SIGKILL");
  await Deno.remove(`${root}.holder`).catch(() => {});
  return { pid: child.pid, code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test({
  name: "init.sh on WSL with networkIsolation: the system starts in its own namespace, same pid",
  ignore: !CAN_RUN,
}, async () => {
  const machine = "web";
  const root = await machineRoot(
    machine,
    `CODCHI_NETNS_IP=${STORE_TOOLS}/bin/ip\nCODCHI_NETNS_NFT=${STORE_TOOLS}/bin/nft\n`,
  );
  try {
    await Deno.mkdir(`${root}/dev`);
    const r = await boot(root);
    equal(r.code, 0, r.stderr);
    const host = preferredHost(machine);
    equal(
      await Deno.readTextFile(`${root}/result`),
      `pid: ${r.pid}\nfd 9: closed\neth0: ${NETNS.subnet}.${host}/24\n` +
        `route: default via ${NETNS.subnet}.${NETNS.gatewayHost} dev eth0 \ngateway: reached\n`,
    );
    match(
      r.stderr,
      new RegExp(`network isolation: ${NETNS.subnet.replaceAll(".", "\\.")}\\.${host} on eth0`),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test({
  name:
    "init.sh on WSL with networkIsolation but no nft: the system starts in the shared namespace",
  ignore: !CAN_RUN,
}, async () => {
  const root = await machineRoot("web", `CODCHI_NETNS_IP=${STORE_TOOLS}/bin/ip\n`);
  try {
    await Deno.mkdir(`${root}/dev`);
    const r = await boot(root);
    equal(r.code, 0, r.stderr);
    equal(
      await Deno.readTextFile(`${root}/result`),
      `pid: ${r.pid}\nfd 9: closed\neth0: \nroute: \ngateway: no\n`,
    );
    match(r.stderr, /missing tool/);
    match(r.stderr, /network isolation failed: starting in WSL's shared network namespace/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
