/**
 * What a read paper or FAX page asks for, and whether it can go on without a person (issue 11).
 *
 * The line is the identity (ADR 015): a page goes straight through when its line number is known —
 * read with confidence, or carried by the QR code of a form the centre prefilled and mailed — and the
 * request itself is decided (which calls to stop; for a cancellation, who is asking). The line then
 * confirms it: an automated call says what was asked and the subscriber presses 1. A wrong read rings
 * a line whose subscriber does not confirm, and the page goes to a person.
 *
 * Names, kana and address are advisory: they travel with the order, marked unverified when the OCR
 * was not sure of them, and never hold a page back. Pure: no I/O.
 */
import type { FieldReading } from "../lib/ocr/types";
import { CARRIER_CHOICES, type CarrierChoice, type Scope } from "./carriers";
import { normalizeKana } from "./kana";
import { normalizeJapaneseText } from "./paper-form";
import { parseJapaneseNumber } from "./phone";
import { parseReference } from "./reference-number";

export type PaperRelation = "self" | "family" | "other";

/**
 * The line number of a page is worth a confirmation call when it passes every check (a fixed-line
 * number in use) and each of its digits is either read alike by the three line reads with at least
 * this confidence, or — where the reads disagreed — settled by a clear majority of the five reads
 * (LINE_CALL_MIN_VOTES for the digit, at most one vote for any other). That is looser than taking a
 * value without any check (ACCEPT_THRESHOLDS.digits 0.9, 0.97 on normal-mode FAX), because the call
 * is the check: a misread number rings a line whose subscriber does not confirm, and the page goes to
 * a person. What it costs is a call to a stranger, so it is set where no wrong number got a call.
 * Set on `npm run bench:ocr -- --seed 20250401 --dump` (the seed that set the OCR thresholds): every
 * wrong phone read had a digit with at most 2 votes or a tie; 25 of 30 lines get a call (18 accepted
 * without a check), 0 wrong. The held-out figures are in BENCHMARKS.md (OCR section, other seeds).
 * On 60 standard-FAX pages of the same calibration seed one wrong line was called (a 6 read 0 by
 * three reads and "06" by two): split reads now count for every other digit they hold.
 */
export const LINE_CALL_MIN_CONFIDENCE = 0.5;
export const LINE_CALL_MIN_VOTES = 3;
/**
 * Votes of the digit shapes (of SHAPE_K = 7; lib/ocr/digit-shapes.ts) that settle a digit, or veto it,
 * for a call. Set on the calibration seed 20250401: on 100 standard-FAX pages the line numbers worth a
 * call went from 74 to 91 (97 read exactly), none of them wrong; on 100 fine-FAX and scanned pages
 * 98 of 100, none wrong.
 */
export const LINE_CALL_SHAPE_VOTES = 7;

type CellReading = NonNullable<FieldReading["cells"]>[number];

/** A digit the three line reads agreed on, or that a clear majority of all five reads gave. */
function isSettledDigit(cell: CellReading): boolean {
  if (cell.value === "") return true; // an empty box (checked by the field's gap and length checks)
  // The digit shapes (lib/ocr/digit-shapes.ts) are a second reader: clearly another digit vetoes
  // whatever the reads settled; clearly this digit settles it (a 0 that does not look like one stays
  // suspect).
  if (cell.shape && cell.shape.votes >= LINE_CALL_SHAPE_VOTES) {
    if (cell.shape.value !== cell.value) return false;
    if (!cell.suspect) return true;
  }
  if (cell.suspect) return false; // e.g. a 0 that standard FAX may have made of a 6
  if (!cell.alternatives) return cell.confidence >= LINE_CALL_MIN_CONFIDENCE;
  const votes = cell.alternatives.filter((a) => a.length === 1);
  const forValue = votes.filter((v) => v === cell.value).length;
  const forOthers = new Map<string, number>();
  // A read that split the cell into two digits ("06" where the others read 0) speaks for each other
  // digit it holds: standard FAX drops the top of a 6, which reads as 0 and "06" alike.
  for (const v of cell.alternatives) {
    for (const d of new Set(v)) if (d !== cell.value) forOthers.set(d, (forOthers.get(d) ?? 0) + 1);
  }
  return forValue >= LINE_CALL_MIN_VOTES && Math.max(0, ...forOthers.values()) <= 1;
}

/** Why a page needs a person; the codes go into scans.exception_reason (labels: app/lib/review-reasons.ts). */
export const PAPER_HOLD_CODES = ["line_not_read", "scope_not_read", "relation_not_read", "not_eligible"] as const;
export type HoldReason = (typeof PAPER_HOLD_CODES)[number];

export type AdvisoryText = { value: string; accepted: boolean };

