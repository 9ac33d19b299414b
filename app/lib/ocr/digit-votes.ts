/**
 * Deciding one comb cell's digit from several line reads (models × image variants), pure so that
 * the rule can be tested and calibrated on recorded votes without running Tesseract.
 *
 * A read "votes" for a digit when it saw exactly one digit in the cell. A cell is decided when
 * every read voted and all votes agree; its confidence is then the lowest read confidence. When the
 * reads disagree, split the cell or missed it, the cell is not decided here (the caller asks the
 * models about the cell alone and leaves the choice to an operator).
 */
export type DigitVote = { text: string; confidence: number };

export type DecidedDigit = { value: string; confidence: number };

/** The digit all reads agree on, or undefined. Confidences are Tesseract's 0..100. */
export function unanimousDigit(votes: readonly (readonly DigitVote[])[]): DecidedDigit | undefined {
  if (votes.length === 0) return undefined;
  const first = votes[0]![0]?.text;
  if (first === undefined || !votes.every((v) => v.length === 1 && v[0]!.text === first)) return undefined;
  return { value: first, confidence: Math.min(...votes.map((v) => v[0]!.confidence)) / 100 };
}

/** Votes for the digit a majority decision needs (of 3 line reads + 2 single-cell reads). */
export const MAJORITY_MIN_VOTES = 4;

/**
 * When the three line reads did not all agree: the digit at least MAJORITY_MIN_VOTES of the five
 * reads (three line reads, two single-cell reads; `singleVotes` text "" when a model saw nothing)
 * gave as their only digit, where no read saw any other digit, alone or split — a read that saw
 * nothing abstains. Its confidence is the lowest of the agreeing
 * reads. Anything else (a real conflict) stays undecided.
 */
export function majorityDigit(lineVotes: readonly (readonly DigitVote[])[], singleVotes: readonly DigitVote[]): DecidedDigit | undefined {
  const reads: DigitVote[][] = [...lineVotes.map((v) => [...v]), ...singleVotes.map((v) => (v.text === "" ? [] : [v]))];
  const counts = new Map<string, DigitVote[]>();
  for (const r of reads) if (r.length === 1) counts.set(r[0]!.text, [...(counts.get(r[0]!.text) ?? []), r[0]!]);
  const ranked = [...counts].sort((a, b) => b[1].length - a[1].length);
  const [best] = ranked;
  if (!best || ranked.length > 1) return undefined;
  const [digit, agreeing] = best;
  if (agreeing.length < MAJORITY_MIN_VOTES) return undefined;
  // A read that split the cell ("06") speaks against the digit when it holds any other one: standard
  // FAX drops the top of a 6, which then reads as 0 and as "06".
  if (reads.some((r) => r.length > 1 && r.some((x) => x.text !== digit))) return undefined;
  return { value: digit, confidence: Math.min(...agreeing.map((v) => v.confidence)) / 100 };
}

/** Ink geometry of a comb cell read as "0" (see zeroShape). */
export type ZeroShape = { leftSpan: number; rightSpan: number; centreInk: number };

/**
 * How a "0" is drawn in its cell: the share of the glyph's height that its left and right quarter
 * cover, and the ink in its centre. A real 0 closes on both sides and is empty inside. Standard FAX
 * drops the thin top of a 6 (or the tail of a 9, the waist of an 8) and every model then reads 0 —
 * agreeing, confidently (0.89 on the calibration set) — but the 6 still covers only the lower part of its
 * right side, and an 8 keeps ink in the middle. `pixels` is the cell interior, 0 = ink, 255 = paper.
 */
export function zeroShape(pixels: { width: number; height: number; data: Uint8Array }): ZeroShape | undefined {
  const { width: w, height: h, data } = pixels;
  // Ink is darker than 128 (inlined below: this runs per pixel).
  // The glyph's box: columns and rows with a fair share of ink (FAX speckle and the remains of the
  // comb's borders have a few dark pixels, strokes many).
  const cols = new Array<number>(w).fill(0);
  const rows = new Array<number>(h).fill(0);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (data[y * w + x]! < 128) { cols[x]!++; rows[y]!++; }
  const colMin = Math.max(2, 0.2 * Math.max(...cols));
  const rowMin = Math.max(2, 0.2 * Math.max(...rows));
  const x0 = cols.findIndex((n) => n >= colMin);
  const x1 = w - 1 - [...cols].reverse().findIndex((n) => n >= colMin);
  const y0 = rows.findIndex((n) => n >= rowMin);
  const y1 = h - 1 - [...rows].reverse().findIndex((n) => n >= rowMin);
  if (x0 < 0 || y0 < 0 || x1 < x0 || y1 < y0) return undefined;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const span = (xa: number, xb: number) => {
    let top = -1, bottom = -1;
    for (let y = y0; y <= y1; y++) {
      let ink = false;
      for (let x = xa; x <= xb && !ink; x++) ink = data[y * w + x]! < 128;
      if (ink) { if (top < 0) top = y; bottom = y; }
    }
    return top < 0 ? 0 : (bottom - top + 1) / bh;
  };
  const quarter = Math.max(1, Math.round(bw / 4));
  let centre = 0, total = 0;
  for (let y = Math.round(y0 + bh * 0.35); y <= Math.round(y0 + bh * 0.65); y++) {
    for (let x = Math.round(x0 + bw * 0.3); x <= Math.round(x0 + bw * 0.7); x++) { total++; if (data[y * w + x]! < 128) centre++; }
  }
  return { leftSpan: span(x0, x0 + quarter - 1), rightSpan: span(x1 - quarter + 1, x1), centreInk: total ? centre / total : 0 };
}
