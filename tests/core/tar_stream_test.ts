/** The archive pieces of `codchi tar`: the suffix → compression rule, and ustar entries GNU tar reads. */
import { deepEqual, equal, throws } from "node:assert/strict";
import { parentDirs, tarCompression, tarItem } from "../../src/core/tar_stream.ts";
import { UsageError } from "../../src/errors.ts";

Deno.test("tarCompression: .tar, .tar.gz, .tar.zst (any case); anything else is a UsageError", () => {
  equal(tarCompression("/x/m.tar"), "none");
  equal(tarCompression("m.tar.gz"), "gzip");
  equal(tarCompression("C:\\exports\\M.TAR.ZST"), "zstd");
  for (const bad of ["m.zip", "m.tgz", "m.tar.xz", "m.gz", "m", "m.tar.gz.bak", ""]) {
    throws(() => tarCompression(bad), UsageError, bad);
  }
});

Deno.test("parentDirs: every folder above a path, outermost first", () => {
  deepEqual(parentDirs("etc/nixos/codchi/machine.json"), ["etc", "etc/nixos", "etc/nixos/codchi"]);
  deepEqual(parentDirs("f"), []);
});

Deno.test("tarItem: GNU tar lists and extracts the entries byte for byte (long paths, modes, folders)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const long = `${"d".repeat(90)}/${"e".repeat(60)}/file.txt`; // > 100 bytes: ustar prefix
    const data = new TextEncoder().encode("hello\nwörld\n");
    const big = new Uint8Array(1500).map((_, i) => i % 251);
    const parts = [
      tarItem({ path: "etc", mode: 0o755, mtime: 1_700_000_000 }),
      tarItem({ path: "etc/a.txt", data, mode: 0o644, mtime: 1_700_000_000 }),
      tarItem({ path: "etc/secret", data: big, mode: 0o600, mtime: 1_700_000_000 }),
      tarItem({ path: long, data, mode: 0o640, mtime: 1_700_000_000 }),
      new Uint8Array(1024), // end of archive
    ];
    for (const p of parts) equal(p.length % 512, 0);
    const file = `${dir}/t.tar`;
    await Deno.writeFile(
      file,
      new Uint8Array(await new Blob(parts as Uint8Array<ArrayBuffer>[]).arrayBuffer()),
    );
    const list = await new Deno.Command("tar", {
      args: ["--numeric-owner", "-tvf", file],
      stdout: "piped",
      stderr: "piped",
    }).output();
    equal(list.code, 0, new TextDecoder().decode(list.stderr));
    const lines = new TextDecoder().decode(list.stdout).trim().split("\n");
    deepEqual(lines.map((l) => l.split(/\s+/).slice(0, 3)), [
      ["drwxr-xr-x", "0/0", "0"],
      ["-rw-r--r--", "0/0", String(data.length)],
      ["-rw-------", "0/0", "1500"],
      ["-rw-r-----", "0/0", String(data.length)],
    ]);
    equal(lines[3].endsWith(long), true, lines[3]);
    const x = await new Deno.Command("tar", { args: ["-xf", file, "-C", dir] }).output();
    equal(x.code, 0);
    deepEqual(await Deno.readFile(`${dir}/etc/secret`), big);
    deepEqual(await Deno.readFile(`${dir}/${long}`), data);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
