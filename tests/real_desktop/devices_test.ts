/** hostExists on real sockets: a listening socket counts, a stale socket file does not. */
import assert from "node:assert/strict";
import { hostExists } from "../../src/host/linux/devices.ts";
import { sh } from "./helpers.ts";

Deno.test("hostExists: live sockets yes, stale socket files and missing paths no", async () => {
  const dir = await Deno.makeTempDir({ prefix: "codchi-sock-" });
  try {
    const path = `${dir}/native`;
    const listener = Deno.listen({ transport: "unix", path });
    assert.equal(hostExists()(path), true);
    listener.close();
    // A server that died without cleaning up leaves its socket file behind (bound, then exit).
    const stale = `${dir}/stale`;
    const py = await sh([
      "/usr/bin/python3",
      "-c",
      "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)",
      stale,
    ]);
    assert.equal(py.code, 0, py.stderr);
    assert.ok((await Deno.lstat(stale)).isSocket);
    assert.equal(hostExists()(stale), false, "a stale socket file counted as live");
    await Deno.writeTextFile(`${dir}/file`, "x");
    assert.equal(hostExists()(`${dir}/file`), true);
    assert.equal(hostExists()(`${dir}/missing`), false);
    assert.equal(hostExists()("@/codchi/no-such-abstract-socket"), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
