import { equal, match, notEqual } from "node:assert/strict";
import { fileStamp, imageAlias, imageSource } from "../../../src/driver/lxd/images.ts";
import { sha256 as sha256Hex } from "../../../src/config/store.ts";

Deno.test("image source: the environment's tarball wins over the release", () => {
  const s = imageSource("store", { CODCHI_LXD_STORE_IMAGE: "/tmp/s.tar" });
  equal("file" in s && s.file, "/tmp/s.tar");
  const r = imageSource("machine", {});
  equal("release" in r && r.release, true);
});

Deno.test("aliases are valid LXD names and change with the file", async () => {
  const a = imageAlias("machine", await sha256Hex(fileStamp("/x.tar", 10, 1)));
  match(a, /^codchi-machine-[0-9a-f]{16}$/);
  notEqual(a, imageAlias("machine", await sha256Hex(fileStamp("/x.tar", 10, 2))));
});

import { tarballProblem } from "../../../src/driver/lxd/image_import.ts";

Deno.test("tarballProblem: tar and compressed streams pass, anything else is named", () => {
  const tar = new Uint8Array(512);
  tar.set(new TextEncoder().encode("ustar"), 257);
  equal(tarballProblem(tar), undefined);
  equal(tarballProblem(new Uint8Array([0x1f, 0x8b, 8, 0])), undefined);
  equal(tarballProblem(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 1])), undefined);
  equal(tarballProblem(new Uint8Array()), "the file is empty");
  equal(
    tarballProblem(new TextEncoder().encode("this is not a tarball")),
    "it is neither a tar archive nor a compressed one",
  );
});
