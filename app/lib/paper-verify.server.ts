/**
 * The verification screen's service: what the OCR read, beside a crop of each field, and the
 * operator's confirmation, which creates exactly one application (or cancellation request) with the
 * scan attached. Corrections are kept (sealed) for accuracy statistics.
 *
 * Pages the OCR could not read (status 'exception': a phone photo, another form, a blank page, a
 * vector PDF, no registration marks…) open here too, with the whole page image and blank inputs, and
 * are keyed into one application or cancellation the same way. A page that cannot become either ends
 * with closeScan: status 'closed', the reason recorded, and a letter to the sender where an address
 * is known.
 */
import { and, eq, inArray } from "drizzle-orm";
import { scans } from "../../db/schema";
import { currentLayout, FORM_TYPES, type FormType } from "../../templates/forms/layout";
import { CARRIER_CHOICES, type CarrierChoice, type Scope } from "../domain/carriers";
import { isKatakanaName, toKatakana } from "../domain/kana";
import { parseJapaneseNumber } from "../domain/phone";
import { parseReference } from "../domain/reference-number";
import { readPostalCode, readTypedDigits, typedDigitsOrNull } from "../domain/typed-text";
import { digitsMessage, jaInput, regionFlagText } from "../locales/ja-input";
import { PAPER_CANCELLATION_REASONS } from "../domain/paper-request";
import { submitApplication } from "./applications.server";
import { requestCancellation } from "./cancellations.server";
import { decodeRaster, sniffFormat } from "./ocr/decode-image.server";
import { cropFieldImage } from "./ocr/read-form.server";
import type { FieldReading } from "./ocr/types";
import type { StoredReading } from "./paper-ocr.server";
import { lineCallState } from "./paper-confirmation.server";
import { checkLineRegion } from "./postal.server";
import { PAPER_QUEUE_STATUSES } from "./queue-info";
import { queueNotAcceptedLetter } from "./paper-not-accepted.server";
import { isCloseReason, scanReason, type ReasonText } from "./review-reasons";
import type { Services } from "./services.server";

/** Scan statuses an operator can still work (confirm or close): the paper queue's. */
export const REVIEWABLE_STATUSES: string[] = [...PAPER_QUEUE_STATUSES];

export { PAPER_NOT_ACCEPTED_TEMPLATE } from "./paper-not-accepted.server";

export type FieldView = {
  name: string;
  kind: FieldReading["kind"];
  group?: string;
  choice?: string;
  value: string | boolean | null;
  confidence: number;
  accepted: boolean;
  problems: string[];
  crop: string;
};

export type ScanReview = {
  id: string;
  status: string;
  /** 'application', 'cancellation', or 'unknown' (a page keyed by hand whose form the operator has not chosen yet). */
  formType: string;
  requestId: string | null;
  /** OCR fields (low confidence first), or, when keying, the form's fields in printed order with blank values and no crops. */
  fields: FieldView[];
  applicationId: string | null;
  cancellationId: string | null;
  /** The line the page is about, once decided (for the link to the line's record). */
  lineId: string | null;
  /** The OCR could not read the page: the operator keys every field from the whole page image. */
  keying: boolean;
  /** Why the page waits for a person (OCR exception, the line's answer) or why it was closed. */
  reason: (ReasonText & { code: string }) | null;
  /** The stored page: an image the browser shows, a PDF it opens, or another file to download. */
  page: { kind: "image" | "pdf" | "file" };
  /** Sender's name and address as read (for a letter when the page cannot be accepted). */
  recipient: { name: string; postalCode: string; address: string };
  /** While the page is `confirming`: the centre's calls to the line so far, and when the next one is due (ISO). */
  lineCall: { calls: number; open: boolean; nextAt: string | null; callInUntil: string | null } | null;
};

function isFormType(value: unknown): value is FormType {
  return typeof value === "string" && (FORM_TYPES as readonly string[]).includes(value);
}

/** Blank fields of a form, in printed order, for keying a page the OCR could not read. */
function blankFields(formType: FormType): FieldView[] {
  return currentLayout(formType).fields.map((f) => ({
    name: f.name,
    kind: f.kind,
    group: f.group,
    choice: f.choice,
    value: f.kind === "checkbox" || f.kind === "signature" ? false : "",
    confidence: 0,
    accepted: false,
    problems: [],
    crop: "",
  }));
}

