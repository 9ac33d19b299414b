/**
 * Greyscale image → PNG bytes: the stored page (scans.image_enc, written by the decode child,
 * safe-decode-worker.ts) and the field crops of the verification screen (read-form.server.ts).
 * One byte per pixel, through pngjs: a canvas encodes RGBA — four times the bytes to filter and
 * compress for the same grey page — and took 2.2–2.4 CPU-seconds for a 300 dpi page (issue 14,
 * point 5). The "up" filter and the fastest deflate level: scans compress well with it, and the
 * page is stored once and read back once.
 */
import { PNG } from "pngjs";
import type { GrayImage } from "./gray-image";

export function grayToPng(image: GrayImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8, deflateLevel: 1, filterType: 2 });
}
