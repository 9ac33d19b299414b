/**
 * The verification screen's service: what the OCR read, beside a crop of each field, and the
 * operator's confirmation, which creates exactly one application (or cancellation request) with the
 * scan attached. Corrections are kept (sealed) for accuracy statistics.
 */
import { and, eq, inArray } from "drizzle-orm";
import { scans } from "../../db/schema";
import { CARRIER_CHOICES, type CarrierChoice, type Scope } from "../domain/carriers";
import { isKatakanaName, toKatakana } from "../domain/kana";
import { parseJapaneseNumber } from "../domain/phone";
import { parseReference } from "../domain/reference-number";
import { prefectureFromAddress } from "../domain/regions";
import { submitApplication } from "./applications.server";
import { requestCancellation } from "./cancellations.server";
import { decodeRaster } from "./ocr/decode-image.server";
import { cropFieldImage } from "./ocr/read-form.server";
import type { FieldReading } from "./ocr/types";
import type { StoredReading } from "./paper-ocr.server";
import { lookupPostalCode } from "./postal.server";
import type { Services } from "./services.server";

export const REVIEWABLE_STATUSES = ["ocr_done", "needs_review"];

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
  formType: string;
  requestId: string | null;
  fields: FieldView[];
  applicationId: string | null;
  cancellationId: string | null;
};

export async function loadScanReview(services: Services, scanId: string): Promise<ScanReview | null> {
  const [scan] = await services.db.select().from(scans).where(eq(scans.id, scanId));
  if (!scan || !scan.fieldsEnc) return null;
  const stored = JSON.parse(services.pii.open(scan.fieldsEnc)) as StoredReading;
  const image = await decodeRaster(services.pii.openBytes(scan.imageEnc));
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
  const postalCode = single(values.postalCode).replace(/\D/g, "");
  if (!/^\d{7}$/.test(postalCode)) errors.postalCode = "郵便番号は7けたの数字です。";
  const address = single(values.address);
  if (!address) errors.address = "住所を入力してください。";
  const contact = single(values.contactPhone).replace(/\D/g, "");
  if (contact && !/^0\d{9,10}$/.test(contact)) errors.contactPhone = "連絡先は10けたか11けたの数字です。空欄でもかまいません。";
  if (single(values.signature) !== "on") errors.signature = "署名欄に記入があることを確かめて、チェックしてください。";
  return { errors, phone, scopes, carrier: carrier as CarrierChoice, relation: relation as "self" | "family" | "other", name, kana, postalCode, address, contact: contact || null };
}

const PAPER_REASONS: Record<string, "need_international" | "not_wanted" | "other"> = {
  "need-international": "need_international",
  "not-requested": "not_wanted",
  "family-applied": "not_wanted",
  other: "other",
};

/** Confirms a scan: one application (or cancellation) per scan, however often it is submitted. */
export async function confirmScan(services: Services, input: ConfirmInput): Promise<ConfirmResult> {
  const review = await loadScanReview(services, input.scanId);
  if (!review) return { ok: false, errors: {}, message: "この申込書は見つかりません。" };
  if (review.applicationId || review.cancellationId) return { ok: true, applicationId: review.applicationId ?? undefined, cancellationId: review.cancellationId ?? undefined, message: "確認済みです。" };
  const actor = `operator:${input.operatorId}`;
  const idempotencyKey = `paper:${input.scanId}`;
  let applicationId: string | undefined;
  let cancellationId: string | undefined;
  let message: string;

  if (review.formType === "application") {
    const v = parseApplicationValues(input.values);
    if (Object.keys(v.errors).length > 0 || !v.phone.ok) return { ok: false, errors: v.errors };
    const prefecture = (await lookupPostalCode(v.postalCode))?.prefecture ?? prefectureFromAddress(v.address)?.code ?? null;
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
      reasonCode: PAPER_REASONS[reasonChoice] ?? "other",
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
    detail: { applicationId, cancellationId, corrected: Object.keys(corrections) },
  });
  return { ok: true, applicationId, cancellationId, message };
}