function pageKind(bytes: Uint8Array): ScanReview["page"]["kind"] {
  const format = sniffFormat(bytes);
  return format === "png" || format === "jpeg" ? "image" : format === "pdf" ? "pdf" : "file";
}

/** The stored page file (sealed at rest), with its content type, for the whole-page view. */
export async function loadScanPage(services: Pick<Services, "db" | "pii">, scanId: string): Promise<{ bytes: Buffer; contentType: string; extension: string } | null> {
  const [scan] = await services.db.select({ imageEnc: scans.imageEnc }).from(scans).where(eq(scans.id, scanId));
  if (!scan) return null;
  const bytes = services.pii.openBytes(scan.imageEnc);
  const format = sniffFormat(bytes);
  const types = { png: "image/png", jpeg: "image/jpeg", tiff: "image/tiff", pdf: "application/pdf" } as const;
  return { bytes: Buffer.from(bytes), contentType: format ? types[format] : "application/octet-stream", extension: format === "jpeg" ? "jpg" : (format ?? "bin") };
}

const readText = (fields: readonly { name: string; value: string | boolean | null }[], name: string) => {
  const value = fields.find((f) => f.name === name)?.value;
  return typeof value === "string" ? value.replace(/\n/g, " ").trim() : "";
};

/**
 * The verification screen's data. `options.formType` chooses the form of a page keyed by hand when the
 * OCR could not tell it (the operator picks 申込書 or 解除の申出書). Null for a page still being read.
 */
export async function loadScanReview(services: Services, scanId: string, options: { formType?: string } = {}): Promise<ScanReview | null> {
  const [scan] = await services.db.select().from(scans).where(eq(scans.id, scanId));
  if (!scan || scan.status === "pending") return null;
  const reasonText = scanReason(scan.exceptionReason);
  const reason = reasonText && scan.exceptionReason ? { code: scan.exceptionReason, ...reasonText } : null;
  const bytes = services.pii.openBytes(scan.imageEnc);
  const page = { kind: pageKind(bytes) };
  const call = scan.status === "confirming" ? await lineCallState(services, scan.id) : null;
  const lineCall = call ? { calls: call.calls, open: call.open, nextAt: call.nextAt?.toISOString() ?? null, callInUntil: call.callInUntil?.toISOString() ?? null } : null;
  if (!scan.fieldsEnc) {
    // Nothing was read: the whole page image and blank inputs, in the form's printed order.
    const formType = isFormType(options.formType) ? options.formType : isFormType(scan.formType) ? scan.formType : null;
    return {
      id: scan.id,
      status: scan.status,
      formType: formType ?? "unknown",
      requestId: scan.requestId,
      applicationId: scan.applicationId,
      cancellationId: scan.cancellationId,
      lineId: scan.lineId,
      keying: true,
      reason,
      page,
      recipient: { name: "", postalCode: "", address: "" },
      lineCall,
      fields: formType ? blankFields(formType) : [],
    };
  }
  const stored = JSON.parse(services.pii.open(scan.fieldsEnc)) as StoredReading;
  const image = await decodeRaster(bytes);
  // Low confidence first: the operator's eye goes where the machine was unsure.
  const order = new Map(stored.needsReview.map((name, i) => [name, i]));
  const fields = [...stored.fields].sort((a, b) => (order.get(a.name) ?? 1e6 + stored.fields.indexOf(a)) - (order.get(b.name) ?? 1e6 + stored.fields.indexOf(b)));
  return {
    id: scan.id,
    status: scan.status,
    formType: stored.formType,
    requestId: stored.requestId ?? null,
    applicationId: scan.applicationId,
    cancellationId: scan.cancellationId,
    lineId: scan.lineId,
    keying: false,
    reason,
    page,
    lineCall,
    recipient: { name: readText(stored.fields, "name"), postalCode: typedDigitsOrNull(readText(stored.fields, "postalCode")) ?? readText(stored.fields, "postalCode"), address: readText(stored.fields, "address") },
    fields: fields.map((f) => ({
      name: f.name,
      kind: f.kind,
      group: f.group,
      choice: f.choice,
      value: f.value,
      confidence: f.confidence,
      accepted: f.accepted,
      problems: f.problems,
      crop: `data:image/png;base64,${cropFieldImage(image, stored.alignment, f.box, { scale: f.kind === "checkbox" ? 2.5 : 2 }).toString("base64")}`,
    })),
  };
}

