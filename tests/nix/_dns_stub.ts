/**
 * A DNS server for tests, as small as it gets: answers every A question with the address given
 * (AAAA and others with no answer). Run inside a test network namespace only:
 *   deno run --unstable-net --allow-net tests/nix/_dns_stub.ts <listen address> <answer address>
 */
const [listen, answer] = Deno.args;
const sock = Deno.listenDatagram({ transport: "udp", hostname: listen, port: 53 });
console.log("ready");
for await (const [q, from] of sock) {
  let end = 12;
  while (end < q.length && q[end] !== 0) end += q[end] + 1;
  const question = q.subarray(12, end + 5);
  const type = (q[end + 1] << 8) | q[end + 2];
  const a = type === 1
    ? [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...answer.split(".").map(Number)]
    : [];
  const head = [q[0], q[1], 0x81, 0x80, 0, 1, 0, a.length ? 1 : 0, 0, 0, 0, 0];
  await sock.send(new Uint8Array([...head, ...question, ...a]), from);
}
