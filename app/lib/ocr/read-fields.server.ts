/**
 * Reads each kind of field from an aligned page. Every reader cuts its own crop straight out of
 * the page through the homography (warp.ts), so skew and scale are already gone.
 *
 * - digits: each comb cell's interior (inset so the borders are never seen; a border reads as
 *   "1"), blank cells found by ink; the written cells are laid side by side in one strip and read
 *   three times (English model, Japanese model, English model on a smaller copy) with a digit
 *   whitelist. A digit keeps its confidence only when all three agree; otherwise single-character
 *   recognition (PSM 10) of the cell adds two votes: four of the five with no other digit decide it
 *   (digit-votes.ts), anything less is a suggestion for the operator. Outside standard FAX the
 *   reads are taken one after another and stop at two when both settle every cell alike
 *   (DIGIT_TWO_READS). On standard FAX a 0 must also look like one (zeroShape: a 6 that lost its
 *   top reads 0 for every model). Every written cell also gets the digit shapes' opinion
 *   (digit-shapes.ts, nearest shapes from calibration pages at the same resolution): it gives the
 *   digit the reads could not settle, and on standard FAX vetoes one it clearly contradicts
 *   (withShapeOpinion, DIGIT_SHAPE); what it changed is never accepted without the line's call.
 * - text lines: read twice at two scales, the second only when the first could be accepted.
 * - kana: one line, katakana/hiragana whitelist. kanji and text: Japanese text lines.
 * - checkbox: ink inside the box, or a circle around the box or its label (checkbox-marks.ts);
 *   signature: ink ratio. No OCR for either.
 */
import { combCells, textLines, type LayoutField } from "../../../templates/forms/layout";
import { normalizeJapaneseText, normalizeKana } from "../../domain/paper-form";
import { checkboxMarks, decideCheckbox } from "./checkbox-marks";
import { ACCEPT_THRESHOLDS, CELL_INK, CHECKBOX_INK, DIGIT_SHAPE, DIGIT_TWO_READS, LOW_RESOLUTION_THRESHOLDS, LINE_INK_EMPTY, ramp, ZERO_SHAPE } from "./confidence";
import { digitShapeOpinion } from "./digit-shape-sets";
import type { ShapeOpinion } from "./digit-shapes";
import { majorityDigit, unanimousDigit, zeroShape, type DigitVote, type ZeroShape } from "./digit-votes";
import { withNameSpace } from "./kana-space";
import type { Homography } from "./geometry";
import { createGray, inkRatio, padGray, resizeGray, whitenPaper, type GrayImage } from "./gray-image";
import { PSM, type OcrLanguage, type Recognition, type TesseractPool } from "./tesseract-pool.server";
import type { Rect } from "./types";
import { warpRegion } from "./warp";

export interface ReadContext {
  pool: TesseractPool;
  image: GrayImage;
  pageToImage: Homography;
  /** Standard-resolution FAX (98 lines per inch). */
  lowResolution?: boolean;
  /**
   * Every written digit cell's votes: the three line reads, and the two single-cell reads when the
   * line reads did not agree (the benchmark's calibration dump; tests).
   */
  onDigitVotes?: (field: string, cell: number, lineVotes: DigitVote[][], singleVotes: DigitVote[] | undefined) => void;
  /** Always take all three line reads (calibration of DIGIT_TWO_READS). */
  allDigitVotes?: boolean;
  /** Every written digit cell's interior as read (scripts/build-digit-shapes.ts labels them). */
  onDigitCell?: (field: string, cell: number, image: GrayImage) => void;
  /** The shape of every cell read as "0" (calibration of ZERO_SHAPE). */
  onZeroShape?: (field: string, cell: number, shape: ZeroShape | undefined) => void;
}

export type { DigitVote } from "./digit-votes";

/** What a reader returns; the pipeline adds validation, acceptance and the box. */
export interface RawReading {
  value: string | boolean | null;
  confidence: number;
  problems: string[];
  cells?: CellRead[];
}

const DIGITS = "0123456789";
const KANA =
  "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポァィゥェォッャュョヮヴー" +
  "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんがぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽぁぃぅぇぉっゃゅょ ";

/** Pixels per point for OCR crops: ~216 dpi, glyphs of a comb cell come out ~50 px tall. */
const OCR_SCALE = 3;
const TEXT_SCALE = 2.5;