export type ConfirmInput = { scanId: string; operatorId: string; values: Record<string, string | string[] | undefined> };
export type ConfirmResult =
  | { ok: true; applicationId?: string; cancellationId?: string; message: string }
  | { ok: false; errors: Record<string, string>; message?: string };

const single = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim() ?? "";
const list = (v: string | string[] | undefined) => (Array.isArray(v) ? v : v ? [v] : []);

/** The values as the operator confirmed them, checked like the web journey checks them. */
function parseApplicationValues(values: ConfirmInput["values"]) {
  const errors: Record<string, string> = {};
  const phone = parseJapaneseNumber(single(values.phone));
  if (!phone.ok) errors.phone = phone.message;
  const scopes = list(values.scope).filter((s): s is Scope => s === "outgoing" || s === "incoming");
  if (scopes.length === 0) errors.scope = "止める電話（発信・着信）を1つ以上選んでください。";
  const carrier = single(values.carrier);
  if (!(CARRIER_CHOICES as readonly string[]).includes(carrier)) errors.carrier = "電話会社を1つ選んでください（わからない、も選べます）。";
  const relation = single(values.relation);
  if (!["self", "family", "other"].includes(relation)) errors.relation = "申込者（本人・家族・その他）を1つ選んでください。";
  const name = single(values.name);
  if (!name) errors.name = "契約者のお名前を入力してください。";
  const kana = toKatakana(single(values.kana));
  if (!isKatakanaName(kana)) errors.kana = "フリガナをカタカナで入力してください。";
  const postalRead = readPostalCode(single(values.postalCode));
  const postalCode = postalRead.ok ? postalRead.postalCode : single(values.postalCode);
  if (!postalRead.ok) errors.postalCode = digitsMessage(jaInput.digits.postalCode, postalRead.rejected);
  const address = single(values.address);
  if (!address) errors.address = "住所を入力してください。";
  // A number typed with the IME (０９０…) is read, never dropped; anything that is not a digit is named.
  const contactRead = readTypedDigits(single(values.contactPhone));
  const contact = contactRead.ok ? contactRead.digits : single(values.contactPhone);
  if (contactRead.ok ? !/^0\d{9,10}$/.test(contact) : contactRead.reason !== "empty") {
    errors.contactPhone = digitsMessage(jaInput.digits.contactPhone, contactRead.ok ? [] : contactRead.rejected);
  }
  if (single(values.signature) !== "on") errors.signature = "署名欄に記入があることを確かめて、チェックしてください。";
  return { errors, phone, scopes, carrier: carrier as CarrierChoice, relation: relation as "self" | "family" | "other", name, kana, postalCode, address, contact: contact || null };
}


