/**
 * The paper-form OCR pipeline, page by page:
 *   decode file → align (registration marks, quarter turns, QR → layout) → read every field →
 *   domain checks (phone, postal code, reference check digit, date, choice groups) → accept or
 *   send to an operator.
 *
 * Public API for the intake worker and the verification screen:
 *   const reader = await createFormReader();            // one per process; starts the OCR pool
 *   const pages = await reader.readFile(bytes);          // every page of a PDF/TIFF/PNG/JPEG
 *   const png = await cropFieldImage(pageImage, result.alignment, field.box);   // for the screen
 *   await reader.close();
 */
import type { FormLayout, LayoutField } from "../../../templates/forms/layout";
import { checkChoiceGroup, checkPaperField, PAPER_FORM_MESSAGES } from "../../domain/paper-form";
import { alignPage } from "./align";
import { isAccepted } from "./confidence";
import { decodeDocument, UnreadableFileError, type DecodedPage } from "./decode-image.server";
import { EXCEPTION_MESSAGES } from "./exceptions";
import { rotateGray, type GrayImage } from "./gray-image";
import { grayToPng } from "./safe-decode-encode.server";
import { readCheckbox, readDigits, readSignature, readText, type RawReading, type ReadContext } from "./read-fields.server";
import { TesseractPool } from "./tesseract-pool.server";
import { cpuSecondsNow, type FieldReading, type FormPageResult, type PageAlignment, type PageResult, type Rect, type StageTimes } from "./types";
import { warpRegion } from "./warp";

export type { FieldReading, FormPageResult, FormPageFailure, PageResult, PageAlignment, Rect, ExceptionReason, StageTimes } from "./types";
export { EXCEPTION_MESSAGES } from "./exceptions";
export { ACCEPT_THRESHOLDS, LOW_RESOLUTION_THRESHOLDS } from "./confidence";

async function readField(ctx: ReadContext, field: LayoutField): Promise<RawReading> {
  switch (field.kind) {
    case "digits":
      return readDigits(ctx, field);
    case "kana":
    case "kanji":
    case "text":
      return readText(ctx, field);
    case "checkbox":
      return readCheckbox(ctx, field);
    case "signature":
      return readSignature(ctx, field);
  }
}

function isBlank(value: RawReading["value"]): boolean {
  return value === "" || value === false;
}

/** Field-level checks, then choice-group checks, then acceptance. */
function judge(layout: FormLayout, raws: RawReading[], lowResolution: boolean): FieldReading[] {
  const readings: FieldReading[] = layout.fields.map((field, i) => {
    const raw = raws[i]!;
    const problems = [...raw.problems];
    if (field.validate && typeof raw.value === "string" && problems.length === 0) {
      const check = checkPaperField(field.validate, raw.value, field.required ?? false);
      if (!check.ok) problems.push(check.message);
    } else if (field.required && field.kind !== "checkbox" && isBlank(raw.value) && problems.length === 0) {
      problems.push(PAPER_FORM_MESSAGES.empty);
    }
    return {
      name: field.name,
      kind: field.kind,
      ...(field.group ? { group: field.group, choice: field.choice } : {}),
      value: raw.value,
      confidence: Math.round(raw.confidence * 1000) / 1000,
      accepted: false,
      problems,
      box: field.box,
      ...(raw.cells ? { cells: raw.cells } : {}),
    };
  });
  for (const group of layout.groups) {
    const members = readings.filter((r) => r.group === group.name);
    const check = checkChoiceGroup(
      group.select,
      group.required,
      members.map((m) => (typeof m.value === "boolean" ? m.value : null)),
    );
    if (!check.ok) for (const m of members) m.problems.push(check.message);
  }
  for (const r of readings) r.accepted = isAccepted(r.kind, r.confidence, r.problems, lowResolution);
  return readings;
}

export interface ReadPageOptions {
  /**
   * The page came at a low vertical resolution (FAX normal mode, 98 lines/inch): stricter
   * thresholds apply. `DecodedPage.stretchedVertically` tells.
   */
  lowResolution?: boolean;
  /** Receives every line read of every written digit cell (calibration dumps, tests). */
  onDigitVotes?: ReadContext["onDigitVotes"];
  /** Receives every written digit cell's interior (scripts/build-digit-shapes.ts). */
  onDigitCell?: ReadContext["onDigitCell"];
  /** Read every digit cell with all votes, not only when the first read asks for more (calibration). */
  allDigitVotes?: boolean;
  /** Adds the CPU seconds of this page's stages (align, qr, fields) to these (the benchmark). */
  stages?: StageTimes;
}