function inset(r: Rect, by: number): Rect {
  return { x: r.x + by, y: r.y + by, width: Math.max(1, r.width - 2 * by), height: Math.max(1, r.height - 2 * by) };
}

function crop(ctx: ReadContext, rect: Rect, scale: number): GrayImage {
  return whitenPaper(warpRegion(ctx.image, ctx.pageToImage, rect, scale));
}

type CellRead = { value: string; confidence: number; alternatives?: string[]; suspect?: boolean; shape?: ShapeOpinion };

/** Symbols of a strip recognition, grouped by the cell whose span holds their centre. */
function symbolsPerCell(rec: Recognition, spans: { x0: number; x1: number }[]): { text: string; confidence: number }[][] {
  const perCell = spans.map(() => [] as { text: string; confidence: number }[]);
  for (const s of rec.symbols) {
    if (!/^\d$/.test(s.text)) continue;
    let best = 0;
    let bestDist = Infinity;
    spans.forEach((span, i) => {
      const d = s.centreX < span.x0 ? span.x0 - s.centreX : s.centreX > span.x1 ? s.centreX - span.x1 : 0;
      if (d < bestDist) {
        bestDist = d;
        best = i;
      }
    });
    perCell[best]!.push({ text: s.text, confidence: s.confidence });
  }
  return perCell;
}

/** Columns [x0, x1) that hold ink (a column needs 2+ dark pixels, so lone specks do not count). */
function inkColumns(img: GrayImage): { x0: number; x1: number } | undefined {
  let x0 = -1;
  let x1 = -1;
  for (let x = 0; x < img.width; x++) {
    let dark = 0;
    for (let y = 0; y < img.height; y++) if (img.data[y * img.width + x]! < 128) dark++;
    if (dark >= 2) {
      if (x0 < 0) x0 = x;
      x1 = x + 1;
    }
  }
  return x0 < 0 ? undefined : { x0, x1 };
}

/**
 * The written cells side by side as one line of text, each cut to its ink with a normal letter
 * gap: LSTM models read a digit string far better than isolated characters or widely spaced ones.
 * Returns each cell's horizontal span in the strip, to give every recognised digit back to its cell.
 */
function digitStrip(cells: GrayImage[]): { strip: GrayImage; spans: { x0: number; x1: number }[] } {
  const height = cells[0]!.height;
  const gap = Math.round(height * 0.22);
  const pad = 16;
  const pieces = cells.map((img) => {
    const cols = inkColumns(img) ?? { x0: 0, x1: img.width };
    const x0 = Math.max(0, cols.x0 - 3);
    const x1 = Math.min(img.width, cols.x1 + 3);
    return { img, x0, x1 };
  });
  const width = pad * 2 + pieces.reduce((w, p) => w + (p.x1 - p.x0), 0) + gap * (pieces.length - 1);
  const strip = createGray(width, height + pad * 2);
  const spans: { x0: number; x1: number }[] = [];
  let x = pad;
  for (const p of pieces) {
    for (let y = 0; y < height; y++) {
      strip.data.set(p.img.data.subarray(y * p.img.width + p.x0, y * p.img.width + p.x1), (y + pad) * strip.width + x);
    }
    spans.push({ x0: x - gap / 2, x1: x + (p.x1 - p.x0) + gap / 2 });
    x += p.x1 - p.x0 + gap;
  }
  return { strip, spans };
}

/** A line read that saw exactly one digit in every written cell (none missed or split), each at DIGIT_TWO_READS.minConfidence or more. */
export function settledByOneRead(cells: readonly (readonly DigitVote[])[]): boolean {
  return cells.length > 0 && cells.every((c) => c.length === 1 && c[0]!.confidence >= DIGIT_TWO_READS.minConfidence);
}

/** Two line reads that each settle every cell (settledByOneRead) and agree on every digit: no third read. */
export function settledByTwoReads(a: readonly (readonly DigitVote[])[], b: readonly (readonly DigitVote[])[]): boolean {
  return settledByOneRead(a) && settledByOneRead(b) && a.length === b.length && a.every((c, i) => c[0]!.text === b[i]![0]!.text);
}

async function recognizeSingleDigit(ctx: ReadContext, cellImage: GrayImage, lang: OcrLanguage): Promise<CellRead> {
  const rec = await ctx.pool.recognize({ image: padGray(cellImage, 20), lang, psm: PSM.SINGLE_CHAR, whitelist: DIGITS });
  const s = rec.symbols.find((x) => /^\d$/.test(x.text));
  return s ? { value: s.text, confidence: s.confidence / 100 } : { value: "", confidence: 0 };
}

