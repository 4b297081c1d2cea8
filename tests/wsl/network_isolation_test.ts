/**
 * Network isolation on the wsl.exe simulator: two machines of the real image's layout (the real
 * init.sh and netns.sh) whose stand-in NixOS systems carry the tools file of
 * `codchi.driver.wsl.networkIsolation` (the host's ip and nft, copied into the system with their
 * libraries), started by the WSL driver. The simulator's VM gets a network namespace of its own
 * (WSL_SIM_NET=1): every distro and every wsl.exe command share it, as on WSL, and nothing is
 * configured in the test host's. Both systems serve 0.0.0.0:8000; each sees only its own, the
 * shared namespace neither, and they reach each other by address through the store's bridge.
 */
import { assert, assertEquals } from "./assert.ts";
import { driver, machineEnv, REAL_MACHINE_IMAGE, sandbox } from "./sim.ts";
import { machinePaths } from "../../src/config/paths.ts";
import { NETNS } from "../../src/contract.ts";

const dec = new TextDecoder();
const BB = "/usr/lib/codchi/busybox";
const TOOLS = { ip: "/usr/sbin/ip", nft: "/usr/sbin/nft" };
const PROFILE = "/nix/var/nix/profiles/system"; // where the machine sees its system profile

/** The stand-in NixOS system: /bin/sh and a "running" systemd, then a web server on :8000. */
const FAKE_SYSTEM = `#!${BB} sh
export PATH=/usr/lib/codchi/bin
mkdir -p /bin /usr/bin /srv
ln -sf ${BB} /bin/sh
printf '#!/bin/sh\\necho running\\n' > /usr/bin/systemctl
chmod 755 /usr/bin/systemctl
sed -n "s/^CODCHI_MACHINE_NAME='\\\\(.*\\\\)'$/\\\\1/p" /etc/codchi-env > /srv/who
httpd -p 0.0.0.0:8000 -h /srv
: > /run/fake-nixos-booted
exec sleep 2147483647
`;

/** A tar of the host's ip and nft libraries (and the loader), for the machine's root. */
async function libsTar(): Promise<Uint8Array> {
  const ldd = await new Deno.Command("ldd", { args: Object.values(TOOLS), stdout: "piped" })
    .output();
  const libs = [
    ...new Set(
      dec.decode(ldd.stdout).split("\n")
        .map((l) => l.trim().split(/\s+/).find((w) => w.startsWith("/") && !w.endsWith(":")))
        .filter((p): p is string => p !== undefined),
    ),
  ].map((p) => p.slice(1));
  const out = await new Deno.Command("tar", {
    args: ["-chf", "-", "-C", "/", ...libs],
    stdout: "piped",
  })
    .output();
  assert(out.success, "tar of the libraries");
  return out.stdout;
}

async function canRun(): Promise<boolean> {
  if (Deno.uid() !== 0) return false;
  for (const t of [...Object.values(TOOLS), "/usr/bin/ldd"]) {
    if (!(await Deno.stat(t).then(() => true, () => false))) return false;
  }
  return true;
}

Deno.test({
  name: "network isolation: two machines both serve :8000, each sees its own, the VM neither",
  ignore: !(await canRun()),
  async fn() {
    const sb = await sandbox();
    try {
      sb.set({ WSL_SIM_INIT_TIMEOUT_MS: "1000", WSL_SIM_NET: "1" });
      const { d, paths } = driver(sb, { machineImage: REAL_MACHINE_IMAGE });
      await d.store.ensureRunning();
      // Safety first: the simulator's VM is in a network namespace of its own.
      const vmNet = dec.decode(
        (await sb.wsl(["-d", "codchistore", "-u", "root", "-e", "readlink", "/proc/self/ns/net"]))
          .stdout,
      ).trim();
      assert(/^net:\[\d+\]$/.test(vmNet), vmNet);
      assert(vmNet !== Deno.readLinkSync("/proc/self/ns/net"), "the VM has its own network");

      const libs = await libsTar();
      const machines = ["r1", "r2"];
      for (const m of machines) {
        await d.install(m);
        const system = `${machinePaths(paths, m).profilesDir}/system`;
        await Deno.mkdir(`${system}/sw/bin`, { recursive: true });
        await Deno.mkdir(`${system}${NETNS.toolsFile.replace(/\/[^/]+$/, "")}`, {
          recursive: true,
        });
        await Deno.writeTextFile(`${system}/init`, FAKE_SYSTEM, { mode: 0o755 });
        for (const [name, path] of Object.entries(TOOLS)) {
          await Deno.copyFile(path, `${system}/sw/bin/${name}`);
        }
        await Deno.writeTextFile(
          `${system}${NETNS.toolsFile}`,
          `CODCHI_NETNS_IP=${PROFILE}/sw/bin/ip\nCODCHI_NETNS_NFT=${PROFILE}/sw/bin/nft\n`,
        );
        const put = await sb.wsl(
          ["-d", `codchi-${m}`, "-u", "root", "-e", BB, "tar", "-xf", "-", "-C", "/"],
          { stdin: libs },
        );
        assertEquals(put.code, 0, dec.decode(put.stdout) + dec.decode(put.stderr));
        await sb.wsl(["--terminate", `codchi-${m}`]);
      }
      for (const m of machines) await d.start(m, { ...machineEnv(), vars: {} });

      /** Runs busybox `sh -c` as root in the machine: in the shared namespace or the system's. */
      const sh = async (m: string, script: string, inSystem: boolean) => {
        const inner = inSystem ? `${BB} nsenter -t "$(${BB} pidof httpd)" -n -- ${script}` : script;
        const r = await sb.wsl(["-d", `codchi-${m}`, "-u", "root", "-e", BB, "sh", "-c", inner]);
        return { code: r.code, out: dec.decode(r.stdout).trim() };
      };
      const get = (url: string) => `${BB} wget -q -O - ${url}`;
      const addr: Record<string, string> = {};
      for (const m of machines) {
        // Its own page on its own loopback, though both listen on 0.0.0.0:8000.
        assertEquals(await sh(m, get("http://127.0.0.1:8000/who"), true), { code: 0, out: m });
        // The shared namespace (wsl.exe's commands, every other distro) sees neither.
        assert((await sh(m, get("http://127.0.0.1:8000/who"), false)).code !== 0);
        const ip = await sh(m, `${BB} ip -4 addr show dev eth0`, true);
        const found = new RegExp(`inet (${NETNS.subnet.replaceAll(".", "\\.")}\\.\\d+)/24`)
          .exec(ip.out);
        assert(found, ip.out);
        addr[m] = found[1];
      }
      assert(addr.r1 !== addr.r2);
      // Each reaches the other by address, through the bridge in the shared namespace.
      assertEquals(await sh("r1", get(`http://${addr.r2}:8000/who`), true), { code: 0, out: "r2" });
      assertEquals(await sh("r2", get(`http://${addr.r1}:8000/who`), true), { code: 0, out: "r1" });
      const bridge = await sb.wsl(["-d", "codchistore", "-u", "root", "-e", "ip", "-o", "link"]);
      assert(dec.decode(bridge.stdout).includes(`master ${NETNS.bridge}`));
    } finally {
      sb.set({ WSL_SIM_INIT_TIMEOUT_MS: undefined, WSL_SIM_NET: undefined });
      await sb.dispose();
    }
  },
});
