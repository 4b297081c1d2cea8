import { deepEqual, equal, throws } from "node:assert/strict";
import { ConfigError } from "../../../src/errors.ts";
import { pickIconFile, pngSize, pngToIco } from "../../../src/host/windows/ico.ts";

/** A PNG header with an IHDR chunk of the given size (enough for the .ico wrapper). */
function fakePng(w: number, h: number): Uint8Array {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const v = new DataView(b.buffer);
  v.setUint32(16, w);
  v.setUint32(20, h);
  return b;
}

Deno.test("the .ico wraps the PNG unchanged after a one-entry directory", () => {
  const png = fakePng(64, 64);
  const ico = pngToIco(png);
  const v = new DataView(ico.buffer);
  deepEqual([v.getUint16(0, true), v.getUint16(2, true), v.getUint16(4, true)], [0, 1, 1]);
  equal(ico[6], 64);
  equal(ico[7], 64);
  equal(v.getUint32(14, true), png.length);
  equal(v.getUint32(18, true), 22);
  deepEqual(ico.subarray(22), png);
});

Deno.test("256 pixels are written as 0, larger images and non-PNGs are refused", () => {
  const ico = pngToIco(fakePng(256, 256));
  equal(ico[6], 0);
  throws(() => pngToIco(fakePng(512, 512)), ConfigError);
  throws(() => pngSize(new TextEncoder().encode("<svg/>")), /App icon: not a PNG image/);
  throws(() => pngToIco(fakePng(512, 512)), (e) => {
    equal(
      (e as ConfigError).hint,
      "Give the app a PNG icon of at most 256×256 pixels; codchi's own icon is used.",
    );
    return true;
  });
});

Deno.test("the largest icon up to 256 px is picked", () => {
  const files = [
    "i/hicolor/16x16/apps/gedit.png",
    "i/hicolor/48x48/apps/gedit.png",
    "i/hicolor/512x512/apps/gedit.png",
    "i/hicolor/256x256/apps/other.png",
    "i/hicolor/scalable/apps/gedit.svg",
  ];
  equal(pickIconFile(files, "gedit"), "i/hicolor/48x48/apps/gedit.png");
  equal(
    pickIconFile(files, "/nix/store/x/share/icons/gedit.png"),
    "i/hicolor/48x48/apps/gedit.png",
  );
  equal(pickIconFile(files, "missing"), undefined);
});
