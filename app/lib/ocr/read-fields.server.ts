/**
 * Reads each kind of field from an aligned page. Every reader cuts its own crop straight out of
 * the page through the homography (warp.ts), so skew and scale are already gone.
 *
 * - digits: each comb cell's interior (inset so the borders are never seen; a border reads as
 *   "1"), blank cells found by ink; the written cells are laid side by side in one strip and read
 *   three times (English model, Japanese model, English model on a smaller copy) with a digit
 *   whitelist. A digit keeps its confidence only when all three agree; otherwise single-character
 *   recognition (PSM 10) of the cell adds two votes: four of the five with no other digit decide it
 *   (digit-votes.ts), anything less is a suggestion for the operator. On standard FAX a 0 must also
 *   look like one (zeroShape: a 6 that lost its top reads 0 for every model).
 * - kana: one line, katakana/hiragana whitelist. kanji and text: Japanese text lines.
 * - checkbox and signature: ink ratio, no OCR at all.
 */
import { combCells, textLines, type LayoutField } from "../../../templates/forms/layout";
import { normalizeJapaneseText, normalizeKana } from "../../domain/paper-form";
import { CELL_INK, CHECKBOX_INK, LINE_INK_EMPTY, ramp, ZERO_SHAPE } from "./confidence";
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

type CellRead = { value: string; confidence: number; alternatives?: string[]; suspect?: boolean };

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

