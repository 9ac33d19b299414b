/**
 * Finds the four registration marks (solid black squares near the page corners) on a scanned
 * page, whatever its resolution, skew (a few degrees) or quarter-turn.
 *
 * The page is first shrunk by area averaging so that a mark is about 12 pixels wide: thin lines
 * and strokes fade to grey and drop out at the 50% threshold, solid squares stay black. Connected
 * components that are square, solid and of the expected size are candidates; the one nearest to
 * each image corner is taken, and the four must form the mark rectangle of the layout (same side
 * ratio, right angles) or the page is refused rather than misread.
 */
import { A4 } from "../../../templates/pdf";
import { distance, type Point } from "./geometry";
import { resizeGray, type GrayImage } from "./gray-image";

/** Mark centres as found, clockwise from the image's top-left corner. */
export type ImageCorners = [Point, Point, Point, Point];

export interface MarkSearch {
  /** Side of a mark in points (layout). */
  markSize: number;
  /** Distance between mark centres in points: across (left–right) and down (top–bottom). */
  across: number;
  down: number;
}

type Blob = { minX: number; minY: number; maxX: number; maxY: number; count: number; sumX: number; sumY: number };

function components(bin: Uint8Array, w: number, h: number): Blob[] {
  const seen = new Uint8Array(w * h);
  const blobs: Blob[] = [];
  const stack: number[] = [];
  for (let start = 0; start < bin.length; start++) {
    if (!bin[start] || seen[start]) continue;
    const blob: Blob = { minX: w, minY: h, maxX: 0, maxY: 0, count: 0, sumX: 0, sumY: 0 };
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const i = stack.pop()!;
      const x = i % w;
      const y = (i - x) / w;
      blob.count++;
      blob.sumX += x;
      blob.sumY += y;
      if (x < blob.minX) blob.minX = x;
      if (x > blob.maxX) blob.maxX = x;
      if (y < blob.minY) blob.minY = y;
      if (y > blob.maxY) blob.maxY = y;
      const neighbours = [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, y > 0 ? i - w : -1, y < h - 1 ? i + w : -1];
      for (const n of neighbours) {
        if (n >= 0 && bin[n] && !seen[n]) {
          seen[n] = 1;
          stack.push(n);
        }
      }
    }
    blobs.push(blob);
  }
  return blobs;
}

/** Centroid of the dark pixels around `approx` in the full-resolution image (sub-pixel accurate). */
function refineCentre(img: GrayImage, approx: Point, radius: number): Point {
  let sx = 0;
  let sy = 0;
  let n = 0;
  const x0 = Math.max(0, Math.floor(approx.x - radius));
  const x1 = Math.min(img.width - 1, Math.ceil(approx.x + radius));
  const y0 = Math.max(0, Math.floor(approx.y - radius));
  const y1 = Math.min(img.height - 1, Math.ceil(approx.y + radius));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (img.data[y * img.width + x]! < 128) {
        sx += x + 0.5;
        sy += y + 0.5;
        n++;
      }
    }
  }
  return n > 0 ? { x: sx / n, y: sy / n } : approx;
}

/**
 * The four mark centres in image pixels (clockwise from the image's top-left corner), or
 * undefined when no consistent set is found.
 */
export function findRegistrationMarks(img: GrayImage, search: MarkSearch): ImageCorners | undefined {
  // The page fills the image, give or take a few percent: estimate pixels per point from its long side.
  const scale = Math.max(img.width, img.height) / A4.height;
  const markPx = search.markSize * scale;
  const factor = Math.max(1, Math.floor(markPx / 12));
  const small = resizeGray(img, img.width / factor, img.height / factor);
  const w = small.width;
  const h = small.height;
  const bin = new Uint8Array(w * h);
  for (let i = 0; i < bin.length; i++) bin[i] = small.data[i]! < 128 ? 1 : 0;
  const expected = markPx / (img.width / w);

  const candidates: Point[] = [];
  for (const b of components(bin, w, h)) {
    const bw = b.maxX - b.minX + 1;
    const bh = b.maxY - b.minY + 1;
    if (bw < expected * 0.6 || bw > expected * 1.6 || bh < expected * 0.6 || bh > expected * 1.6) continue;
    if (bw / bh < 0.7 || bw / bh > 1.4) continue;
    if (b.count / (bw * bh) < 0.7) continue;
    candidates.push({ x: ((b.sumX / b.count + 0.5) * img.width) / w, y: ((b.sumY / b.count + 0.5) * img.height) / h });
  }

  const imageCorners: Point[] = [
    { x: 0, y: 0 },
    { x: img.width, y: 0 },
    { x: img.width, y: img.height },
    { x: 0, y: img.height },
  ];
  const reach = Math.min(img.width, img.height) * 0.25;
  const picked: Point[] = [];
  for (const corner of imageCorners) {
    let best: Point | undefined;
    for (const c of candidates) {
      if (distance(c, corner) > reach * 1.5) continue;
      if (!best || distance(c, corner) < distance(best, corner)) best = c;
    }
    if (!best) return undefined;
    picked.push(refineCentre(img, best, markPx * 0.9));
  }
  const corners = picked as ImageCorners;
  return consistentWithLayout(corners, search) ? corners : undefined;
}

/** The four points form the layout's mark rectangle (either way up), within a few percent. */
function consistentWithLayout([tl, tr, br, bl]: ImageCorners, search: MarkSearch): boolean {
  const top = distance(tl, tr);
  const bottom = distance(bl, br);
  const left = distance(tl, bl);
  const right = distance(tr, br);
  const near = (a: number, b: number, tolerance: number) => Math.abs(a / b - 1) < tolerance;
  if (!near(top, bottom, 0.05) || !near(left, right, 0.05)) return false;
  if (!near(distance(tl, br), distance(tr, bl), 0.05)) return false;
  const ratio = (top + bottom) / (left + right);
  const portrait = search.across / search.down;
  return near(ratio, portrait, 0.08) || near(ratio, 1 / portrait, 0.08);
}
