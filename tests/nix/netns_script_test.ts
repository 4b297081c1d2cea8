/**
 * The machine image's network isolation (nix/container/machine/netns.sh), run for real as root.
 * Everything happens in namespaces this test makes and removes: a "VM" namespace (WSL's one
 * shared namespace, where the store and every distro's init live) and an "outside" one joined to
 * it by a veth pair with TEST-NET-1 addresses (192.0.2.0/24, playing Windows and the internet:
 * a web server that reports the client's address and a DNS server). No address is ever set in
 * the test process's own namespace. Two machines started by the script both serve 0.0.0.0:8000,
 * each sees only its own, the VM's loopback sees neither, both reach the store's gateway, the
 * outside (masqueraded) and DNS through it (also a name server on the shared namespace's loopback,
 * as WSL's DNS tunneling has); a machine whose preferred address is held by a
 * running one takes the next; a stopped machine's veth pair is gone; a failure leaves nothing.
 * Needs root, unshare/nsenter (util-linux), ip (iproute2), nft (nftables) and Debian's busybox.
 */
import { deepStrictEqual, equal, match, notEqual, ok } from "node:assert/strict";
import { contractShellVars } from "./_contract.ts";
import { NETNS } from "../../src/contract.ts";

const NETNS_SH = new URL("../../nix/container/machine/netns.sh", import.meta.url).pathname;
const DNS_STUB = new URL("./_dns_stub.ts", import.meta.url).pathname;

function which(cmd: string): string | undefined {
  for (const d of ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]) {
    try {
      if (Deno.statSync(`${d}/${cmd}`).isFile) return `${d}/${cmd}`;
    } catch { /* next */ }
  }
  return undefined;
}
const TOOLS = {
  ip: which("ip"),
  nft: which("nft"),
  busybox: which("busybox"),
  unshare: which("unshare"),
  nsenter: which("nsenter"),
};
const CAN_RUN = Deno.uid() === 0 && Object.values(TOOLS).every((t) => t !== undefined);
const ENV = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" };

interface Ran {
  code: number;
  out: string;
  err: string;
}

async function run(argv: string[]): Promise<Ran> {
  const o = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    clearEnv: true,
    env: ENV,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: o.code, out: d.decode(o.stdout), err: d.decode(o.stderr) };
}

/** argv run in the network namespace of process `pid`. */
function inNs(pid: number, argv: string[]): Promise<Ran> {
  return run([TOOLS.nsenter!, "-t", String(pid), "-n", "--", ...argv]);
}

async function mustIn(pid: number, argv: string[]): Promise<string> {
  const r = await inNs(pid, argv);
  if (r.code !== 0) throw new Error(`${argv.join(" ")} failed (${r.code}): ${r.err}`);
  return r.out;
}

/** A long-running process; its stderr collected. */
class Proc {
  readonly child: Deno.ChildProcess;
  err = "";
  #done: Promise<void>;
  constructor(argv: string[], env: Record<string, string> = ENV) {
    const child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      clearEnv: true,
      env,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    this.child = child;
    this.#done = (async () => {
      for await (const c of child.stderr.pipeThrough(new TextDecoderStream())) this.err += c;
    })();
  }
  get pid(): number {
    return this.child.pid;
  }
  async stop(): Promise<void> {
    try {
      this.child.kill("SIGKILL");
    } catch { /* already gone */ }
    await this.child.status;
    await this.#done;
  }
}