export type PaperApplicationRequest = {
  formType: "application";
  /** National digits of the line, "0312345678". */
  lineDigits: string;
  lineE164: string;
  /** Where the line number came from: the QR code of a prefilled form, or the OCR of the comb. */
  lineSource: "qr" | "ocr";
  /**
   * The line is certain: from the QR code, or read at the digit fields' acceptance confidence (taken
   * with no person; 0 accepted wrong on held-out pages), not only well enough to be worth a call.
   */
  lineCertain: boolean;
  scopes: Scope[];
  /** "unknown" when no single carrier box was read with confidence: the order goes out as an inquiry. */
  carrierChoice: CarrierChoice;
  /** "other" when the boxes were not decided: the subscriber's own press of 1 is the consent anyway. */
  relation: PaperRelation;
  name: AdvisoryText | null;
  kana: AdvisoryText | null;
  postalCode: string | null;
  address: AdvisoryText | null;
  contactPhone: string | null;
  /** Always true for a page read by machine (names are advisory, ADR 015): carriers get the mark. */
  nameUnverified: boolean;
};

export type PaperCancellationRequest = {
  formType: "cancellation";
  lineDigits: string;
  lineE164: string;
  lineSource: "qr" | "ocr";
  /** As for an application: from the QR code, or read at the digit fields' acceptance confidence. */
  lineCertain: boolean;
  relation: PaperRelation;
  reasonChoice: string;
  reference: string | null;
  name: string | null;
  contactPhone: string | null;
};

export type PaperRequest = PaperApplicationRequest | PaperCancellationRequest;

export type StraightThrough = { ok: true; request: PaperRequest } | { ok: false; reason: HoldReason };

/** What the OCR stored for a page (a subset of scans.fields_enc). */
export type PageReading = { formType: string; fields: readonly FieldReading[] };

const field = (reading: PageReading, name: string) => reading.fields.find((f) => f.name === name);

function acceptedText(reading: PageReading, name: string): string | null {
  const f = field(reading, name);
  return f && f.accepted && typeof f.value === "string" && f.value !== "" ? f.value : null;
}

/**
 * What the OCR read in a box, as one line: its line breaks (an address written over two lines), tabs
 * and any other control or invisible character become one space. Names and addresses are stored and
 * sent to carriers as one line, and the data layer refuses control characters in them (issue 16,
 * point 11), so a two-line address must not reach it as such.
 */
export function oneLine(text: string): string {
  return text
    .replace(/[\u0000-\u001F\u007F-\u009F\u200B-\u200F\u2028-\u202E\u2060-\u2064\uFEFF]+/gu, " ")
    .replace(/ {2,}/g, " ")
    .trim();
}

function advisory(reading: PageReading, name: string, normalise: (s: string) => string): AdvisoryText | null {
  const f = field(reading, name);
  if (!f || typeof f.value !== "string") return null;
  // One line first, then the field's own rule (which drops the space a line break left between two
  // Japanese characters, and keeps the one between family and given names in kana).
  const value = normalise(oneLine(f.value)).trim();
  return value ? { value, accepted: f.accepted } : null;
}

/**
 * The boxes of one group, decided: every box read with confidence (true or false). Null when any box
 * was uncertain, since a box nobody is sure of could change the request.
 */
export function decidedChoices(reading: PageReading, group: string): string[] | null {
  const boxes = reading.fields.filter((f) => f.group === group);
  if (boxes.length === 0) return null;
  if (boxes.some((b) => !b.accepted || typeof b.value !== "boolean")) return null;
  return boxes.filter((b) => b.value === true).map((b) => b.choice ?? "");
}

function decidedRelation(reading: PageReading): PaperRelation | null {
  const ticked = decidedChoices(reading, "relation");
  if (!ticked || ticked.length !== 1) return null;
  const [only] = ticked;
  return only === "self" || only === "family" || only === "other" ? only : null;
}

type Line = { ok: true; digits: string; e164: string; source: "qr" | "ocr"; certain: boolean } | { ok: false; reason: HoldReason };

/** Is a read phone comb worth a confirmation call: every check passed, and confident enough (see above)? */
export function isCallableLine(f: Pick<FieldReading, "value" | "problems" | "accepted" | "confidence" | "cells">): boolean {
  if (typeof f.value !== "string" || f.value === "" || f.problems.length > 0) return false;
  if (f.accepted) return true;
  return f.cells ? f.cells.every(isSettledDigit) : f.confidence >= LINE_CALL_MIN_CONFIDENCE;
}

function callableLine(reading: PageReading): string | null {
  const f = field(reading, "phone");
  return f && isCallableLine(f) ? (f.value as string) : null;
}

