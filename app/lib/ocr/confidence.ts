/**
 * Confidence calibration: where "accepted without an operator" starts, per field kind.
 *
 * The goal is that NO wrong value is ever accepted; a value below its threshold is shown to an
 * operator, which costs a few seconds, while a wrong accepted phone number stops the wrong line.
 * The numbers were set from `npm run bench:ocr` on the generated evaluation set (see
 * BENCHMARKS.md): each threshold sits above the highest confidence any wrong value reached there,
 * with margin. Validation failures (phone, postal code, reference check digit, date) force review
 * whatever the confidence.
 */
import type { FieldKind } from "../../../templates/forms/layout";

export const ACCEPT_THRESHOLDS: Readonly<Record<FieldKind, number>> = {
  // Three reads must agree on every digit (see readDigits); their lowest confidence is used.
  digits: 0.9,
  // Handwritten Japanese: wrong readings reached 0.94 (kana) and 0.91 (kanji, text) in the
  // calibration runs even with the two-scale agreement check (readLine).
  kana: 0.96,
  kanji: 0.96,
  text: 0.96,
  checkbox: 0.8,
  signature: 0.8,
};

/** Check box ink ratios (share of dark pixels inside the box, border excluded). */
export const CHECKBOX_INK = {
  /** Below: clearly empty. */
  empty: 0.025,
  /** Above: clearly ticked. Between the two: "uncertain", always to an operator. */
  ticked: 0.07,
  /** An empty box with more ink than this in the 1.5–5 pt ring around it (a tick beside it): to an operator. */
  ring: 0.04,
} as const;

/**
 * A circle drawn around a check box, or around the box and its label (checkbox-marks.ts): ink down
 * the box's left side and across its top and bottom, just outside it. Zones in points from the
 * box's edge: LEFT from `near` to `far` out, ABOVE and BELOW from `near` to `reach` out (rows of
 * boxes are 6 pt apart: a zone must stop before the neighbour's border), each `inset` shorter than
 * the box's side at both ends. A circle needs `minLeft` of the LEFT zone's rows to hold ink, and an
 * arc (`minArc` of the columns) above and below; a left stroke covering `maxStrayLeft` without the
 * rest goes to an operator. Standard FAX drops thin horizontal lines, so an arc may be dashed.
 * Set on the calibration set (seed 20250401, 24 pages per scan mode, 648 boxes, 53 circled): every
 * circled box had left 1.00 and arcs ≥ 0.37 but one (below 0.37: a dashed arc on standard FAX, sent
 * to an operator before this was lowered from 0.8); the empty boxes had left ≤ 0.20 (27 of them
 * under a neighbour's arc, above or below 1.00).
 */
export const CHECKBOX_CIRCLE = {
  zone: { near: 1.4, far: 11, reach: 5, inset: 4 },
  minLeft: 0.8,
  minArc: 0.3,
  maxStrayLeft: 0.5,
} as const;

/**
 * Digit fields: fewer reads unless their confidence asks for more (read-fields.server.ts readDigits).
 * The English model's read of a smaller copy of the strip comes first; when it saw exactly one digit
 * in every written cell, each at `minConfidence` (Tesseract's 0..100) or more, the English model
 * reads the strip; when that settles every cell the same way too, the field is decided by the two
 * and the Japanese model is not asked. Anything less takes all three reads (and the single-cell
 * reads). `onLowResolution: false`: on standard FAX all three are always taken.
 * Set on the calibration set (seed 20250401, 20 pages per scan mode, every cell's three reads
 * recorded with `npm run bench:ocr -- --set calibration --digit-votes`): on fine FAX and scans
 * (1,384 cells) no two of these reads ever agreed on a wrong digit, at any confidence, while the
 * English read alone was wrong at 0.99 and the Japanese one at 0.99; 130 of 148 fields are settled
 * by two reads at 90. On standard FAX (672 cells) the two agreed on wrong digits at 0.93–0.99
 * (a 2 read 7, a 6 read 0), so all three reads stay there.
 */
export const DIGIT_TWO_READS = { minConfidence: 90, onLowResolution: false } as const;

