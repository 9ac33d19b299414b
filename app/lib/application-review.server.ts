/**
 * The application queue's item: an application whose line was not confirmed (status needs_review —
 * e.g. a family member applied on paper and nobody on the line agreed yet). The operator settles it:
 *  - 「回線で確認できた」: needs_review → verified, with a note saying how (e.g. phoned the line and the
 *    subscriber agreed); the carrier-dispatch planner takes it from there;
 *  - 「お受けできない」: needs_review → rejected, with a reason; a letter tells the applicant why and how
 *    to apply, when an address is known.
 * Each is one transaction: the status change and its event (changeStatus), the audit entry, and the
 * completion of the operator's claim (so the work and "done" cannot come apart).
 */
import { asc, desc, eq } from "drizzle-orm";
import { applicationEvents, applications, lines, verifications } from "../../db/schema";
import { STATUS_LABELS, type ApplicationStatus } from "../domain/application-state";
import { SCOPE_LABELS, type Scope } from "../domain/carriers";
import { formatDisplay } from "../domain/phone";
import { formatReference } from "../domain/reference-number";
import { changeStatus } from "./applications.server";
import { releasePendingSuspension } from "./carrier-orders.server";
import { completeItem } from "./claims.server";
import { carrierChoiceLabel, CHANNEL_LABELS, RELATION_LABELS } from "./ops-labels";
import { APPLICATION_QUEUE_STATUSES } from "./queue-info";
import { regionFlagText } from "../locales/ja-input";
import { isRejectReason, notAcceptedLetterText, REJECT_REASON_INFO } from "./review-reasons";
import type { Services } from "./services.server";

/** The letter template of an application the centre could not accept (printed with the generic letter). */
export const APPLICATION_NOT_ACCEPTED_TEMPLATE = "application-not-accepted";

const NOTE_MAX = 200;

const EVENT_LABELS: Record<string, string> = {
  received: "受け付け",
  subscriber_name_corrected: "お名前を直した",
  subscriber_name_confirmed: "お名前を確かめた",
  verified: "回線の確認ができた",
  needs_review: "回線の確認が必要",
  rejected: "お受けできない",
  withdrawn: "取り下げ",
  queued: "電話会社へ送る準備",
};

const VERIFICATION_METHOD_LABELS: Record<string, string> = { callback: "確認の電話（センターから発信）", call_in: "確認の電話（利用者から発信）", caller_id: "発信者番号", letter: "郵便" };

export type ApplicationReview = {
  id: string;
  reference: string;
  referenceDisplay: string;
  status: string;
  statusLabel: string;
  /** The application waits in the application queue (an operator can verify or reject it). */
  workable: boolean;
  channel: string;
  channelLabel: string;
  relation: string;
  relationLabel: string;
  relationDetail: string | null;
  scopes: string[];
  carrierChoice: string;
  number: string;
  lineId: string;
  subscriberName: string | null;
  subscriberKana: string | null;
  applicantName: string | null;
  postalCode: string | null;
  address: string | null;
  contactPhone: string | null;
  consent: boolean;
  createdAt: string;
  timeline: { at: string; label: string; actor: string; detail: string | null }[];
  calls: { at: string; method: string; verifiedAt: string | null; consent: string | null; expiresAt: string }[];
  /** Personal-data fields opened for the page (for the caller's audit entry). */
  openedFields: string[];
};

function actorLabel(actor: string): string {
  if (actor.startsWith("operator:")) return "職員";
  if (actor.startsWith("carrier:")) return "電話会社";
  return { system: "システム", applicant: "申込者", ivr: "自動音声" }[actor] ?? actor;
}

function eventDetail(detail: Record<string, unknown>, pii: Services["pii"]): string | null {
  const parts: string[] = [];
  if (typeof detail.channel === "string") parts.push(CHANNEL_LABELS[detail.channel] ?? detail.channel);
  if (typeof detail.method === "string") parts.push(VERIFICATION_METHOD_LABELS[detail.method] ?? detail.method);
  // Disagreements between the line, the address and the postal code (issue 17): flagged, never corrected silently.
  if (Array.isArray(detail.regionFlags)) for (const flag of detail.regionFlags) if (flag && typeof flag === "object") parts.push(`要確認：${regionFlagText(flag as { kind: string })}`);
  if (detail.reason === "line_not_verified") parts.push("回線の確認がまだ");
  else if (typeof detail.reason === "string" && isRejectReason(detail.reason)) parts.push(REJECT_REASON_INFO[detail.reason].label);
  // Operators' notes are sealed (issue 12); rows written before carry them in plain text.
  if (typeof detail.noteEnc === "string") parts.push(`メモ：${pii.open(detail.noteEnc)}`);
  else if (typeof detail.note === "string") parts.push(`メモ：${detail.note}`);
  return parts.length > 0 ? parts.join("／") : null;
}