/**
 * Tesseract's reading of a cell with the digit shapes' opinion (DIGIT_SHAPE): a confident shape
 * gives the digit where the reads did not settle it, and caps a settled digit it contradicts. Either
 * way the confidence stays under every acceptance threshold: the line's confirmation call, or a
 * person, checks what the shapes changed.
 */
export function withShapeOpinion(read: CellRead, shape: ShapeOpinion, settledByReads: boolean, lowResolution: boolean): CellRead {
  if (shape.value === read.value) return { ...read, shape };
  if (settledByReads) {
    // Outside standard FAX the reads are the better reader: a contrary shape is left out, so that it
    // vetoes nothing here nor in the line-call rule.
    if (!lowResolution) return read;
    return shape.votes >= DIGIT_SHAPE.vetoes ? { ...read, shape, confidence: Math.min(read.confidence, DIGIT_SHAPE.cap) } : { ...read, shape };
  }
  if (shape.votes >= DIGIT_SHAPE.decides) {
    const { suspect: _suspect, ...rest } = read;
    return { ...rest, shape, value: shape.value, confidence: Math.min(read.confidence, DIGIT_SHAPE.cap) };
  }
  return { ...read, shape };
}

export async function readDigits(ctx: ReadContext, field: LayoutField): Promise<RawReading> {
  const cells = combCells(field);
  const images = cells.map((cell) => crop(ctx, inset(cell, Math.min(cell.width, cell.height) * 0.16), OCR_SCALE));
  const inks = images.map((img) => inkRatio(img, 128));
  const written = inks.map((ink) => ink >= CELL_INK.empty);

  // One strip of the written cells, with white gaps, read as a single line by both models.
  const indexes = written.flatMap((w, i) => (w ? [i] : []));
  const reads: CellRead[] = cells.map((_, i) => ({
    value: "",
    confidence: written[i] ? 0 : ramp(inks[i]!, 0.004, CELL_INK.empty, 0.99, 0.9),
  }));
  if (indexes.length > 0) {
    const { strip, spans } = digitStrip(indexes.map((i) => images[i]!));
    // One read, then a second, and the third only when the first two do not settle every cell
    // (DIGIT_TWO_READS): the English model on a smaller copy of the strip (the cheapest read), the
    // English model on the strip, then the Japanese model. On standard FAX, where agreement
    // proves less, all three are always taken. Different sampling, different binarisation inside
    // Tesseract, different models: independent enough that agreement means something.
    const smallSpans = spans.map((sp) => ({ x0: sp.x0 * 0.75, x1: sp.x1 * 0.75 }));
    const readEng = async () => symbolsPerCell(await ctx.pool.recognize({ image: strip, lang: "eng", psm: PSM.SINGLE_LINE, whitelist: DIGITS }), spans);
    const readJpn = async () => symbolsPerCell(await ctx.pool.recognize({ image: strip, lang: "jpn", psm: PSM.SINGLE_LINE, whitelist: DIGITS }), spans);
    const readEngSmall = async () =>
      symbolsPerCell(await ctx.pool.recognize({ image: resizeGray(strip, strip.width * 0.75, strip.height * 0.75), lang: "eng", psm: PSM.SINGLE_LINE, whitelist: DIGITS }), smallSpans);
    let lineReads: DigitVote[][][];
    if (ctx.allDigitVotes || (ctx.lowResolution && !DIGIT_TWO_READS.onLowResolution)) {
      const [eng, jpn, engSmall] = await Promise.all([readEng(), readJpn(), readEngSmall()]);
      lineReads = [eng, jpn, engSmall];
    } else {
      const engSmall = await readEngSmall();
      const eng = settledByOneRead(engSmall) ? await readEng() : undefined;
      if (eng && settledByTwoReads(eng, engSmall)) {
        lineReads = [eng, engSmall];
      } else {
        const [engRead, jpn] = await Promise.all([eng ?? readEng(), readJpn()]);
        lineReads = [engRead, jpn, engSmall];
      }
    }
    await Promise.all(
      indexes.map(async (cellIndex, k) => {
        const faint = inks[cellIndex]! < CELL_INK.faint;
        const votes: DigitVote[][] = lineReads.map((r) => r[k]!);
        let read: CellRead;
        let settledByReads = false;
        // Two reads that settled the field: each cell is unanimous at DIGIT_TWO_READS.minConfidence
        // or more, with no alternatives (paper-request.ts isSettledDigit then asks its confidence).
        const agreed = unanimousDigit(votes);
        if (agreed) {
          ctx.onDigitVotes?.(field.name, cellIndex, votes, undefined);
          read = agreed;
          settledByReads = true;
        } else {
          // The reads disagree or split the cell: each model reads this cell alone (one digit per
          // cell is what the comb says). A clear majority of the five votes decides the digit, with
          // its confidence (digit-votes.ts); otherwise the majority is a suggestion for an operator.
          const [se, sj] = await Promise.all([recognizeSingleDigit(ctx, images[cellIndex]!, "eng"), recognizeSingleDigit(ctx, images[cellIndex]!, "jpn")]);
          const singles: DigitVote[] = [se, sj].map((r) => ({ text: r.value, confidence: r.confidence * 100 }));
          ctx.onDigitVotes?.(field.name, cellIndex, votes, singles);
          const alternatives = [...votes.map((v) => v.map((x) => x.text).join("")), se.value, sj.value];
          const single = alternatives.filter((v) => v.length === 1);
          const best = [...single].sort((x, y) => single.filter((v) => v === y).length - single.filter((v) => v === x).length)[0] ?? "";
          const majority = majorityDigit(votes, singles);
          read = majority ? { ...majority, alternatives } : { value: best, confidence: 0.3, alternatives };
          settledByReads = Boolean(majority);
        }
        if (read.value === "0") {
          const shape = zeroShape(images[cellIndex]!);
          ctx.onZeroShape?.(field.name, cellIndex, shape);
          // Standard FAX turns a 6 whose top it dropped into a 0 for every model alike.
          if (ctx.lowResolution && (!shape || Math.min(shape.leftSpan, shape.rightSpan) < ZERO_SHAPE.minSpan || shape.centreInk > ZERO_SHAPE.maxCentreInk)) {
            read = { ...read, confidence: Math.min(read.confidence, ZERO_SHAPE.cap), suspect: true };
          }
        }
        ctx.onDigitCell?.(field.name, cellIndex, images[cellIndex]!);
        const shape = digitShapeOpinion(images[cellIndex]!, ctx.lowResolution ?? false);
        if (shape) read = withShapeOpinion(read, shape, settledByReads && !read.suspect, ctx.lowResolution ?? false);
        // A faint cell may be a stray dot read as a digit: never accept it unseen.
        if (faint) read = { ...read, confidence: Math.min(read.confidence, 0.5) };
        reads[cellIndex] = read;
      }),
    );
  }
  const value = reads.map((r) => r.value).join("");
  const problems: string[] = [];
  const firstWritten = reads.findIndex((r) => r.value !== "");
  const lastWritten = reads.length - 1 - [...reads].reverse().findIndex((r) => r.value !== "");
  if (firstWritten >= 0 && reads.slice(firstWritten, lastWritten + 1).some((r) => r.value === "")) {
    problems.push("数字のあいだに空いたマスがあります。用紙を見て確かめてください。");
  }
  if (written.some((w, i) => w && reads[i]!.value === "")) {
    problems.push("読めない数字があります。用紙を見て確かめてください。");
  }
  return { value, confidence: Math.min(...reads.map((r) => r.confidence)), problems, cells: reads };
}

