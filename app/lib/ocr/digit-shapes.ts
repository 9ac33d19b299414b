/**
 * A second, independent opinion on a comb cell's digit: its shape compared with digits written on
 * the centre's own forms and sent through the same FAX and scanner degradations (k nearest
 * neighbours). Tesseract's models were trained on print at normal resolution; on standard-mode FAX
 * (98 lines per inch) handwritten digits lose half their rows and the models split, miss or disagree
 * on them. Shapes learned from pages at that resolution know what a 3 looks like there.
 *
 * The shapes are DigitShapeSet files made by `npm run ocr:digit-shapes` (scripts/build-digit-shapes.ts)
 * from CALIBRATION pages only (test/fixtures/forms/generate.ts, FILL_FONTS, their own seed): the same
 * pipeline crops each written cell, and the page's truth labels it. Nothing is downloaded or trained at
 * run time. How the opinion is used (paper-request.ts isSettledDigit) was set on the calibration set;
 * BENCHMARKS.md reports it on held-out fonts and seeds.
 *
 * Pure: typed arrays in, a label out, so it runs in any process and is tested without Tesseract.
 */
import type { GrayImage } from "./gray-image";

/** Feature grid: the glyph's ink box scaled (aspect kept) into this many columns × rows. */
export const SHAPE_COLUMNS = 12;
export const SHAPE_ROWS = 16;
export const SHAPE_FEATURES = SHAPE_COLUMNS * SHAPE_ROWS;
/** Neighbours that vote. */
export const SHAPE_K = 7;

/** One resolution class's labelled shapes: `features` holds `labels.length` rows of SHAPE_FEATURES bytes. */
export type DigitShapeSet = { labels: string; features: Uint8Array };

/** What the shapes say about a cell: the digit most neighbours carry and how many of SHAPE_K do. */
export type ShapeOpinion = { value: string; votes: number };

/**
 * The glyph of a cell interior (0 = ink, 255 = paper) as SHAPE_FEATURES bytes of darkness (0 paper,
 * 255 ink): cut to the rows and columns that hold a fair share of ink (specks and border remains have
 * few dark pixels), scaled into the grid with its aspect kept, centred. Undefined for an empty cell.
 */
export function digitShapeFeature(img: GrayImage): Uint8Array | undefined {
  const { width: w, height: h, data } = img;
  const cols = new Uint32Array(w);
  const rows = new Uint32Array(h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (data[y * w + x]! < 128) {
        cols[x]!++;
        rows[y]!++;
      }
    }
  }
  let maxCol = 0;
  let maxRow = 0;
  for (const c of cols) maxCol = Math.max(maxCol, c);
  for (const r of rows) maxRow = Math.max(maxRow, r);
  const colMin = Math.max(2, 0.15 * maxCol);
  const rowMin = Math.max(2, 0.15 * maxRow);
  let x0 = -1, x1 = -1, y0 = -1, y1 = -1;
  for (let x = 0; x < w; x++) if (cols[x]! >= colMin) { if (x0 < 0) x0 = x; x1 = x; }
  for (let y = 0; y < h; y++) if (rows[y]! >= rowMin) { if (y0 < 0) y0 = y; y1 = y; }
  if (x0 < 0 || y0 < 0) return undefined;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const scale = Math.min(SHAPE_COLUMNS / bw, SHAPE_ROWS / bh);
  const outW = bw * scale;
  const outH = bh * scale;
  const offX = (SHAPE_COLUMNS - outW) / 2;
  const offY = (SHAPE_ROWS - outH) / 2;
  const out = new Uint8Array(SHAPE_FEATURES);
  // Each grid cell takes the mean darkness of the source pixels it covers (area sampling: a thin
  // stroke still counts when the glyph is scaled down).
  for (let gy = 0; gy < SHAPE_ROWS; gy++) {
    const sy0 = y0 + (gy - offY) / scale;
    const sy1 = y0 + (gy + 1 - offY) / scale;
    for (let gx = 0; gx < SHAPE_COLUMNS; gx++) {
      const sx0 = x0 + (gx - offX) / scale;
      const sx1 = x0 + (gx + 1 - offX) / scale;
      let sum = 0;
      let n = 0;
      for (let sy = Math.max(y0, Math.floor(sy0)); sy < Math.min(y1 + 1, Math.ceil(sy1)); sy++) {
        for (let sx = Math.max(x0, Math.floor(sx0)); sx < Math.min(x1 + 1, Math.ceil(sx1)); sx++) {
          sum += 255 - data[sy * w + sx]!;
          n++;
        }
      }
      out[gy * SHAPE_COLUMNS + gx] = n ? Math.round(sum / n) : 0;
    }
  }
  return out;
}

/** The SHAPE_K nearest labelled shapes (squared distance) vote; ties go to the nearer neighbour. */
export function classifyDigitShape(feature: Uint8Array, set: DigitShapeSet): ShapeOpinion | undefined {
  const n = set.labels.length;
  if (n < SHAPE_K) return undefined;
  const bestD = new Float64Array(SHAPE_K).fill(Infinity);
  const bestI = new Int32Array(SHAPE_K).fill(-1);
  for (let i = 0; i < n; i++) {
    let d = 0;
    const base = i * SHAPE_FEATURES;
    for (let f = 0; f < SHAPE_FEATURES; f++) {
      const diff = feature[f]! - set.features[base + f]!;
      d += diff * diff;
    }
    if (d >= bestD[SHAPE_K - 1]!) continue;
    let j = SHAPE_K - 1;
    while (j > 0 && bestD[j - 1]! > d) {
      bestD[j] = bestD[j - 1]!;
      bestI[j] = bestI[j - 1]!;
      j--;
    }
    bestD[j] = d;
    bestI[j] = i;
  }
  const counts = new Map<string, number>();
  for (const i of bestI) if (i >= 0) counts.set(set.labels[i]!, (counts.get(set.labels[i]!) ?? 0) + 1);
  let value = "";
  let votes = 0;
  for (const i of bestI) {
    const label = set.labels[i]!;
    if (counts.get(label)! > votes) {
      value = label;
      votes = counts.get(label)!;
    }
  }
  return value ? { value, votes } : undefined;
}

/** A stored set: `{ labels, features: base64 }` (what scripts/build-digit-shapes.ts writes). */
export function parseDigitShapeSet(stored: { labels: string; features: string }): DigitShapeSet {
  const features = Uint8Array.from(Buffer.from(stored.features, "base64"));
  if (features.length !== stored.labels.length * SHAPE_FEATURES || !/^[0-9]*$/.test(stored.labels)) {
    throw new Error("digit shapes: the stored set does not match its labels");
  }
  return { labels: stored.labels, features };
}
