/** Greyscale page → PNG bytes (what scans.image_enc holds). Used by the decode child (safe-decode-worker.ts). */
import { createCanvas } from "@napi-rs/canvas";
import { grayToRgba, type GrayImage } from "./gray-image";

export function grayToPng(image: GrayImage): Buffer {
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext("2d");
  const data = ctx.createImageData(image.width, image.height);
  data.data.set(grayToRgba(image));
  ctx.putImageData(data, 0, 0);
  return canvas.encodeSync("png");
}