async function recognizeLine(ctx: ReadContext, img: GrayImage, kind: "kana" | "kanji" | "text"): Promise<CellRead> {
  const rec = await ctx.pool.recognize({
    image: padGray(img, 12),
    lang: "jpn",
    psm: PSM.SINGLE_LINE,
    whitelist: kind === "kana" ? KANA : "",
  });
  const symbols = rec.symbols.filter((s) => s.text.trim() !== "");
  const text = rec.text.trim();
  let value = kind === "kana" ? normalizeKana(text) : normalizeJapaneseText(text);
  if (symbols.length === 0 || value === "") return { value: "", confidence: 0 };
  // Family and given name: put back the space the glyph positions show (normalisation drops it).
  if (kind === "kana") value = withNameSpace(value, symbols.map((s) => s.centreX));
  // The weakest character decides: one wrong kanji makes the whole name wrong.
  return { value, confidence: Math.min(...symbols.map((s) => s.confidence)) / 100 };
}

/** A line's first read (or its emptiness), and the crop area for a second read. */
async function readLineOnce(ctx: ReadContext, line: Rect, kind: "kana" | "kanji" | "text"): Promise<{ read: CellRead; area?: Rect }> {
  const area = inset(line, 3);
  const img = crop(ctx, area, TEXT_SCALE);
  const ink = inkRatio(img, 128);
  if (ink < LINE_INK_EMPTY) return { read: { value: "", confidence: ramp(ink, 0.001, LINE_INK_EMPTY, 0.99, 0.9) } };
  return { read: await recognizeLine(ctx, img, kind), area };
}