/** The application as its work page shows it, with its timeline; personal data opened (the caller audits). */
export async function loadApplicationReview(services: Pick<Services, "db" | "pii">, id: string): Promise<ApplicationReview | null> {
  const { db, pii } = services;
  const [row] = await db.select({ app: applications, e164: lines.e164 }).from(applications).innerJoin(lines, eq(lines.id, applications.lineId)).where(eq(applications.id, id));
  if (!row) return null;
  const { app } = row;
  const events = await db.select().from(applicationEvents).where(eq(applicationEvents.applicationId, id)).orderBy(asc(applicationEvents.at), asc(applicationEvents.id));
  const calls = await db.select().from(verifications).where(eq(verifications.applicationId, id)).orderBy(desc(verifications.createdAt)).limit(10);
  const opened: [string, string | null][] = [
    ["subscriberName", pii.openNullable(app.subscriberNameEnc)],
    ["subscriberKana", pii.openNullable(app.subscriberKanaEnc)],
    ["applicantName", pii.openNullable(app.applicantNameEnc)],
    ["postalCode", pii.openNullable(app.postalCodeEnc)],
    ["address", pii.openNullable(app.addressEnc)],
    ["contactPhone", pii.openNullable(app.contactPhoneEnc)],
  ];
  const field = (name: string) => opened.find(([n]) => n === name)?.[1] ?? null;
  const status = app.status as ApplicationStatus;
  return {
    id: app.id,
    reference: app.reference,
    referenceDisplay: formatReference(app.reference),
    status: app.status,
    statusLabel: STATUS_LABELS[status]?.label ?? app.status,
    workable: (APPLICATION_QUEUE_STATUSES as readonly string[]).includes(app.status),
    channel: app.channel,
    channelLabel: CHANNEL_LABELS[app.channel] ?? app.channel,
    relation: app.relation,
    relationLabel: RELATION_LABELS[app.relation] ?? app.relation,
    relationDetail: pii.openNullable(app.relationDetailEnc),
    scopes: app.scopes.map((s) => SCOPE_LABELS[s as Scope] ?? s),
    carrierChoice: carrierChoiceLabel(app.carrierChoice),
    number: formatDisplay(row.e164),
    lineId: app.lineId,
    subscriberName: field("subscriberName"),
    subscriberKana: field("subscriberKana"),
    applicantName: field("applicantName"),
    postalCode: field("postalCode"),
    address: field("address"),
    contactPhone: field("contactPhone"),
    consent: app.subscriberConsentAt !== null,
    createdAt: app.createdAt.toISOString(),
    timeline: events.map((e) => ({
      at: e.at.toISOString(),
      label: EVENT_LABELS[e.type] ?? (e.toStatus ? (STATUS_LABELS[e.toStatus as ApplicationStatus]?.label ?? e.type) : e.type),
      actor: actorLabel(e.actor),
      detail: eventDetail((e.detail ?? {}) as Record<string, unknown>, pii),
    })),
    calls: calls.map((v) => ({ at: v.createdAt.toISOString(), method: VERIFICATION_METHOD_LABELS[v.method] ?? v.method, verifiedAt: v.verifiedAt?.toISOString() ?? null, consent: v.consent, expiresAt: v.expiresAt.toISOString() })),
    openedFields: opened.filter(([, value]) => value !== null).map(([name]) => name),
  };
}

export type ReviewResult =
  | { ok: true; status: ApplicationStatus; letter?: boolean }
  | { ok: false; reason: "invalid"; errors: Record<string, string> }
  | { ok: false; reason: "not_claimed" | "not_found" | "settled"; message: string };

class NotClaimedError extends Error {
  constructor() {
    super("claim not held");
  }
}

const NOT_CLAIMED = { ok: false as const, reason: "not_claimed" as const, message: "担当の期限が切れたか、ほかの人が担当しています。もう一度「担当する」を押してください。" };

function settled(status: string) {
  return { ok: false as const, reason: "settled" as const, message: `このお申し込みは、もう確認が済んでいます（いまの状態：${STATUS_LABELS[status as ApplicationStatus]?.label ?? status}）。` };
}

