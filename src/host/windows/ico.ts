/** PNG → .ico: an ICONDIR with one entry that wraps the PNG bytes unchanged (Vista and later). Pure. */
import { ConfigError } from "../../errors.ts";

/** What to do about an icon that cannot be a shortcut's (callers use codchi's own icon). */
const ICON_HINT = "Give the app a PNG icon of at most 256×256 pixels; codchi's own icon is used.";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height from a PNG's IHDR chunk; throws on anything that is not a PNG. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const ok = png.length >= 24 && PNG_SIGNATURE.every((b, i) => png[i] === b) &&
    String.fromCharCode(...png.subarray(12, 16)) === "IHDR";
  if (!ok) throw new ConfigError("App icon: not a PNG image", ICON_HINT);
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

/** Wraps PNG bytes into a one-image .ico file; images larger than 256×256 are refused. */
export function pngToIco(png: Uint8Array): Uint8Array {
  const { width, height } = pngSize(png);
  if (width > 256 || height > 256 || width === 0 || height === 0) {
    throw new ConfigError(
      `App icon: an .ico image must be 1..256 pixels wide and high, not ${width}×${height}`,
      ICON_HINT,
    );
  }
  const out = new Uint8Array(6 + 16 + png.length);
  const v = new DataView(out.buffer);
  v.setUint16(2, 1, true); // type: icon
  v.setUint16(4, 1, true); // one image
  out[6] = width === 256 ? 0 : width; // 0 means 256
  out[7] = height === 256 ? 0 : height;
  v.setUint16(10, 1, true); // colour planes
  v.setUint16(12, 32, true); // bits per pixel
  v.setUint32(14, png.length, true);
  v.setUint32(18, 22, true); // image data right after the directory
  out.set(png, 22);
  return out;
}

/** Picks the best PNG for an icon name: the largest size folder up to 256 (e.g. `64x64/apps/x.png`). */
export function pickIconFile(files: readonly string[], icon: string): string | undefined {
  const base = icon.replace(/^.*[\\/]/, "").replace(/\.(png|svg|xpm|ico)$/i, "");
  const size = (f: string) => {
    const m = /(?:^|[\\/])(\d+)x\1(?:@\d+)?[\\/]/.exec(f);
    return m ? Number(m[1]) : 48;
  };
  const matches = files.filter((f) =>
    f.replace(/^.*[\\/]/, "").toLowerCase() === `${base}.png`.toLowerCase()
  );
  const fitting = matches.filter((f) => size(f) <= 256).sort((a, b) => size(b) - size(a));
  return fitting[0];
}
