/** `codchi export`: the format table, the choice from a name or --format, nix's build result. */
import { deepEqual, equal, rejects, throws } from "node:assert/strict";
import { IMAGE_FORMATS, imageAttr, pickImageFormat } from "../../src/core/vm_image.ts";
import { builtOutPath } from "../../src/core/vm_export.ts";
import { UsageError } from "../../src/errors.ts";
import { renderImageFlake } from "../../src/nix/flake.ts";

Deno.test("pickImageFormat: the ending picks the format, --format wins, others are refused", () => {
  equal(pickImageFormat("/tmp/m.qcow2").variant, "qemu");
  equal(pickImageFormat("M.QCOW2").variant, "qemu");
  equal(pickImageFormat("disk.img").variant, "raw");
  equal(pickImageFormat("disk.raw").variant, "raw");
  equal(pickImageFormat("m.vmdk").variant, "vmware");
  equal(pickImageFormat("m.vhdx").variant, "hyperv");
  equal(pickImageFormat("m.ova").variant, "virtualbox");
  equal(pickImageFormat("m.iso").variant, "iso");
  equal(pickImageFormat("disk.img", "raw-efi").variant, "raw-efi");
  equal(pickImageFormat("anything", "qcow2-efi").variant, "qemu-efi");
  throws(
    () => pickImageFormat("m.tar"),
    (e: Error) => e instanceof UsageError && /--format/.test(e.hint!),
  );
  throws(
    () => pickImageFormat("m.qcow2", "vdi"),
    (e: Error) => e instanceof UsageError && /qcow2, qcow2-efi/.test(e.hint!),
  );
  throws(() => pickImageFormat("m.qcow2.bak"), UsageError);
});

Deno.test("IMAGE_FORMATS: names and endings are unique; every variant is one of NixOS's", () => {
  const names = IMAGE_FORMATS.map((f) => f.format);
  equal(new Set(names).size, names.length);
  const endings = IMAGE_FORMATS.flatMap((f) => f.suffixes);
  equal(new Set(endings).size, endings.length);
  // nixos/modules/image/images.nix (NixOS 25.05+) names these variants among others.
  const nixos = ["qemu", "qemu-efi", "raw", "raw-efi", "vmware", "hyperv", "virtualbox", "iso"];
  deepEqual(IMAGE_FORMATS.map((f) => f.variant).sort(), [...nixos].sort());
  equal(imageAttr("qemu"), "nixosConfigurations.default.config.system.build.images.qemu");
});

Deno.test("builtOutPath: the out path of nix build --json; anything else is a clear error", () => {
  const p = `/nix/store/${"a".repeat(32)}-codchi-image-qemu`;
  equal(builtOutPath(JSON.stringify([{ drvPath: `${p}.drv`, outputs: { out: p } }])), p);
  throws(() => builtOutPath(""), /no result/);
  throws(() => builtOutPath("[]"), /named no image/);
  throws(() => builtOutPath(JSON.stringify([{ outputs: { out: "/tmp/x" } }])), /named no image/);
});

Deno.test("renderImageFlake: driver none, the machine's modules, local ones where the store sees them", async () => {
  const text = renderImageFlake(
    {
      machine: "m",
      system: "x86_64-linux",
      driverUrl: "path:/codchi/config/driver-flake-1",
      modules: [{
        name: "app",
        source: { kind: "local", path: "work/app", scheme: "path" },
        module: "nixosModules.default",
      }],
      localRoot: "/codchi/data/machine/m",
    } as Parameters<typeof renderImageFlake>[0],
  );
  equal(/driver = "none";/.test(text), true);
  equal(/path:\/codchi\/data\/machine\/m\/work\/app/.test(text), true, text);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/flake.nix`, text);
    const out = await new Deno.Command("nix-instantiate", {
      args: ["--parse", `${dir}/flake.nix`],
      stdout: "null",
      stderr: "piped",
    }).output().catch(() => undefined);
    if (out) equal(out.code, 0, new TextDecoder().decode(out.stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("exportImage: a store without a host /nix (WSL) is refused before anything runs", async () => {
  const { fakeHost } = await import("../support/fake_core.ts");
  const { initMachine } = await import("../../src/core/lifecycle.ts");
  const { exportImage } = await import("../../src/core/vm_export.ts");
  const { PrerequisiteError } = await import("../../src/errors.ts");
  await using h = await fakeHost();
  await initMachine(h.ctx, {
    name: "a",
    modulePaths: [],
    input: { dontPrompt: true, build: false },
    runInit: false,
  });
  const before = h.driver.spawns;
  const dir = await Deno.makeTempDir();
  try {
    await rejects(
      exportImage(h.ctx, "a", `${dir}/a.qcow2`, {}),
      (e: Error) =>
        e instanceof PrerequisiteError && /codchi tar a/.test(e.hint!) &&
        /--image-variant qemu/.test(e.hint!),
    );
    equal(h.driver.spawns, before);
    deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
