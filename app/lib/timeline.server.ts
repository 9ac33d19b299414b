/**
 * A line's whole story on one page: its applications (with the personal data opened for the operator),
 * and one timeline of everything that happened to it — application events, verifications,
 * cancellation requests and their events, carrier orders and results, letters, SMS and calls from the
 * outbox, IVR calls from the line, and the paper and FAX pages about it (how each ended, and why).
 *
 * `openedFields` lists the personal-data fields opened, for the caller's audit entry.
 */
import { asc, eq, inArray, or } from "drizzle-orm";
import {
  applicationEvents,
  applications,
  cancellationEvents,
  cancellations,
  carrierBatchOrders,
  carrierBatches,
  carrierOrders,
  ivrCalls,
  lines,
  outbox,
  scans,
  verifications,
} from "../../db/schema";
import { CLOSE_REASON_INFO, isCloseReason, scanReason } from "./review-reasons";
import { joinedOrderStatusSql } from "./carrier-order-status.server";
import { STATUS_LABELS, type ApplicationStatus } from "../domain/application-state";
import { CANCELLATION_EVENT_LABELS, CANCELLATION_KIND_LABELS, CANCELLATION_STATUS_LABELS, type CancellationKind, type CancellationStatus } from "../domain/cancellation-state";
import { CARRIER_NAMES, SCOPE_LABELS, type CarrierCode, type Scope } from "../domain/carriers";
import { formatDisplay } from "../domain/phone";
import { findPrefecture } from "../domain/regions";
import type { CallContent } from "./comms.server";
import { CANCELLATION_SERVICE_EVENT_LABELS, CHANNEL_LABELS, UNKNOWN_RECORD } from "./ops-labels";
import type { Services } from "./services.server";

export type TimelineKind = "application" | "verification" | "cancellation" | "carrier" | "message" | "ivr" | "paper";

export type TimelineEntry = { at: string; kind: TimelineKind; title: string; detail: string | null };

export type LineApplication = {
  id: string;
  reference: string;
  status: string;
  statusLabel: string;
  channel: string;
  relation: string;
  relationDetail: string | null;
  scopes: string[];
  subscriberName: string | null;
  subscriberKana: string | null;
  applicantName: string | null;
  postalCode: string | null;
  address: string | null;
  contactPhone: string | null;
  carrierChoice: string;
  carrierCode: string | null;
  verificationMethod: string | null;
  assisted: boolean;
  createdAt: string;
  replacesThisLine: boolean;
};

export type LineView = {
  line: { id: string; number: string; carrierName: string | null; prefecture: string | null; outgoing: string; incoming: string };
  applications: LineApplication[];
  cancellations: { id: string; reference: string; kind: string; status: string; statusLabel: string; createdAt: string }[];
  timeline: TimelineEntry[];
  openedFields: string[];
  ids: { applications: string[]; cancellations: string[]; outbox: string[]; ivrCalls: string[] };
};

/** What became of an application page (scans.status), for the states that follow the OCR. */
const APPLICATION_PAGE_STATUS_LABELS: Record<string, string> = {
  confirming: "回線の確認に回しました（センターから電話します）",
  needs_review: "職員が確認します",
  verified: "お申し込みになりました",
  closed: "申し込みにできず、終わりにしました",
};
/** The same for a cancellation page. */
const CANCELLATION_PAGE_STATUS_LABELS: Record<string, string> = {
  needs_review: "職員が確認します",
  verified: "解除のお申し出として受け付けました",
  closed: "解除の手続きはせず、終わりにしました",
};

/** Whether the sender of a closed page was written to, and if not, why. */
function closedPageLetter(reason: string | null, sent: boolean): string {
  if (sent) return "送り主に手紙を送りました";
  return isCloseReason(reason) && CLOSE_REASON_INFO[reason].letter === null ? "手紙は送りません（この理由では送らないため）" : "手紙は送っていません（宛先の住所がわからないため）";
}

