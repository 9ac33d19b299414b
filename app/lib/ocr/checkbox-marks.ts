/**
 * How a check box was marked, from the ink in and around it: a tick, cross or fill inside the box,
 * or a circle drawn around the box (alone or with its label, which is printed to its right).
 * Pure (no OCR, no warping) so that the rule is testable on drawn images.
 *
 * The image is the box's neighbourhood straightened to the form (warp.ts): the box at
 * (`margin.left`, `margin.top`) pixels, `boxSize` pixels square, `scale` pixels per point.
 *
 * A circle is an enclosure: a stroke down the box's left side (LEFT zone, rows covered) and lines
 * across the box's top and bottom just outside it (ABOVE and BELOW zones, columns covered). Boxes
 * are stacked 6 pt apart, so a circle round one box passes just above or below its neighbour: an
 * arc across one side only, with nothing on the left, is a neighbour's circle and does not make the
 * box look marked. Zones stop short of the neighbour's own border (6 pt away).
 */
import { CHECKBOX_CIRCLE, CHECKBOX_INK } from "./confidence";
import type { GrayImage } from "./gray-image";

export interface BoxNeighbourhood {
  image: GrayImage;
  /** Pixels per point. */
  scale: number;
  /** Where the box's outer edge is in the image, in pixels from the left and top. */
  margin: { left: number; top: number };
  /** The box's side in pixels. */
  boxSize: number;
}

export type CheckboxMarks = {
  /** Dark share inside the box (its border inset by 3 pt). */
  interior: number;
  /** Share of the LEFT zone's rows that hold ink. */
  left: number;
  /** Share of the ABOVE / BELOW zones' columns that hold ink. */
  above: number;
  below: number;
  /** Dark share of the 1.5–5 pt ring around the box, without the ABOVE/BELOW bands when they hold a line (a circle's arc). */
  ring: number;
};

const DARK = 128;

/** Counts, in a pixel rectangle, the rows (or columns) that hold at least one dark pixel, as a share. */
function coverage(img: GrayImage, x0: number, y0: number, x1: number, y1: number, by: "rows" | "columns"): number {
  const xa = Math.max(0, Math.round(x0));
  const ya = Math.max(0, Math.round(y0));
  const xb = Math.min(img.width, Math.round(x1));
  const yb = Math.min(img.height, Math.round(y1));
  if (xb <= xa || yb <= ya) return 0;
  const { width, data } = img;
  let covered = 0;
  if (by === "rows") {
    for (let y = ya; y < yb; y++) {
      const row = y * width;
      for (let x = xa; x < xb; x++) {
        if (data[row + x]! < DARK) {
          covered++;
          break;
        }
      }
    }
    return covered / (yb - ya);
  }
  for (let x = xa; x < xb; x++) {
    for (let y = ya; y < yb; y++) {
      if (data[y * width + x]! < DARK) {
        covered++;
        break;
      }
    }
  }
  return covered / (xb - xa);
}

/** Dark and total pixels of a pixel rectangle (clipped). */
function inkCount(img: GrayImage, x0: number, y0: number, x1: number, y1: number): { ink: number; total: number } {
  const xa = Math.max(0, Math.round(x0));
  const ya = Math.max(0, Math.round(y0));
  const xb = Math.min(img.width, Math.round(x1));
  const yb = Math.min(img.height, Math.round(y1));
  if (xb <= xa || yb <= ya) return { ink: 0, total: 0 };
  let ink = 0;
  for (let y = ya; y < yb; y++) {
    const row = y * img.width;
    for (let x = xa; x < xb; x++) if (img.data[row + x]! < DARK) ink++;
  }
  return { ink, total: (xb - xa) * (yb - ya) };
}

export function checkboxMarks(n: BoxNeighbourhood): CheckboxMarks {
  const { image: img, scale: s, boxSize } = n;
  const bx0 = n.margin.left;
  const by0 = n.margin.top;
  const bx1 = bx0 + boxSize;
  const by1 = by0 + boxSize;
  const z = CHECKBOX_CIRCLE.zone;
  const interiorInk = inkCount(img, bx0 + 3 * s, by0 + 3 * s, bx1 - 3 * s, by1 - 3 * s);
  const left = coverage(img, bx0 - z.far * s, by0 + z.inset * s, bx0 - z.near * s, by1 - z.inset * s, "rows");
  const above = coverage(img, bx0 + z.inset * s, by0 - z.reach * s, bx1 - z.inset * s, by0 - z.near * s, "columns");
  const below = coverage(img, bx0 + z.inset * s, by1 + z.near * s, bx1 - z.inset * s, by1 + z.reach * s, "columns");
  // The ring (1.5–5 pt out) as four bands; a band crossed by a line (a circle's arc, ours or a
  // neighbour's) is left out: the ring is there to catch a tick drawn beside the box.
  const near = 1.5 * s;
  const far = 5 * s;
  const bands = [
    { ...inkCount(img, bx0 - far, by0 - far, bx1 + far, by0 - near), arc: above >= CHECKBOX_CIRCLE.minArc },
    { ...inkCount(img, bx0 - far, by1 + near, bx1 + far, by1 + far), arc: below >= CHECKBOX_CIRCLE.minArc },
    { ...inkCount(img, bx0 - far, by0 - near, bx0 - near, by1 + near), arc: false },
    { ...inkCount(img, bx1 + near, by0 - near, bx1 + far, by1 + near), arc: false },
  ];
  let ink = 0;
  let total = 0;
  for (const b of bands) {
    if (b.arc) continue;
    ink += b.ink;
    total += b.total;
  }
  return {
    interior: interiorInk.total > 0 ? interiorInk.ink / interiorInk.total : 0,
    left,
    above,
    below,
    ring: total > 0 ? ink / total : 0,
  };
}

export type CheckboxDecision =
  | { value: true; how: "inside" | "circled" }
  | { value: false }
  | { value: null; why: "unclear" | "outside" };

/** The decision from the marks (thresholds: confidence.ts CHECKBOX_INK and CHECKBOX_CIRCLE). */
export function decideCheckbox(m: CheckboxMarks): CheckboxDecision {
  if (m.interior >= CHECKBOX_INK.ticked) return { value: true, how: "inside" };
  if (m.interior > CHECKBOX_INK.empty) return { value: null, why: "unclear" };
  const c = CHECKBOX_CIRCLE;
  if (m.left >= c.minLeft && m.above >= c.minArc && m.below >= c.minArc) return { value: true, how: "circled" };
  // A stroke down the left side without the rest of a circle, or ink beside the box: a person looks.
  if (m.left >= CHECKBOX_CIRCLE.maxStrayLeft) return { value: null, why: "outside" };
  if (m.ring > CHECKBOX_INK.ring) return { value: null, why: "outside" };
  return { value: false };
}