function netNs(pid: number | "self"): string {
  return Deno.readLinkSync(`/proc/${pid}/ns/net`);
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 10000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A new, empty network namespace held by a sleeping process. */
async function namespace(): Promise<Proc> {
  const p = new Proc([TOOLS.unshare!, "-n", "sleep", "600"]);
  await until("a new namespace", () => {
    try {
      return Promise.resolve(netNs(p.pid) !== netNs("self") ? true : undefined);
    } catch {
      return Promise.resolve(undefined);
    }
  });
  return p;
}

const bb = (...a: string[]) => [TOOLS.busybox!, ...a];
const GW = `${NETNS.subnet}.${NETNS.gatewayHost}`;
/** The name server WSL's DNS tunneling puts into resolv.conf (on the VM's loopback). */
const TUNNEL_DNS = "10.255.255.254";

Deno.test({
  name: "netns.sh: two isolated machines, the store's gateway, NAT and DNS, collisions, clean-up",
  ignore: !CAN_RUN,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "codchi-netns-" });
    const procs: Proc[] = [];
    const start = (argv: string[], env?: Record<string, string>) => {
      const p = new Proc(argv, env);
      procs.push(p);
      return p;
    };
    try {
      // The contract as the image has it, the tools file as the NixOS module writes it.
      await Deno.writeTextFile(`${dir}/contract.sh`, await contractShellVars());
      const tools = `CODCHI_NETNS_IP=${TOOLS.ip}\nCODCHI_NETNS_NFT=${TOOLS.nft}\n`;
      await Deno.writeTextFile(`${dir}/tools.env`, tools);
      await Deno.writeTextFile(`${dir}/bad-tools.env`, `CODCHI_NETNS_IP=${TOOLS.ip}\n`);
      for (const who of ["a", "b", "c", "store"]) {
        await Deno.mkdir(`${dir}/www-${who}`);
        await Deno.writeTextFile(`${dir}/www-${who}/who`, who);
      }
      await Deno.mkdir(`${dir}/www-out/cgi-bin`, { recursive: true });
      await Deno.writeTextFile(
        `${dir}/www-out/cgi-bin/ip`,
        `#!${TOOLS.busybox} sh\necho "Content-Type: text/plain"\necho\necho "$REMOTE_ADDR"\n`,
        { mode: 0o755 },
      );

      const vm = await namespace();
      const out = await namespace();
      procs.push(vm, out);
      notEqual(netNs(vm.pid), netNs(out.pid));
      const hostLinks = (await run([TOOLS.ip!, "-o", "link"])).out;

      // The VM's uplink: 192.0.2.1 ↔ 192.0.2.2 (outside, which has no route to the machines).
      await mustIn(vm.pid, [TOOLS.ip!, "link", "add", "up0", "type", "veth", "peer", "outp"]);
      await mustIn(vm.pid, [TOOLS.ip!, "link", "set", "outp", "netns", String(out.pid)]);
      for (
        const [pid, dev, addr] of [[vm.pid, "up0", "192.0.2.1"], [
          out.pid,
          "outp",
          "192.0.2.2",
        ]] as [
          number,
          string,
          string,
        ][]
      ) {
        await mustIn(pid, [TOOLS.ip!, "link", "set", "lo", "up"]);
        await mustIn(pid, [TOOLS.ip!, "addr", "add", `${addr}/24`, "dev", dev]);
        await mustIn(pid, [TOOLS.ip!, "link", "set", dev, "up"]);
      }
      await mustIn(vm.pid, [TOOLS.ip!, "route", "add", "default", "via", "192.0.2.2"]);
      start([
        TOOLS.nsenter!,
        `-t${out.pid}`,
        "-n",
        "--",
        ...bb("httpd", "-f", "-p", "192.0.2.2:8080", "-h", `${dir}/www-out`),
      ]);
      // DNS servers: one outside (WSL's NAT mode names the Windows side), one on an address of
      // the shared namespace's loopback (WSL's DNS tunneling: 10.255.255.254).
      await mustIn(vm.pid, [TOOLS.ip!, "addr", "add", `${TUNNEL_DNS}/32`, "dev", "lo"]);
      for (
        const [pid, listen, answer] of [[out.pid, "192.0.2.2", "192.0.2.80"], [
          vm.pid,
          TUNNEL_DNS,
          "192.0.2.81",
        ]] as const
      ) {
        start([
          TOOLS.nsenter!,
          `-t${pid}`,
          "-n",
          "--",
          Deno.execPath(),
          "run",
          "--unstable-net",
          "--allow-net",
          DNS_STUB,
          listen,
          answer,
        ], { ...ENV, DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno` });
      }

      /** A machine: the script puts `busybox httpd` (its "init") on 0.0.0.0:8000 in its namespace. */
      const machine = (host: number | string, who: string, toolsFile = "tools.env") =>
        start([
          TOOLS.nsenter!,
          `-t${vm.pid}`,
          "-n",
          "--",
          "sh",
          "-c",
          `. ${dir}/contract.sh; . ${dir}/${toolsFile}; . ${NETNS_SH}
           netns_enter "$1" ${TOOLS.busybox} httpd -f -p 0.0.0.0:8000 -h "$2"
           echo "netns_enter returned $?" >&2; exit 3`,
          "sh",
          String(host),
          `${dir}/www-${who}`,
        ], { ...ENV, PWD: dir });
      const get = (pid: number, url: string) =>
        inNs(pid, ["timeout", "5", ...bb("wget", "-q", "-O", "-", url)]);
      const serving = (p: Proc, who: string) =>
        until(`machine ${who} serving`, async () => {
          try {
            if (netNs(p.pid) === netNs(vm.pid)) return undefined;
          } catch {
            throw new Error(`machine ${who} ended: ${p.err}`);
          }
          const r = await get(p.pid, "http://127.0.0.1:8000/who");
          return r.code === 0 ? r.out : undefined;
        });

      const hostA = 17;
      const a = machine(hostA, "a");
      const b = machine(hostA + 100, "b");
      // Both bound 0.0.0.0:8000: each answers with its own page on its own loopback.
      equal(await serving(a, "a"), "a");
      equal(await serving(b, "b"), "b");
      notEqual(netNs(a.pid), netNs(b.pid));
      notEqual(netNs(a.pid), netNs(vm.pid));
      // systemd would stay PID 1: the script ran in the process that now serves (same pid).
      equal((await Deno.readTextFile(`/proc/${a.pid}/comm`)).trim(), "busybox");
      match(
        await mustIn(a.pid, [TOOLS.ip!, "-o", "-4", "addr", "show", "dev", "eth0"]),
        new RegExp(`inet ${NETNS.subnet}\\.${hostA}/24`),
      );
      match(
        await mustIn(b.pid, [TOOLS.ip!, "-o", "-4", "addr", "show", "dev", "eth0"]),
        new RegExp(`inet ${NETNS.subnet}\\.${hostA + 100}/24`),
      );
      // The VM's (every other distro's) loopback sees neither machine's port.
      notEqual((await get(vm.pid, "http://127.0.0.1:8000/who")).code, 0);
      // The veth pairs sit on the bridge in the VM's namespace.
      const brLinks = await mustIn(vm.pid, [
        TOOLS.ip!,
        "-o",
        "link",
        "show",
        "master",
        NETNS.bridge,
      ]);
      match(brLinks, new RegExp(`${NETNS.linkPrefix}${hostA}@`));
      match(brLinks, new RegExp(`${NETNS.linkPrefix}${hostA + 100}@`));

      // The store's gateway address, from both machines.
      start([
        TOOLS.nsenter!,
        `-t${vm.pid}`,
        "-n",
        "--",
        ...bb("httpd", "-f", "-p", `${GW}:9000`, "-h", `${dir}/www-store`),
      ]);
      for (const m of [a, b]) {
        equal(
          await until("the store's server", async () => {
            const r = await get(m.pid, `http://${GW}:9000/who`);
            return r.code === 0 ? r.out : undefined;
          }),
          "store",
        );
      }
      // The other machine is reached by its address, never on the own loopback.
      equal((await get(a.pid, `http://${NETNS.subnet}.${hostA + 100}:8000/who`)).out, "b");

      // Outside through the store's NAT: the server sees the VM's address, not the machine's.
      equal((await get(a.pid, "http://192.0.2.2:8080/cgi-bin/ip")).out.trim(), "192.0.2.1");
      equal((await get(b.pid, "http://192.0.2.2:8080/cgi-bin/ip")).out.trim(), "192.0.2.1");
      // DNS through it.
      const lookup = await until("a DNS answer", async () => {
        const r = await inNs(a.pid, bb("nslookup", "dev.codchi.test", "192.0.2.2"));
        return r.code === 0 && r.out.includes("192.0.2.80") ? r.out : undefined;
      });
      match(lookup, /192\.0\.2\.80/);
      const tunneled = await until("a DNS answer through the tunnel address", async () => {
        const r = await inNs(b.pid, bb("nslookup", "dev.codchi.test", TUNNEL_DNS));
        return r.code === 0 && r.out.includes("192.0.2.81") ? r.out : undefined;
      });
      match(tunneled, /192\.0\.2\.81/);

      // A machine whose preferred address is held by a running machine takes the next free one.
      const c = machine(hostA, "c");
      equal(await serving(c, "c"), "c");
      match(c.err, new RegExp(`${NETNS.subnet.replaceAll(".", "\\.")}\\.${hostA} is taken`));
      match(
        await mustIn(c.pid, [TOOLS.ip!, "-o", "-4", "addr", "show", "dev", "eth0"]),
        new RegExp(`inet ${NETNS.subnet}\\.${hostA + 1}/24`),
      );

      // A stopped machine's pair goes with its namespace: its address is free again.
      await a.stop();
      await until("a's veth pair gone", async () => {
        const r = await inNs(vm.pid, [
          TOOLS.ip!,
          "link",
          "show",
          "dev",
          `${NETNS.linkPrefix}${hostA}`,
        ]);
        return r.code !== 0 ? true : undefined;
      });

      // Without nft the script gives up before creating anything; the caller goes on.
      const before = await mustIn(vm.pid, [TOOLS.ip!, "-o", "link"]);
      const bad = machine(hostA + 50, "a", "bad-tools.env");
      const st = await bad.child.status;
      await bad.stop();
      equal(st.code, 3);
      match(bad.err, /missing tool/);
      match(bad.err, /netns_enter returned 1/);
      deepStrictEqual(
        (await mustIn(vm.pid, [TOOLS.ip!, "-o", "link"])).split("\n").map((l) => l.split(":")[1]),
        before.split("\n").map((l) => l.split(":")[1]),
      );

      // Nothing of it in the test process's own namespace.
      const hostLinksAfter = (await run([TOOLS.ip!, "-o", "link"])).out;
      equal(hostLinksAfter.includes(NETNS.bridge), hostLinks.includes(NETNS.bridge));
      ok(!hostLinksAfter.includes(`${NETNS.linkPrefix}${hostA + 100}`));
    } finally {
      for (const p of procs.reverse()) await p.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