const SUSPENSION_LABELS: Record<string, string> = { none: "休止していない", pending: "手続き中", active: "休止中", resuming: "解除の手続き中" };
const METHOD_LABELS: Record<string, string> = { callback: "確認の電話（センターから発信）", call_in: "ウェブの確認（利用者から発信）", caller_id: "発信者番号", letter: "郵便" };
const ORDER_ACTION_LABELS: Record<string, string> = { SUSPEND: "休止の依頼", RESUME: "解除の依頼", INQUIRY: "契約の問い合わせ" };
const ORDER_STATUS_LABELS: Record<string, string> = {
  pending: "送信待ち",
  cancelled: "取り消し",
  batched: "送信済み（受領待ち）",
  acknowledged: "電話会社が受領",
  done: "手続き完了",
  rejected: "手続きできず",
  accepted: "自社の契約と回答",
};
const MESSAGE_CHANNEL_LABELS: Record<string, string> = { sms: "SMS", call: "電話（音声）", letter: "手紙" };
const MESSAGE_STATUS_LABELS: Record<string, string> = {
  queued: "送信待ち",
  sending: "送信中",
  sent: "送信済み",
  delivered: "配達済み",
  held: "アウトボックスに保留",
  failed: "失敗",
  printed: "印刷済み",
  mailed: "発送済み",
  not_needed: "不要になったため取りやめ",
};
const IVR_PURPOSE_LABELS: Record<string, string> = { apply: "申し込み", form: "申込書の郵送", cancel: "解除", status: "状況確認", call_in: "ウェブの確認", paper_call_in: "郵便・FAXの申込みの確認", operator: "オペレーター" };
const IVR_STATUS_LABELS: Record<string, string> = { incomplete: "途中で切れた", completed: "完了", in_progress: "通話中" };

const carrierName = (code: string | null) => (code ? (CARRIER_NAMES[code as CarrierCode] ?? code) : null);

const PURPOSE_LABELS: Record<string, string> = {
  verification: "確認の電話",
  form_request: "申込書の郵送",
  completion: "手続き完了のお知らせ",
  cancellation_cooling_off: "解除のお知らせ",
  cancellation_confirmation: "解除の確認の電話",
  cancellation_outcome: "解除の結果のお知らせ",
  application_not_accepted: "お受けできないお知らせ",
  paper_confirmation: "郵送・FAXの申込書の確認の電話",
  paper_not_accepted: "郵送・FAXの申込書をお受けできないお知らせ",
};

const REASON_LABELS: Record<string, string> = { line_not_verified: "回線の確認がまだ" };

function messageText(channel: string, purpose: string, body: string, template: string | null): string {
  // A verification call's code is a secret of its moment: the timeline says what it was, not the code.
  if (purpose === "verification") return "確認番号を読み上げる電話（番号は表示しません）";
  if (channel === "sms") return body;
  if (channel === "call") {
    const content = JSON.parse(body) as CallContent;
    return content.kind === "say" ? content.text : content.fallbackText;
  }
  return `様式：${template ?? "なし"}`;
}