/** Confirms a scan: one application (or cancellation) per scan, however often it is submitted. */
export async function confirmScan(services: Services, input: ConfirmInput): Promise<ConfirmResult> {
  const review = await loadScanReview(services, input.scanId, { formType: single(input.values.formType) });
  if (!review) return { ok: false, errors: {}, message: "この申込書は見つかりません。" };
  if (review.applicationId || review.cancellationId) return { ok: true, applicationId: review.applicationId ?? undefined, cancellationId: review.cancellationId ?? undefined, message: "確認済みです。" };
  if (review.status === "closed") return { ok: false, errors: {}, message: "このページは「申し込みにできない」として終わっています。登録はできません。" };
  if (review.status === "verified") return { ok: true, message: "確認済みです。" };
  if (!REVIEWABLE_STATUSES.includes(review.status)) {
    return { ok: false, errors: {}, message: review.status === "confirming" ? "このページは、いま回線に確認の電話をしています。結果を待ってください。" : "このページは、いまは登録できません。" };
  }
  if (review.formType !== "application" && review.formType !== "cancellation") {
    return { ok: false, errors: { formType: "用紙の種類（申込書か、解除の申出書か）を選んでください。" } };
  }
  const actor = `operator:${input.operatorId}`;
  const idempotencyKey = `paper:${input.scanId}`;
  let applicationId: string | undefined;
  let cancellationId: string | undefined;
  let message: string;

  if (review.formType === "application") {
    const v = parseApplicationValues(input.values);
    if (Object.keys(v.errors).length > 0 || !v.phone.ok) return { ok: false, errors: v.errors };
    const region = await checkLineRegion({ line: v.phone.e164, postalCode: v.postalCode, address: v.address });
    const prefecture = region.prefecture;
    const result = await submitApplication(services, {
      channel: "paper",
      idempotencyKey,
      actor,
      lineE164: v.phone.e164,
      scopes: v.scopes,
      relation: v.relation,
      subscriberName: v.name,
      subscriberKana: v.kana,
      postalCode: v.postalCode,
      address: v.address,
      prefecture,
      regionFlags: region.flags,
      contactPhone: v.contact,
      carrierChoice: v.carrier,
      // A signed paper form is the subscriber's own request; the line itself was not called, so the
      // method says "letter" (and family applications still wait for review: no consent on the line).
      verification: { method: "letter", verifiedAt: services.now(), consentAt: null },
    });
    if (result.kind === "not_routable") return { ok: false, errors: { scope: result.message } };
    if (result.kind === "already_covered") message = "この電話番号は、すでにお申し込みがあります。新しいお申し込みは作りませんでした。";
    else {
      applicationId = result.applicationId;
      message = `お申し込みを登録しました（受付番号 ${result.reference}）。`;
      // A disagreement between the line, the address and the postal code is shown now, not corrected silently.
      if (result.kind === "created" && result.regionFlags) message += result.regionFlags.map((flag) => `要確認：${regionFlagText(flag)}`).join("");
    }
  } else {
    const errors: Record<string, string> = {};
    const phone = parseJapaneseNumber(single(input.values.phone));
    if (!phone.ok) errors.phone = phone.message;
    const reference = single(input.values.reference);
    if (reference && !parseReference(reference).ok) errors.reference = "受付番号が正しくありません。空欄にするか、控えの番号を入力してください。";
    const relation = single(input.values.relation);
    if (!["self", "family", "other"].includes(relation)) errors.relation = "申出者（本人・家族・その他）を1つ選んでください。";
    if (single(input.values.signature) !== "on") errors.signature = "署名欄に記入があることを確かめて、チェックしてください。";
    if (Object.keys(errors).length > 0 || !phone.ok) return { ok: false, errors };
    const reasonChoice = list(input.values.reason)[0] ?? "other";
    const result = await requestCancellation(services, {
      channel: "paper",
      idempotencyKey,
      actor,
      lineE164: phone.e164,
      requesterRelation: relation as "self" | "family" | "other",
      requesterName: single(input.values.name) || null,
      requesterContact: single(input.values.contactPhone) || null,
      reasonCode: PAPER_CANCELLATION_REASONS[reasonChoice] ?? "other",
      reasonText: single(input.values.reasonText) || null,
      lineVerification: "none",
    });
    if (result.kind === "created" || result.kind === "replayed") {
      cancellationId = result.cancellationId;
      message = "解除のお申し出を登録しました。ご本人への確認に進みます。";
    } else message = result.message;
  }

  const corrections = Object.fromEntries(
    review.fields
      .filter((f) => f.kind !== "checkbox" && f.kind !== "signature")
      .map((f) => [f.name, { read: f.value, confirmed: single(input.values[f.name]) }] as const)
      .filter(([, c]) => String(c.read ?? "") !== c.confirmed),
  );
  await services.db
    .update(scans)
    .set({
      status: "verified",
      formType: review.formType,
      applicationId: applicationId ?? null,
      cancellationId: cancellationId ?? null,
      correctionsEnc: services.pii.seal(JSON.stringify(corrections)),
      verifiedBy: input.operatorId,
      verifiedAt: services.now(),
      updatedAt: services.now(),
    })
    .where(and(eq(scans.id, input.scanId), inArray(scans.status, REVIEWABLE_STATUSES)));
  await services.audit.record({
    actor,
    action: "scan.confirm",
    subjectType: "scan",
    subjectId: input.scanId,
    detail: { applicationId, cancellationId, corrected: Object.keys(corrections), ...(review.keying ? { keyed: true, formType: review.formType } : {}) },
  });
  return { ok: true, applicationId, cancellationId, message };
}

