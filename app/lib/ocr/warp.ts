/**
 * Cuts a rectangle of the *form* (in PDF points) out of the scanned page, straightened: every
 * output pixel is mapped through the page's homography and sampled bilinearly. Only the areas the
 * OCR reads are resampled, never the whole page.
 */
import { applyHomography, type Homography } from "./geometry";
import { createGray, sampleBilinear, type GrayImage } from "./gray-image";
import type { Rect } from "./types";

export function warpRegion(source: GrayImage, pageToImage: Homography, rect: Rect, pixelsPerPoint: number): GrayImage {
  const out = createGray(Math.max(1, Math.round(rect.width * pixelsPerPoint)), Math.max(1, Math.round(rect.height * pixelsPerPoint)));
  for (let v = 0; v < out.height; v++) {
    const py = rect.y + (v + 0.5) / pixelsPerPoint;
    for (let u = 0; u < out.width; u++) {
      const p = applyHomography(pageToImage, { x: rect.x + (u + 0.5) / pixelsPerPoint, y: py });
      out.data[v * out.width + u] = sampleBilinear(source, p.x - 0.5, p.y - 0.5);
    }
  }
  return out;
}