export async function lineView(services: Pick<Services, "db" | "pii">, lineId: string): Promise<LineView | null> {
  const { db, pii } = services;
  const [line] = await db.select().from(lines).where(eq(lines.id, lineId));
  if (!line) return null;

  const appRows = await db
    .select()
    .from(applications)
    .where(or(eq(applications.lineId, lineId), eq(applications.replacesLineId, lineId)))
    .orderBy(asc(applications.createdAt));
  const appIds = appRows.map((a) => a.id);
  const opened = new Set<string>();
  const open = (field: string, sealed: string | null) => {
    if (sealed) opened.add(field);
    return pii.openNullable(sealed);
  };
  const apps: LineApplication[] = appRows.map((a) => ({
    id: a.id,
    reference: a.reference,
    status: a.status,
    statusLabel: STATUS_LABELS[a.status as ApplicationStatus]?.label ?? UNKNOWN_RECORD,
    channel: a.channel,
    relation: a.relation,
    relationDetail: open("relationDetail", a.relationDetailEnc),
    scopes: a.scopes,
    subscriberName: open("subscriberName", a.subscriberNameEnc),
    subscriberKana: open("subscriberKana", a.subscriberKanaEnc),
    applicantName: open("applicantName", a.applicantNameEnc),
    postalCode: open("postalCode", a.postalCodeEnc),
    address: open("address", a.addressEnc),
    contactPhone: open("contactPhone", a.contactPhoneEnc),
    carrierChoice: a.carrierChoice,
    carrierCode: a.carrierCode,
    verificationMethod: a.verificationMethod,
    assisted: a.assisted,
    createdAt: a.createdAt.toISOString(),
    replacesThisLine: a.lineId !== lineId,
  }));
  const referenceOf = new Map(appRows.map((a) => [a.id, a.reference]));
  const timeline: TimelineEntry[] = [];

  if (appIds.length > 0) {
    const events = await db.select().from(applicationEvents).where(inArray(applicationEvents.applicationId, appIds)).orderBy(asc(applicationEvents.at), asc(applicationEvents.id));
    for (const e of events) {
      const to = e.toStatus ? (STATUS_LABELS[e.toStatus as ApplicationStatus]?.label ?? e.toStatus) : null;
      const detail = e.detail as Record<string, unknown>;
      const extra = [
        typeof detail.channel === "string" ? `受付方法：${CHANNEL_LABELS[detail.channel] ?? UNKNOWN_RECORD}` : "",
        Array.isArray(detail.fields) && detail.fields.length > 0 ? `変更した項目：${detail.fields.join("、")}` : "",
        typeof detail.reason === "string" ? `理由：${REASON_LABELS[detail.reason] ?? detail.reason}` : "",
      ].filter(Boolean);
      timeline.push({
        at: e.at.toISOString(),
        kind: "application",
        title: `お申し込み ${referenceOf.get(e.applicationId)}：${to ?? EVENT_LABELS[e.type] ?? UNKNOWN_RECORD}`,
        detail: [`記録者：${actorLabel(e.actor)}`, ...extra].join("／"),
      });
    }
  }

  const verRows = await db
    .select()
    .from(verifications)
    .where(appIds.length > 0 ? or(eq(verifications.lineId, lineId), inArray(verifications.applicationId, appIds)) : eq(verifications.lineId, lineId))
    .orderBy(asc(verifications.createdAt));
  for (const v of verRows) {
    const state = v.verifiedAt ? "確認できた" : v.consent === "refused" ? "契約者が同意しなかった" : "確認中または期限切れ";
    timeline.push({
      at: v.createdAt.toISOString(),
      kind: "verification",
      title: `回線の確認（${METHOD_LABELS[v.method] ?? UNKNOWN_RECORD}）：${state}`,
      detail: [`目的：${v.purpose === "cancel" ? "解除" : "申し込み"}`, v.attempts > 0 ? `番号の入力 ${v.attempts} 回` : "", v.consent ? `同意：${v.consent === "agreed" ? "あり" : "なし"}` : ""].filter(Boolean).join("／"),
    });
    if (v.verifiedAt) timeline.push({ at: v.verifiedAt.toISOString(), kind: "verification", title: "回線の確認ができました", detail: METHOD_LABELS[v.method] ?? UNKNOWN_RECORD });
  }

  // Pages about the line (its number decided by the OCR or a QR code): a page that ended with no
  // person (ADR 031) is found here when its sender calls the centre, with whether a letter went out.
  const pageRows = await db
    .select({ id: scans.id, formType: scans.formType, status: scans.status, exceptionReason: scans.exceptionReason, createdAt: scans.createdAt, updatedAt: scans.updatedAt })
    .from(scans)
    .where(eq(scans.lineId, lineId))
    .orderBy(asc(scans.createdAt));
  const closedPageKeys = pageRows.filter((p) => p.status === "closed").map((p) => `scan-closed-letter:${p.id}`);
  const lettersSent = new Set(
    closedPageKeys.length > 0
      ? (await db.select({ key: outbox.idempotencyKey }).from(outbox).where(inArray(outbox.idempotencyKey, closedPageKeys))).map((row) => row.key)
      : [],
  );
  for (const p of pageRows) {
    const cancellationForm = p.formType === "cancellation";
    const form = cancellationForm ? "解除の申出書" : "申込書";
    timeline.push({ at: p.createdAt.toISOString(), kind: "paper", title: `紙・FAXの${form}が届きました`, detail: null });
    const state = (cancellationForm ? CANCELLATION_PAGE_STATUS_LABELS : APPLICATION_PAGE_STATUS_LABELS)[p.status];
    if (!state) continue;
    const letter = p.status !== "closed" ? null : closedPageLetter(p.exceptionReason, lettersSent.has(`scan-closed-letter:${p.id}`));
    timeline.push({ at: p.updatedAt.toISOString(), kind: "paper", title: `紙・FAXの${form}：${state}`, detail: [scanReason(p.exceptionReason)?.label, letter].filter(Boolean).join("／") || null });
  }

  const canRows = await db.select().from(cancellations).where(eq(cancellations.lineId, lineId)).orderBy(asc(cancellations.createdAt));
  const canIds = canRows.map((c) => c.id);
  const canRef = new Map(canRows.map((c) => [c.id, c.reference]));
  if (canIds.length > 0) {
    const events = await db.select().from(cancellationEvents).where(inArray(cancellationEvents.cancellationId, canIds)).orderBy(asc(cancellationEvents.at), asc(cancellationEvents.id));
    for (const e of events) {
      const label = CANCELLATION_EVENT_LABELS[e.type as keyof typeof CANCELLATION_EVENT_LABELS] ?? CANCELLATION_SERVICE_EVENT_LABELS[e.type] ?? UNKNOWN_RECORD;
      const to = e.toStatus ? (CANCELLATION_STATUS_LABELS[e.toStatus as CancellationStatus]?.label ?? e.toStatus) : null;
      timeline.push({
        at: e.at.toISOString(),
        kind: "cancellation",
        title: `解除のお申し出 ${canRef.get(e.cancellationId)}：${label}${to ? `（${to}）` : ""}`,
        detail: `記録者：${actorLabel(e.actor)}`,
      });
    }
  }

  const orderRows = await db
    .select({ order: carrierOrders, status: joinedOrderStatusSql, batch: carrierBatches })
    .from(carrierOrders)
    .leftJoin(carrierBatchOrders, eq(carrierBatchOrders.orderId, carrierOrders.id))
    .leftJoin(carrierBatches, eq(carrierBatches.id, carrierBatchOrders.batchId))
    .where(eq(carrierOrders.lineId, lineId))
    .orderBy(asc(carrierOrders.createdAt));
  for (const { order, status, batch } of orderRows) {
    const name = carrierName(order.carrierCode);
    const scope = SCOPE_LABELS[order.scope as Scope] ?? order.scope;
    timeline.push({
      at: order.createdAt.toISOString(),
      kind: "carrier",
      title: `${name}へ${ORDER_ACTION_LABELS[order.action] ?? UNKNOWN_RECORD}（${scope}）`,
      detail: `状態：${ORDER_STATUS_LABELS[status] ?? UNKNOWN_RECORD}${order.requestRef ? `／受付番号 ${order.requestRef}` : ""}`,
    });
    if (batch?.sentAt) timeline.push({ at: batch.sentAt.toISOString(), kind: "carrier", title: `${name}へ送信（第${batch.sequence}便）`, detail: `${scope}／${batch.recordCount}件の便` });
    if (batch?.ackedAt) timeline.push({ at: batch.ackedAt.toISOString(), kind: "carrier", title: `${name}が受領（第${batch.sequence}便）`, detail: scope });
    if (order.resultAt) {
      timeline.push({
        at: order.resultAt.toISOString(),
        kind: "carrier",
        title: `${name}の回答：${ORDER_STATUS_LABELS[order.status] ?? UNKNOWN_RECORD}`,
        detail: [scope, order.reasonCode ? `理由コード ${order.reasonCode}` : "", order.effectiveDate ? `実施日 ${order.effectiveDate}` : ""].filter(Boolean).join("／"),
      });
    }
  }

  const verIds = verRows.map((v) => v.id);
  const callRows = await db
    .select()
    .from(ivrCalls)
    .where(
      or(
        eq(ivrCalls.fromHash, pii.searchHash(line.e164)),
        ...(appIds.length > 0 ? [inArray(ivrCalls.applicationId, appIds)] : []),
        ...(canIds.length > 0 ? [inArray(ivrCalls.cancellationId, canIds)] : []),
      ),
    )
    .orderBy(asc(ivrCalls.createdAt));
  for (const c of callRows) {
    timeline.push({
      at: c.createdAt.toISOString(),
      kind: "ivr",
      title: `自動音声への電話（用件：${c.purpose ? (IVR_PURPOSE_LABELS[c.purpose] ?? UNKNOWN_RECORD) : "メニュー"}）`,
      detail: IVR_STATUS_LABELS[c.status] ?? UNKNOWN_RECORD,
    });
  }
  const callOutboxIds = callRows.map((c) => c.outboxId).filter((id): id is string => Boolean(id));

  const messageConditions = [
    ...(appIds.length > 0 ? [inArray(outbox.applicationId, appIds)] : []),
    ...(canIds.length > 0 ? [inArray(outbox.cancellationId, canIds)] : []),
    ...(verIds.length > 0 ? [inArray(outbox.verificationId, verIds)] : []),
    ...(callOutboxIds.length > 0 ? [inArray(outbox.id, callOutboxIds)] : []),
  ];
  const messages = messageConditions.length > 0 ? await db.select().from(outbox).where(or(...messageConditions)).orderBy(asc(outbox.createdAt)) : [];
  for (const m of messages) {
    opened.add(`outbox.${m.channel}`);
    timeline.push({
      at: m.createdAt.toISOString(),
      kind: "message",
      title: `${MESSAGE_CHANNEL_LABELS[m.channel] ?? UNKNOWN_RECORD}（${PURPOSE_LABELS[m.purpose] ?? UNKNOWN_RECORD}）：${MESSAGE_STATUS_LABELS[m.status] ?? UNKNOWN_RECORD}`,
      detail: messageText(m.channel, m.purpose, pii.open(m.bodyEnc), m.template),
    });
  }

  timeline.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return {
    line: {
      id: line.id,
      number: formatDisplay(line.e164),
      carrierName: carrierName(line.carrierCode),
      prefecture: line.prefecture ? (findPrefecture(line.prefecture)?.name ?? null) : null,
      outgoing: SUSPENSION_LABELS[line.outgoingSuspension] ?? line.outgoingSuspension,
      incoming: SUSPENSION_LABELS[line.incomingSuspension] ?? line.incomingSuspension,
    },
    applications: apps,
    cancellations: canRows.map((c) => ({
      id: c.id,
      reference: c.reference,
      kind: CANCELLATION_KIND_LABELS[c.kind as CancellationKind] ?? c.kind,
      status: c.status,
      statusLabel: CANCELLATION_STATUS_LABELS[c.status as CancellationStatus]?.label ?? UNKNOWN_RECORD,
      createdAt: c.createdAt.toISOString(),
    })),
    timeline,
    openedFields: [...opened].sort(),
    ids: { applications: appIds, cancellations: canIds, outbox: messages.map((m) => m.id), ivrCalls: callRows.map((c) => c.id) },
  };
}

const EVENT_LABELS: Record<string, string> = {
  subscriber_name_corrected: "契約者のお名前を録音と照らして直しました",
  subscriber_name_confirmed: "契約者のお名前を録音と照らして確かめました",
  carrier_exception_closed: "電話会社への送付の例外を対応済みにしました",
  resent: "電話会社に送り直しました",
  carrier_found: "契約している電話会社がわかりました",
  carrier_orders_cancelled: "電話会社への依頼を取り消しました",
  resume_ordered: "休止の解除を電話会社に依頼しました",
  rerouted: "別の電話会社に送り直しました",
  rejected_by_centre: "センターでお受けできませんでした",
};

export function actorLabel(actor: string): string {
  if (actor.startsWith("operator:")) return "職員";
  if (actor.startsWith("carrier:")) return `電話会社（${carrierName(actor.slice(8)) ?? actor.slice(8)}）`;
  return { system: "システム", applicant: "申込者", ivr: "自動音声", requester: "申出者", subscriber: "契約者" }[actor] ?? actor;
}
