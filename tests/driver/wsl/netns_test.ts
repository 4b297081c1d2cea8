/** WSL network isolation, the host's part (src/driver/wsl/netns.ts): preferred addresses. */
import { deepStrictEqual, equal, ok, throws } from "node:assert/strict";
import { fnv1a32, netnsAddress, preferredHost } from "../../../src/driver/wsl/netns.ts";
import { NETNS } from "../../../src/contract.ts";
import { UsageError } from "../../../src/errors.ts";

Deno.test("fnv1a32: the published FNV-1a test vectors", () => {
  equal(fnv1a32(""), 0x811c9dc5);
  equal(fnv1a32("a"), 0xe40c292c);
  equal(fnv1a32("foobar"), 0xbf9cf968);
});

Deno.test("preferredHost: in the contract's range, never the gateway, stable, name-only", () => {
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const h = preferredHost(`machine-${i}`);
    ok(h >= NETNS.firstHost && h <= NETNS.lastHost, `${h}`);
    ok(h !== NETNS.gatewayHost);
    seen.add(h);
  }
  // 2000 names spread over (nearly) the whole range.
  ok(seen.size > (NETNS.lastHost - NETNS.firstHost) * 0.9, `${seen.size}`);
  equal(preferredHost("web"), preferredHost("web"));
  // The same as computed by hand: first + hash mod size.
  const size = NETNS.lastHost - NETNS.firstHost + 1;
  equal(preferredHost("web"), NETNS.firstHost + fnv1a32("web") % size);
  // Unicode names hash their UTF-8 bytes.
  equal(preferredHost("ü"), NETNS.firstHost + fnv1a32("\u00fc") % size);
  equal(netnsAddress(preferredHost("web")), `${NETNS.subnet}.${preferredHost("web")}`);
});

Deno.test("preferredHost: a small range and its edges", () => {
  const r = { subnet: "10.0.0", gatewayHost: 1, firstHost: 2, lastHost: 3 };
  const hosts = new Set(["a", "b", "c", "d", "e", "f"].map((n) => preferredHost(n, r)));
  deepStrictEqual([...hosts].sort(), [2, 3]);
  equal(preferredHost("x", { ...r, firstHost: 9, lastHost: 9 }), 9);
});

Deno.test("preferredHost: a bad range or an empty name is a typed error", () => {
  const r = { subnet: "10.0.0", gatewayHost: 1, firstHost: 2, lastHost: 254 };
  throws(() => preferredHost("a", { ...r, gatewayHost: 5 }), UsageError);
  throws(() => preferredHost("a", { ...r, firstHost: 10, lastHost: 9 }), UsageError);
  throws(() => preferredHost("a", { ...r, lastHost: 255 }), UsageError);
  throws(() => preferredHost("a", { ...r, firstHost: 0 }), UsageError);
  throws(() => preferredHost("a", { ...r, firstHost: 2.5 }), UsageError);
  throws(() => preferredHost(""), UsageError);
});

Deno.test("preferredHost: names do collide (the machine's init then takes the next free one)", () => {
  const byHost = new Map<number, string>();
  let pair: [string, string] | undefined;
  for (let i = 0; i < 300 && !pair; i++) {
    const n = `m${i}`;
    const other = byHost.get(preferredHost(n));
    if (other !== undefined) pair = [other, n];
    else byHost.set(preferredHost(n), n);
  }
  ok(pair, "a collision among 300 names in 253 host numbers");
  equal(preferredHost(pair[0]), preferredHost(pair[1]));
});
