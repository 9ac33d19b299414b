/**
 * Cuts a rectangle of the *form* (in PDF points) out of the scanned page, straightened: every
 * output pixel is mapped through the page's homography and sampled bilinearly. Only the areas the
 * OCR reads are resampled, never the whole page.
 */
import type { Homography } from "./geometry";
import { createGray, sampleBilinear, type GrayImage } from "./gray-image";
import type { Rect } from "./types";

export function warpRegion(source: GrayImage, pageToImage: Homography, rect: Rect, pixelsPerPoint: number): GrayImage {
  const out = createGray(Math.max(1, Math.round(rect.width * pixelsPerPoint)), Math.max(1, Math.round(rect.height * pixelsPerPoint)));
  // The homography inlined (runs per output pixel: no point objects, no closures).
  const [h0, h1, h2, h3, h4, h5, h6, h7, h8] = pageToImage as [number, number, number, number, number, number, number, number, number];
  for (let v = 0; v < out.height; v++) {
    const py = rect.y + (v + 0.5) / pixelsPerPoint;
    const row = v * out.width;
    for (let u = 0; u < out.width; u++) {
      const px = rect.x + (u + 0.5) / pixelsPerPoint;
      const w = h6 * px + h7 * py + h8;
      const x = (h0 * px + h1 * py + h2) / w;
      const y = (h3 * px + h4 * py + h5) / w;
      out.data[row + u] = sampleBilinear(source, x - 0.5, y - 0.5);
    }
  }
  return out;
}