/**
 * Tesseract's confidence on handwritten Japanese is over-optimistic (wrong names at 95+), so a
 * line is read twice from crops sampled at two scales and only an identical reading keeps its
 * confidence; any difference sends the field to an operator. The second reads are taken only when
 * the field could be accepted: when a first read (or a blank line's confidence) is below the kind's
 * threshold, the field goes to an operator whatever the second reads say, with the first reads'
 * values (a second read can only lower a confidence, never change a value).
 */
export async function readText(ctx: ReadContext, field: LayoutField): Promise<RawReading> {
  const kind = field.kind === "kana" || field.kind === "kanji" ? field.kind : "text";
  const firsts = await Promise.all(textLines(field).map((line) => readLineOnce(ctx, line, kind)));
  const threshold = (ctx.lowResolution ? LOW_RESOLUTION_THRESHOLDS : ACCEPT_THRESHOLDS)[kind];
  const acceptable = firsts.every((f) => f.read.confidence >= threshold);
  const squash = (s: string) => s.replace(/\s+/g, "");
  const lines = await Promise.all(
    firsts.map(async ({ read: first, area }): Promise<CellRead> => {
      if (!acceptable || !area || first.value === "") return first;
      const second = await recognizeLine(ctx, crop(ctx, area, TEXT_SCALE * 1.3), kind);
      if (squash(first.value) !== squash(second.value)) return { value: first.value, confidence: Math.min(first.confidence, 0.3) };
      return { value: first.value, confidence: Math.min(first.confidence, second.confidence) };
    }),
  );
  // Trailing blank lines are not part of the value (most addresses fit on one line).
  const values = lines.map((l) => l.value);
  while (values.length > 1 && values[values.length - 1] === "") values.pop();
  return { value: values.join("\n"), confidence: Math.min(...lines.map((l) => l.confidence)), problems: [] };
}

/**
 * A check box: ink inside it (tick, cross, fill), or a circle around it or its label
 * (checkbox-marks.ts). Read from the box's neighbourhood straightened to the form.
 */
export function readCheckbox(ctx: ReadContext, field: LayoutField): RawReading {
  const box = field.box;
  const m = { left: 12, top: 6, right: 6, bottom: 6 };
  const s = OCR_SCALE;
  const image = crop(ctx, { x: box.x - m.left, y: box.y - m.top, width: box.width + m.left + m.right, height: box.height + m.top + m.bottom }, s);
  const marks = checkboxMarks({ image, scale: s, margin: { left: m.left * s, top: m.top * s }, boxSize: box.width * s });
  const decision = decideCheckbox(marks);
  if (decision.value === true) {
    const confidence = decision.how === "inside" ? ramp(marks.interior, CHECKBOX_INK.ticked, CHECKBOX_INK.ticked * 1.6, 0.85, 0.99) : 0.9;
    return { value: true, confidence, problems: [] };
  }
  if (decision.value === false) return { value: false, confidence: ramp(marks.interior, 0.008, CHECKBOX_INK.empty, 0.99, 0.85), problems: [] };
  if (decision.why === "outside") return { value: null, confidence: 0.3, problems: ["印が□の外にはみ出しています。用紙を見て確かめてください。"] };
  return { value: null, confidence: 0.3, problems: ["印があるかどうか、はっきりしません。用紙を見て確かめてください。"] };
}

export function readSignature(ctx: ReadContext, field: LayoutField): RawReading {
  const ink = inkRatio(crop(ctx, inset(field.box, 4), 1.5), 128);
  if (ink >= 0.012) return { value: true, confidence: 0.95, problems: [] };
  if (ink <= 0.004) return { value: false, confidence: 0.95, problems: [] };
  return { value: null, confidence: 0.3, problems: ["署名があるかどうか、はっきりしません。"] };
}