async function recognizeSingleDigit(ctx: ReadContext, cellImage: GrayImage, lang: OcrLanguage): Promise<CellRead> {
  const rec = await ctx.pool.recognize({ image: padGray(cellImage, 20), lang, psm: PSM.SINGLE_CHAR, whitelist: DIGITS });
  const s = rec.symbols.find((x) => /^\d$/.test(x.text));
  return s ? { value: s.text, confidence: s.confidence / 100 } : { value: "", confidence: 0 };
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
    // Three independent line reads: two models, and the English model again on a smaller copy
    // (different sampling, different binarisation inside Tesseract).
    const smaller = resizeGray(strip, strip.width * 0.75, strip.height * 0.75);
    const [eng, jpn, engSmall] = await Promise.all([
      ctx.pool.recognize({ image: strip, lang: "eng", psm: PSM.SINGLE_LINE, whitelist: DIGITS }),
      ctx.pool.recognize({ image: strip, lang: "jpn", psm: PSM.SINGLE_LINE, whitelist: DIGITS }),
      ctx.pool.recognize({ image: smaller, lang: "eng", psm: PSM.SINGLE_LINE, whitelist: DIGITS }),
    ]);
    const lineReads = [symbolsPerCell(eng, spans), symbolsPerCell(jpn, spans), symbolsPerCell(engSmall, spans.map((sp) => ({ x0: sp.x0 * 0.75, x1: sp.x1 * 0.75 })))];
    await Promise.all(
      indexes.map(async (cellIndex, k) => {
        const faint = inks[cellIndex]! < CELL_INK.faint;
        const votes: DigitVote[][] = lineReads.map((r) => r[k]!);
        let read: CellRead;
        const agreed = unanimousDigit(votes);
        if (agreed) {
          ctx.onDigitVotes?.(field.name, cellIndex, votes, undefined);
          read = agreed;
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
        }
        if (read.value === "0") {
          const shape = zeroShape(images[cellIndex]!);
          ctx.onZeroShape?.(field.name, cellIndex, shape);
          // Standard FAX turns a 6 whose top it dropped into a 0 for every model alike.
          if (ctx.lowResolution && (!shape || Math.min(shape.leftSpan, shape.rightSpan) < ZERO_SHAPE.minSpan || shape.centreInk > ZERO_SHAPE.maxCentreInk)) {
            read = { ...read, confidence: Math.min(read.confidence, ZERO_SHAPE.cap), suspect: true };
          }
        }
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

/**
 * Tesseract's confidence on handwritten Japanese is over-optimistic (wrong names at 95+), so a
 * line is read twice from crops sampled at two scales and only an identical reading keeps its
 * confidence; any difference sends the field to an operator.
 */
async function readLine(ctx: ReadContext, line: Rect, kind: "kana" | "kanji" | "text"): Promise<CellRead> {
  const area = inset(line, 3);
  const img = crop(ctx, area, TEXT_SCALE);
  const ink = inkRatio(img, 128);
  if (ink < LINE_INK_EMPTY) return { value: "", confidence: ramp(ink, 0.001, LINE_INK_EMPTY, 0.99, 0.9) };
  const [first, second] = await Promise.all([recognizeLine(ctx, img, kind), recognizeLine(ctx, crop(ctx, area, TEXT_SCALE * 1.3), kind)]);
  const squash = (s: string) => s.replace(/\s+/g, "");
  if (squash(first!.value) !== squash(second!.value)) return { value: first!.value, confidence: Math.min(first!.confidence, 0.3) };
  return { value: first!.value, confidence: Math.min(first!.confidence, second!.confidence) };
}

export async function readText(ctx: ReadContext, field: LayoutField): Promise<RawReading> {
  const kind = field.kind === "kana" || field.kind === "kanji" ? field.kind : "text";
  const lines = await Promise.all(textLines(field).map((line) => readLine(ctx, line, kind)));
  // Trailing blank lines are not part of the value (most addresses fit on one line).
  const values = lines.map((l) => l.value);
  while (values.length > 1 && values[values.length - 1] === "") values.pop();
  return { value: values.join("\n"), confidence: Math.min(...lines.map((l) => l.confidence)), problems: [] };
}

/** Ink just outside the box: a tick that overshoots its box must not be read as "empty". */
function ringInk(ctx: ReadContext, box: Rect): number {
  const outer = crop(ctx, inset(box, -5), OCR_SCALE);
  const s = OCR_SCALE;
  // Blank out the box itself and its border, keeping a 1.5–5 pt ring around it.
  const keep = 5 - 1.5;
  let ink = 0;
  let total = 0;
  for (let y = 0; y < outer.height; y++) {
    for (let x = 0; x < outer.width; x++) {
      const inside = x >= keep * s && x < outer.width - keep * s && y >= keep * s && y < outer.height - keep * s;
      if (inside) continue;
      total++;
      if (outer.data[y * outer.width + x]! < 128) ink++;
    }
  }
  return total > 0 ? ink / total : 0;
}

export function readCheckbox(ctx: ReadContext, field: LayoutField): RawReading {
  const interior = crop(ctx, inset(field.box, 3), OCR_SCALE);
  const ink = inkRatio(interior, 128);
  if (ink >= CHECKBOX_INK.ticked) {
    return { value: true, confidence: ramp(ink, CHECKBOX_INK.ticked, CHECKBOX_INK.ticked * 1.6, 0.85, 0.99), problems: [] };
  }
  if (ink <= CHECKBOX_INK.empty) {
    const around = ringInk(ctx, field.box);
    if (around > 0.04) return { value: null, confidence: 0.3, problems: ["印が□の外にはみ出しています。用紙を見て確かめてください。"] };
    return { value: false, confidence: ramp(ink, 0.008, CHECKBOX_INK.empty, 0.99, 0.85), problems: [] };
  }
  return { value: null, confidence: 0.3, problems: ["印があるかどうか、はっきりしません。用紙を見て確かめてください。"] };
}

export function readSignature(ctx: ReadContext, field: LayoutField): RawReading {
  const ink = inkRatio(crop(ctx, inset(field.box, 4), 1.5), 128);
  if (ink >= 0.012) return { value: true, confidence: 0.95, problems: [] };
  if (ink <= 0.004) return { value: false, confidence: 0.95, problems: [] };
  return { value: null, confidence: 0.3, problems: ["署名があるかどうか、はっきりしません。"] };
}
