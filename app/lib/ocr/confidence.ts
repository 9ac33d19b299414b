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
} as const;

/** Comb cell ink ratios: below `empty` a cell is blank; up to `faint` it is unclear. */
export const CELL_INK = { empty: 0.01, faint: 0.025 } as const;

/** Text lines with less ink than this are blank. */
export const LINE_INK_EMPTY = 0.004;

/**
 * FAX normal mode (98 lines per inch) loses thin horizontal strokes: an 8 becomes a 0 and a 4 a 1
 * for every engine alike, so agreement proves less. On such pages OCR'd kinds need more.
 * (The evaluation set had a wrong digit at 0.93 with all three reads agreeing.)
 */
export const LOW_RESOLUTION_THRESHOLDS: Readonly<Record<FieldKind, number>> = {
  ...ACCEPT_THRESHOLDS,
  digits: 0.97,
  kana: 0.97,
  kanji: 0.97,
  text: 0.97,
};

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