function lineOf(reading: PageReading, lineFromQr: string | null): Line {
  const source = lineFromQr ? "qr" : "ocr";
  const digits = lineFromQr ?? callableLine(reading);
  if (!digits) return { ok: false, reason: "line_not_read" };
  const parsed = parseJapaneseNumber(digits);
  if (!parsed.ok) return { ok: false, reason: "not_eligible" };
  const read = field(reading, "phone");
  return { ok: true, digits, e164: parsed.e164, source, certain: source === "qr" || (read?.accepted === true && read.value === digits) };
}

/**
 * Decides whether a read page can go on to the line's confirmation (an application) or to the
 * cancellation rules (a cancellation) without a person.
 *
 * @param lineFromQr national digits of the line that the centre printed on a prefilled form and
 *   tied to the form's request id (QR code); null for blank forms.
 */
export function straightThrough(reading: PageReading, lineFromQr: string | null): StraightThrough {
  const line = lineOf(reading, lineFromQr);
  if (!line.ok) return line;
  if (reading.formType === "application") {
    const ticked = decidedChoices(reading, "scope");
    const scopes = (ticked ?? []).filter((s): s is Scope => s === "outgoing" || s === "incoming");
    if (scopes.length === 0) return { ok: false, reason: "scope_not_read" };
    const carriers = decidedChoices(reading, "carrier");
    const carrier = carriers && carriers.length === 1 ? carriers[0]! : "unknown";
    const name = advisory(reading, "name", normalizeJapaneseText);
    // domain/kana's rule, which keeps the one space between family and given names that the reader put
    // back from the glyphs' positions (paper-form's strips every space between Japanese characters).
    const kana = advisory(reading, "kana", normalizeKana);
    return {
      ok: true,
      request: {
        formType: "application",
        lineDigits: line.digits,
        lineE164: line.e164,
        lineSource: line.source,
        lineCertain: line.certain,
        scopes,
        carrierChoice: (CARRIER_CHOICES as readonly string[]).includes(carrier) ? (carrier as CarrierChoice) : "unknown",
        relation: decidedRelation(reading) ?? "other",
        name,
        kana,
        postalCode: acceptedText(reading, "postalCode"),
        address: advisory(reading, "address", normalizeJapaneseText),
        contactPhone: acceptedText(reading, "contactPhone"),
        // Handwriting read by machine is never a verified name: on held-out pages, names and kana were
        // accepted wrong at 0.96–0.98 (BENCHMARKS.md, bench:centre), and a wrong name sent as
        // verified turns into a carrier NAME_MISMATCH and a person's work. The line is the identity.
        nameUnverified: true,
      },
    };
  }
  if (reading.formType === "cancellation") {
    // Who asks decides which rules apply (a family member's request is weighed differently), so it
    // must be read with confidence; the reason is for statistics and may be "other".
    const relation = decidedRelation(reading);
    if (!relation) return { ok: false, reason: "relation_not_read" };
    const reasons = decidedChoices(reading, "reason") ?? [];
    const reference = acceptedText(reading, "reference");
    return {
      ok: true,
      request: {
        formType: "cancellation",
        lineDigits: line.digits,
        lineE164: line.e164,
        lineSource: line.source,
        lineCertain: line.certain,
        relation,
        reasonChoice: reasons[0] ?? "other",
        reference: reference && parseReference(reference).ok ? reference : null,
        name: acceptedText(reading, "name"),
        contactPhone: acceptedText(reading, "contactPhone"),
      },
    };
  }
  return { ok: false, reason: "line_not_read" };
}

/** The cancellation form's reason boxes, as the cancellation service names them. */
export const PAPER_CANCELLATION_REASONS: Readonly<Record<string, "need_international" | "not_wanted" | "other">> = {
  "need-international": "need_international",
  "not-requested": "not_wanted",
  "family-applied": "not_wanted",
  other: "other",
};

const SCOPE_SPOKEN: Readonly<Record<Scope, string>> = {
  incoming: "海外からかかってくる電話",
  outgoing: "海外へかける電話",
};

/**
 * What the confirmation call asks the subscriber. It says what was asked for, never a name or an
 * address: on a misread number a stranger answers, and must learn nothing about the sender.
 */
export function paperConfirmationPrompt(request: Pick<PaperApplicationRequest, "scopes" | "relation">): string {
  // Incoming first: it is what stops the fraud calls, and what most people ask for.
  const what = (["incoming", "outgoing"] as const).filter((s) => request.scopes.includes(s)).map((s) => SCOPE_SPOKEN[s]).join("と、");
  const who =
    request.relation === "self"
      ? ""
      : "お申し込みを書かれたのは、ご家族など、ご契約者ご本人以外の方です。";
  return (
    "国際電話不取扱受付センターです。この電話番号の国際電話を止めるお申し込みが、郵便かファクスで届きました。" +
    `止めるのは、${what}です。${who}` +
    "ご契約者ご本人が、お申し込みのとおりに進めてよろしければ、1を押してください。お心当たりがない場合は、2を押してください。"
  );
}