/** Comb cell ink ratios: below `empty` a cell is blank; up to `faint` it is unclear. */
export const CELL_INK = { empty: 0.01, faint: 0.025 } as const;

/** Text lines with less ink than this are blank. */
export const LINE_INK_EMPTY = 0.004;

/**
 * FAX normal mode (98 lines per inch) loses thin horizontal strokes: an 8 or a 6 becomes a 0 for
 * every engine alike, so agreement proves less. On such pages OCR'd text kinds need more.
 * Digits: on the calibration set (seed 20250401, calibration fonts, 60 standard-FAX pages: 240 digit
 * fields, ~2,000 written cells, every cell's votes and 0-shape recorded through ReadContext's
 * onDigitVotes/onZeroShape) the wrong digits that all reads agreed on were 0s — a 6 without its top
 * at 0.89, a 5 at 0.47 — and ZERO_SHAPE caps every such 0. No wrong digit was left above 0.45 after
 * that, so digits need what they need on other pages: 0.9 (was 0.97).
 */
export const LOW_RESOLUTION_THRESHOLDS: Readonly<Record<FieldKind, number>> = {
  ...ACCEPT_THRESHOLDS,
  digits: 0.9,
  kana: 0.97,
  kanji: 0.97,
  text: 0.97,
};

/**
 * A digit read as 0 on standard FAX whose ink does not look like a 0 (digit-votes.ts zeroShape):
 * below `minSpan` one side covers too little of the glyph's height (a 6 without its top), above
 * `maxCentreInk` there is ink inside (an 8 or a 6's loop). Such a digit is capped at `cap`: below
 * every threshold and below the line-call rule's 0.5, so a person sees it. Set on the calibration set
 * (seed 20250401, 60 standard-FAX pages): of 442 true 0s, 5 had a side below 0.75 and none more than
 * 0.031 ink inside; all 36 wrong 0s (6, 8, 9, 5, 2, 1, 7) had a side at most 0.69 or inside ink ≥ 0.2.
 */
export const ZERO_SHAPE = { minSpan: 0.75, maxCentreInk: 0.05, cap: 0.45 } as const;

/**
 * The digit shapes' opinion (digit-shapes.ts: SHAPE_K nearest labelled shapes of calibration pages
 * at the page's resolution) as a second reader of comb cells:
 * - `decides`: where Tesseract's reads did not settle a cell, a shape opinion with at least this many
 *   votes gives its digit (at `cap`, so a person or the line's confirmation call checks it);
 * - `vetoes`: a shape opinion with at least this many votes for another digit than the one Tesseract
 *   settled caps the cell at `cap` and keeps the line from a confirmation call (paper-request.ts).
 * Outside standard FAX the reads are the better reader, and a contrary shape is left out (no veto).
 * Set on the calibration set only (seed 20250401, calibration fonts; the shapes themselves come from
 * other calibration pages, seed 20250511): on 100 standard-FAX pages, of 3,276 written cells the
 * shapes gave 3,048 opinions of 7 votes, 2 of them wrong (6 votes: 99 right, 3 wrong; fewer: a third
 * wrong or worse); on 100 fine-FAX and scanned pages, 3,356 of 7 votes, 5 wrong — each where the reads
 * had settled the right digit (hence no veto there). The held-out figures are in BENCHMARKS.md.
 */
export const DIGIT_SHAPE = { decides: 7, vetoes: 7, cap: 0.45 } as const;

export function isAccepted(kind: FieldKind, confidence: number, problems: readonly string[], lowResolution = false): boolean {
  const thresholds = lowResolution ? LOW_RESOLUTION_THRESHOLDS : ACCEPT_THRESHOLDS;
  return problems.length === 0 && confidence >= thresholds[kind];
}

/** Linear ramp from `lo` (at a) to `hi` (at b), clamped. */
export function ramp(x: number, a: number, b: number, lo: number, hi: number): number {
  if (b === a) return hi;
  const t = Math.max(0, Math.min(1, (x - a) / (b - a)));
  return lo + (hi - lo) * t;
}