/** Reads one page image (any orientation). Never throws for a bad page: it returns the reason. */
export async function readFormPage(pool: TesseractPool, image: GrayImage, options: ReadPageOptions = {}): Promise<PageResult> {
  const started = performance.now();
  const aligned = alignPage(image, options.stages);
  if (!aligned.ok) return aligned;
  const ctx: ReadContext = {
    pool,
    image,
    pageToImage: aligned.alignment.pageToImage,
    lowResolution: options.lowResolution ?? false,
    onDigitVotes: options.onDigitVotes,
    onDigitCell: options.onDigitCell,
    allDigitVotes: options.allDigitVotes ?? false,
  };
  const fieldsStarted = options.stages ? cpuSecondsNow() : 0;
  const raws = await Promise.all(aligned.layout.fields.map((field) => readField(ctx, field)));
  if (options.stages) options.stages.fields += cpuSecondsNow() - fieldsStarted;
  const fields = judge(aligned.layout, raws, options.lowResolution ?? false);
  const needsReview = fields
    .filter((f) => !f.accepted)
    .sort((a, b) => a.confidence - b.confidence)
    .map((f) => f.name);
  const result: FormPageResult = {
    ok: true,
    formType: aligned.layout.formType,
    formVersion: aligned.layout.version,
    alignment: aligned.alignment,
    fields,
    needsReview,
    seconds: Math.round(performance.now() - started) / 1000,
  };
  if (aligned.qr.requestId) result.requestId = aligned.qr.requestId;
  return result;
}

export interface FilePageResult {
  pageIndex: number;
  /** The decoded page image (square pixels, as scanned: not turned). Keep it for `cropFieldImage`. */
  image: GrayImage;
  result: PageResult;
}

/** Reads every page of an uploaded file. An unreadable file gives one failed page. */
export async function readFormFile(pool: TesseractPool, bytes: Uint8Array): Promise<FilePageResult[]> {
  let pages: DecodedPage[];
  try {
    pages = await decodeDocument(bytes);
  } catch (error) {
    const detail = error instanceof UnreadableFileError ? `${error.message} ${error.detail ?? ""}`.trim() : String(error);
    return [
      {
        pageIndex: 0,
        image: { width: 0, height: 0, data: new Uint8Array(0) },
        result: { ok: false, reason: "unreadable_file", message: EXCEPTION_MESSAGES.unreadable_file, detail },
      },
    ];
  }
  const out: FilePageResult[] = [];
  for (const page of pages) {
    const result = await readFormPage(pool, page.image, { lowResolution: page.stretchedVertically ?? false });
    out.push({ pageIndex: page.pageIndex, image: page.image, result });
  }
  return out;
}

/**
 * The straightened crop of a form rectangle (e.g. a field's `box`, with a margin) as PNG, for the
 * verification screen. `scale` is pixels per point (2 ≈ 144 dpi).
 */
export function cropFieldImage(image: GrayImage, alignment: PageAlignment, box: Rect, options: { margin?: number; scale?: number } = {}): Buffer {
  const margin = options.margin ?? 6;
  const rect = { x: box.x - margin, y: box.y - margin, width: box.width + 2 * margin, height: box.height + 2 * margin };
  return grayToPng(warpRegion(image, alignment.pageToImage, rect, options.scale ?? 2));
}

/** The page image turned upright (for showing the whole page to an operator). */
export function uprightPage(image: GrayImage, alignment: PageAlignment): GrayImage {
  return rotateGray(image, 4 - alignment.quarterTurns);
}

export interface FormReader {
  readonly pool: TesseractPool;
  readFile(bytes: Uint8Array): Promise<FilePageResult[]>;
  readPage(image: GrayImage, options?: ReadPageOptions): Promise<PageResult>;
  close(): Promise<void>;
}

/** Starts an OCR pool (one slot per CPU, at most 2 unless `poolSize` says otherwise). */
export async function createFormReader(options: { poolSize?: number } = {}): Promise<FormReader> {
  const pool = await TesseractPool.create({ size: options.poolSize });
  return {
    pool,
    readFile: (bytes) => readFormFile(pool, bytes),
    readPage: (image, options) => readFormPage(pool, image, options),
    close: () => pool.terminate(),
  };
}
