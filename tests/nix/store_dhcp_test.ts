/**
 * The store image's udhcpc event script (nix/container/store/udhcpc.sh), run for real with a
 * stand-in `ip` that only records its argv (nothing touches this host's network): the lease
 * becomes the address, the default route and resolv.conf.
 */
import { deepStrictEqual, equal } from "node:assert/strict";

const SCRIPT = new URL("../../nix/container/store/udhcpc.sh", import.meta.url).pathname;

async function run(event: string, lease: Record<string, string>) {
  const root = await Deno.makeTempDir({ prefix: "codchi-udhcpc-" });
  await Deno.mkdir(`${root}/etc`);
  await Deno.mkdir(`${root}/bin`);
  await Deno.writeTextFile(`${root}/bin/ip`, `#!/bin/sh\necho "ip $*" >> "${root}/ip.log"\n`);
  await Deno.chmod(`${root}/bin/ip`, 0o755);
  const out = await new Deno.Command("sh", {
    args: [SCRIPT, event],
    env: { CODCHI_INIT_ROOT: root, CODCHI_TEST_PATH: `${root}/bin`, interface: "eth0", ...lease },
    clearEnv: true,
    stderr: "piped",
  }).output();
  const read = (p: string) => Deno.readTextFile(`${root}/${p}`).catch(() => "");
  const res = {
    code: out.code,
    ip: (await read("ip.log")).trim().split("\n").filter((l) => l),
    resolv: await read("etc/resolv.conf"),
  };
  await Deno.remove(root, { recursive: true });
  return res;
}

Deno.test("udhcpc bound: address, default route, name servers and search domain", async () => {
  const r = await run("bound", {
    ip: "192.0.2.40",
    mask: "24",
    broadcast: "192.0.2.255",
    router: "192.0.2.1",
    dns: "192.0.2.1 192.0.2.2",
    domain: "lan",
  });
  equal(r.code, 0);
  deepStrictEqual(r.ip, [
    "ip -4 addr flush dev eth0",
    "ip addr add 192.0.2.40/24 broadcast 192.0.2.255 dev eth0",
    "ip route del default dev eth0",
    "ip route add default via 192.0.2.1 dev eth0",
  ]);
  equal(r.resolv, "search lan\nnameserver 192.0.2.1\nnameserver 192.0.2.2\n");
});

Deno.test("udhcpc deconfig: the address goes, the link stays up, resolv.conf untouched", async () => {
  const r = await run("deconfig", {});
  equal(r.code, 0);
  deepStrictEqual(r.ip, ["ip -4 addr flush dev eth0", "ip link set eth0 up"]);
  equal(r.resolv, "");
});