/** 「回線で確認できた」: the operator confirmed the request on the line; the note says how. */
export async function verifyApplication(
  services: Services,
  input: { id: string; operatorId: string; note: string; ip?: string | null },
): Promise<ReviewResult> {
  const note = input.note.trim();
  if (!note) return { ok: false, reason: "invalid", errors: { note: "どのように確かめたかを、短く書いてください。例：回線に電話し、契約者ご本人がお申し込みを認めた" } };
  if (note.length > NOTE_MAX) return { ok: false, reason: "invalid", errors: { note: `メモは${NOTE_MAX}文字以内で書いてください。` } };
  const actor = `operator:${input.operatorId}`;
  const now = services.now();
  return services.db
    .transaction(async (tx): Promise<ReviewResult> => {
      const [app] = await tx.select().from(applications).where(eq(applications.id, input.id)).for("update");
      if (!app) return { ok: false, reason: "not_found", message: "お申し込みが見つかりません。" };
      if (app.status !== "needs_review") return settled(app.status);
      await tx.update(applications).set({ verifiedAt: now }).where(eq(applications.id, app.id));
      await changeStatus(tx, { applicationId: app.id, from: "needs_review", to: "verified", actor, detail: { by: "operator", noteEnc: services.pii.seal(note) }, at: now });
      await services.audit.record(
        { actor, action: "application.verify", subjectType: "application", subjectId: app.id, ip: input.ip, detail: { by: "operator", note: true, queue: "application" } },
        tx,
      );
      if (!(await completeItem(services, { itemType: "application", itemId: app.id, operatorId: input.operatorId, outcome: "verified" }, tx))) throw new NotClaimedError();
      return { ok: true, status: "verified" };
    })
    .catch((error: unknown) => {
      if (error instanceof NotClaimedError) return NOT_CLAIMED;
      throw error;
    });
}

/** 「お受けできない」: needs_review → rejected with a reason; a letter to the applicant where an address is known. */
export async function rejectApplication(
  services: Services,
  input: { id: string; operatorId: string; reason: string; note?: string | null; ip?: string | null },
): Promise<ReviewResult> {
  const errors: Record<string, string> = {};
  const note = (input.note ?? "").trim();
  if (!isRejectReason(input.reason)) errors.reason = "お受けできない理由を1つ選んでください。";
  if (input.reason === "other" && !note) errors.note = "「その他」を選んだときは、理由をメモに書いてください。";
  else if (note.length > NOTE_MAX) errors.note = `メモは${NOTE_MAX}文字以内で書いてください。`;
  if (Object.keys(errors).length > 0 || !isRejectReason(input.reason)) return { ok: false, reason: "invalid", errors };
  const reason = input.reason;
  const actor = `operator:${input.operatorId}`;
  const now = services.now();
  return services.db
    .transaction(async (tx): Promise<ReviewResult> => {
      const [app] = await tx.select().from(applications).where(eq(applications.id, input.id)).for("update");
      if (!app) return { ok: false, reason: "not_found", message: "お申し込みが見つかりません。" };
      if (app.status !== "needs_review") return settled(app.status);
      await changeStatus(tx, { applicationId: app.id, from: "needs_review", to: "rejected", actor, type: "rejected_by_centre", detail: { reason, ...(note ? { noteEnc: services.pii.seal(note) } : {}) }, at: now });
      // The line's pending suspension goes back to none, unless another application still covers it.
      for (const scope of app.scopes as Scope[]) await releasePendingSuspension(tx, app.lineId, scope, now);
      const info = REJECT_REASON_INFO[reason];
      const address = services.pii.openNullable(app.addressEnc);
      const postalCode = services.pii.openNullable(app.postalCodeEnc);
      let outboxId: string | null = null;
      if (address && info.letter) {
        const name = services.pii.openNullable(app.relation === "self" ? app.subscriberNameEnc : app.applicantNameEnc) ?? services.pii.openNullable(app.subscriberNameEnc) ?? "お申し込みの方";
        const [line] = await tx.select({ e164: lines.e164 }).from(lines).where(eq(lines.id, app.lineId));
        const text = notAcceptedLetterText("application", info.letter, reason === "other" ? note : null, {
          centrePhone: formatDisplay(services.config.centrePhoneNumber),
          webUrl: `${services.config.publicBaseUrl}/apply`,
        });
        outboxId = await services.comms.queueLetter(
          {
            idempotencyKey: `application-rejected-letter:${app.id}`,
            purpose: "application_not_accepted",
            applicationId: app.id,
            to: [postalCode ? `〒${postalCode}` : "", address, `${name} 様`].filter(Boolean).join(" "),
            template: APPLICATION_NOT_ACCEPTED_TEMPLATE,
            data: { name, postalCode, address, text, reference: formatReference(app.reference), number: line?.e164 ?? null },
          },
          tx,
        );
      }
      await services.audit.record(
        { actor, action: "application.reject", subjectType: "application", subjectId: app.id, ip: input.ip, detail: { reason, ...(note ? { note: true } : {}), letter: outboxId, queue: "application" } },
        tx,
      );
      if (!(await completeItem(services, { itemType: "application", itemId: app.id, operatorId: input.operatorId, outcome: "rejected" }, tx))) throw new NotClaimedError();
      return { ok: true, status: "rejected", letter: outboxId !== null };
    })
    .catch((error: unknown) => {
      if (error instanceof NotClaimedError) return NOT_CLAIMED;
      throw error;
    });
}
