/**
 * Result types of the paper-form OCR: what the intake worker stores (scans.fields_enc) and what
 * the verification screen shows. Plain data: JSON-serialisable, no class instances.
 */
import type { FieldKind, FormType } from "../../../templates/forms/layout";

/** A rectangle in PDF points from the form's top-left corner (the layout's coordinates). */
export type Rect = { x: number; y: number; width: number; height: number };

/** Why a page cannot be read automatically; each has a plain Japanese message for the queue. */
export type ExceptionReason =
  | "unreadable_file"
  | "not_a_form"
  | "marks_not_found"
  | "qr_unreadable"
  | "unknown_form";

export type CheckboxState = "checked" | "unchecked" | "uncertain";

export interface FieldReading {
  name: string;
  kind: FieldKind;
  /** Check boxes: their group and choice (e.g. carrier / kddi). */
  group?: string;
  choice?: string;
  /**
   * What was read. digits/kana/kanji/text: the text ("" for an empty box); checkbox: true/false,
   * or null when the ink was between the thresholds; signature: true when the box holds ink.
   */
  value: string | boolean | null;
  /** 0..1; see confidence.ts for how it is calibrated. */
  confidence: number;
  /** true when confidence ≥ the threshold for this kind AND every check passed. */
  accepted: boolean;
  /** Why an operator must look (plain Japanese), empty when accepted. */
  problems: string[];
  /** Where the field is on the form, in points: crop the page image with `cropField`. */
  box: Rect;
  /**
   * Per-cell detail of combs, for the verification screen: value, confidence, and when the
   * engines disagreed what each read (English line, Japanese line, English cell, Japanese cell).
   */
  cells?: {
    value: string;
    confidence: number;
    alternatives?: string[];
    /** The read digit does not look like itself (a 0 with a side missing on standard FAX): never settled by votes. */
    suspect?: boolean;
    /** What the digit shapes of calibration pages say (digit-shapes.ts): the digit and its votes of SHAPE_K. */
    shape?: { value: string; votes: number };
  }[];
}

export interface PageAlignment {
  /** Clockwise quarter turns that were undone (the page was scanned turned this much). */
  quarterTurns: 0 | 1 | 2 | 3;
  /** Maps form points to pixels of the decoded (unturned) page image. */
  pageToImage: number[];
  /** Pixels per point, roughly: the scan's resolution / 72. */
  scale: number;
}

export interface FormPageResult {
  ok: true;
  formType: FormType;
  formVersion: string;
  requestId?: string;
  alignment: PageAlignment;
  fields: FieldReading[];
  /** Fields not accepted, lowest confidence first: the order of the verification screen. */
  needsReview: string[];
  /** Seconds spent on this page (decode excluded). */
  seconds: number;
}

export interface FormPageFailure {
  ok: false;
  reason: ExceptionReason;
  /** Plain Japanese, shown in the exceptions queue. */
  message: string;
  /** Technical detail for the log (not shown to operators). */
  detail?: string;
  /** Set when the QR code was read even though the page could not be aligned. */
  formType?: FormType;
  formVersion?: string;
  requestId?: string;
}

export type PageResult = FormPageResult | FormPageFailure;

/** CPU seconds per pipeline stage (process.cpuUsage, worker threads included), added up over pages. */
export type StageTimes = { decode: number; align: number; qr: number; fields: number };

export function cpuSecondsNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