export type CloseInput = {
  scanId: string;
  operatorId: string;
  reason: string;
  note?: string | null;
  /** The sender's name and address as read or keyed: with an address, a letter tells them why and how to apply. */
  name?: string | null;
  postalCode?: string | null;
  address?: string | null;
  ip?: string | null;
};
export type CloseResult = { ok: true; letter: boolean; message: string } | { ok: false; errors: Record<string, string>; message?: string };

/**
 * 「申し込みにできない」: a page that cannot become an application or cancellation ends as 'closed'
 * with the reason code in exception_reason, audited in the same transaction; with an address, a letter
 * to the sender (one per scan) says why and how to apply. Without one, the reason is recorded only.
 */
export async function closeScan(services: Services, input: CloseInput): Promise<CloseResult> {
  const errors: Record<string, string> = {};
  const reason = input.reason.trim();
  if (!isCloseReason(reason)) errors.reason = "申し込みにできない理由を1つ選んでください。";
  const note = (input.note ?? "").trim();
  if (reason === "other" && !note) errors.note = "「その他」を選んだときは、理由をメモに書いてください。";
  else if (note.length > 200) errors.note = "メモは200文字以内で書いてください。";
  const name = (input.name ?? "").trim();
  const closePostal = readTypedDigits(input.postalCode ?? "");
  const postalCode = closePostal.ok ? closePostal.digits : (input.postalCode ?? "").trim();
  const address = (input.address ?? "").trim();
  if (address && !/^\d{7}$/.test(postalCode)) errors.postalCode = "手紙を送るには、郵便番号を7けたの数字で入力してください。例：1000001";
  if (!address && postalCode) errors.address = "手紙を送るには、住所も入力してください。住所がわからないときは、郵便番号も空欄にしてください。";
  if (name.length > 60) errors.name = "お名前は60文字以内で入力してください。";
  if (address.length > 200) errors.address = "住所は200文字以内で入力してください。";
  if (Object.keys(errors).length > 0 || !isCloseReason(reason)) return { ok: false, errors };

  const actor = `operator:${input.operatorId}`;
  const now = services.now();
  return services.db.transaction(async (tx): Promise<CloseResult> => {
    const [scan] = await tx.select().from(scans).where(eq(scans.id, input.scanId)).for("update");
    if (!scan) return { ok: false, errors: {}, message: "このページは見つかりません。" };
    if (scan.status === "closed") return { ok: true, letter: false, message: "このページは、もう終わりにしてあります。" };
    if (!REVIEWABLE_STATUSES.includes(scan.status) || scan.applicationId || scan.cancellationId) {
      return { ok: false, errors: {}, message: "このページは、もう登録が済んでいます。終わりにはできません。" };
    }
    await tx
      .update(scans)
      .set({ status: "closed", exceptionReason: reason, verifiedBy: input.operatorId, verifiedAt: now, updatedAt: now })
      .where(eq(scans.id, scan.id));
    const outboxId = address ? await queueNotAcceptedLetter(services, tx, scan.id, reason, { name, postalCode, address }, reason === "other" ? note : null) : null;
    await services.audit.record(
      {
        actor,
        action: "scan.close",
        subjectType: "scan",
        subjectId: scan.id,
        ip: input.ip,
        detail: { reason, previousStatus: scan.status, previousReason: scan.exceptionReason, letter: outboxId, ...(note ? { noteEnc: services.pii.seal(note) } : {}) },
      },
      tx,
    );
    return {
      ok: true,
      letter: outboxId !== null,
      message: outboxId ? "申し込みにできないページとして終わりにし、送り主への手紙を印刷の待ちに入れました。" : "申し込みにできないページとして終わりにし、理由を記録しました。",
    };
  });
}
