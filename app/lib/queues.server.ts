/**
 * The back office's work queues, each a view over the table where its work lives (the statuses each
 * lists are constants in queue-info.ts):
 *  - paper: scanned pages the OCR worker has read (or could not read: exceptions, keyed by hand from
 *    the page image) — verified, keyed or closed on /ops/paper/$id;
 *  - application: applications whose line was not confirmed (needs_review) — verified or rejected on
 *    /ops/applications/$id;
 *  - ivr: names and addresses heard by speech recognition on IVR calls asking for a form by mail, to
 *    check against the recording before the letter is printed (names heard on phone applications are
 *    advisory and go to the carrier marked unverified: no task for a person);
 *  - cancellation: cancellation requests waiting for an operator — reviewed on /ops/cancellations/$id;
 *  - carrier: carrier exceptions (rejections with nowhere else to go, inquiries no carrier owned);
 *  - letters: letters waiting to be printed — printed in batches on /ops/letters.
 * Items are claimed (claims.server.ts) before they are worked, so no two operators work one item.
 */
import { and, asc, eq, gt, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import { applications, cancellations, carrierExceptions, carriers, ivrCalls, lines, outbox, paperIntakes, scans, workClaims } from "../../db/schema";
import { CANCELLATION_KIND_LABELS, type CancellationKind } from "../domain/cancellation-state";
import { STATUS_LABELS, type ApplicationStatus } from "../domain/application-state";
import { EXCEPTION_LABELS, type ExceptionKind } from "../domain/carrier-orders";
import { formatDisplay } from "../domain/phone";
import { activeClaims, completeItem, completedClaimExists, holdsClaim, type ClaimHolder } from "./claims.server";
import { resolveException } from "./carrier-exceptions.server";
import { recordEvent } from "./applications.server";
import type { IvrAnswers } from "./ivr.server";
import { CHANNEL_LABELS, RELATION_LABELS } from "./ops-labels";
import {
  APPLICATION_QUEUE_STATUSES,
  CANCELLATION_QUEUE_STATUSES,
  IVR_QUEUE_PURPOSES,
  LETTER_QUEUE_STATUSES,
  PAPER_QUEUE_STATUSES,
  QUEUE_INFO,
  QUEUE_TYPES,
  type QueueType,
} from "./queue-info";
import { scanReason } from "./review-reasons";
import type { Services } from "./services.server";

export {
  APPLICATION_QUEUE_STATUSES,
  CANCELLATION_QUEUE_STATUSES,
  IVR_QUEUE_PURPOSES,
  isQueueType,
  PAPER_QUEUE_STATUSES,
  QUEUE_INFO,
  QUEUE_TYPES,
  type QueueType,
} from "./queue-info";

export type QueueItem = {
  id: string;
  createdAt: string;
  title: string;
  detail: string;
  href: string;
  claim: ClaimHolder | null;
};

type Deps = Pick<Services, "db" | "pii" | "now">;

const SCAN_STATUSES = [...PAPER_QUEUE_STATUSES];
const CANCELLATION_REVIEW_STATUSES = [...CANCELLATION_QUEUE_STATUSES];
const SOURCE_LABELS: Record<string, string> = { upload: "アップロード", fax_folder: "FAX", mail: "郵送" };
const SCAN_STATUS_LABELS: Record<string, string> = { ocr_done: "読み取り済み", needs_review: "要確認", exception: "読み取れない（画像を見て入力）" };
const FORM_TYPE_LABELS: Record<string, string> = { application: "申込書", cancellation: "解除の申出書" };

/** IVR calls (forms to mail) whose heard name or address waits for an operator, oldest first. */
async function ivrCandidates(services: Deps, limit: number) {
  const rows = await services.db
    .select()
    .from(ivrCalls)
    .where(
      and(
        eq(ivrCalls.status, "completed"),
        inArray(ivrCalls.purpose, [...IVR_QUEUE_PURPOSES]),
        isNotNull(ivrCalls.outboxId),
        sql`not ${completedClaimExists("ivr", sql`${ivrCalls.id}`)}`,
      ),
    )
    .orderBy(asc(ivrCalls.createdAt))
    .limit(limit * 2);
  const out: { row: typeof ivrCalls.$inferSelect; answers: IvrAnswers }[] = [];
  for (const row of rows) {
    const answers = JSON.parse(services.pii.open(row.answersEnc)) as IvrAnswers;
    if (answers.nameSpeech || answers.nameRecordingUrl || answers.addressSpeech) out.push({ row, answers });
    if (out.length >= limit) break;
  }
  return out;
}

async function rawItems(services: Deps, type: QueueType, limit: number): Promise<Omit<QueueItem, "claim">[]> {
  const { db, pii } = services;
  const info = QUEUE_INFO[type];
  switch (type) {
    case "paper": {
      const rows = await db
        .select({ scan: scans, source: paperIntakes.source })
        .from(scans)
        .innerJoin(paperIntakes, eq(paperIntakes.id, scans.intakeId))
        .where(inArray(scans.status, SCAN_STATUSES))
        .orderBy(asc(scans.createdAt))
        .limit(limit);
      return rows.map(({ scan, source }) => ({
        id: scan.id,
        createdAt: scan.createdAt.toISOString(),
        title: `${SOURCE_LABELS[source] ?? source}の${scan.formType ? (FORM_TYPE_LABELS[scan.formType] ?? "申込書") : "ページ（用紙の種類不明）"}（${scan.pageNumber}ページ目）`,
        detail: [SCAN_STATUS_LABELS[scan.status] ?? scan.status, scanReason(scan.exceptionReason)?.label ?? ""].filter(Boolean).join("／"),
        href: info.workHref(scan.id),
      }));
    }
    case "application": {
      const rows = await db
        .select({ app: applications, e164: lines.e164 })
        .from(applications)
        .innerJoin(lines, eq(lines.id, applications.lineId))
        .where(inArray(applications.status, [...APPLICATION_QUEUE_STATUSES]))
        .orderBy(asc(applications.createdAt))
        .limit(limit);
      return rows.map(({ app, e164 }) => ({
        id: app.id,
        createdAt: app.createdAt.toISOString(),
        title: `${CHANNEL_LABELS[app.channel] ?? app.channel}のお申し込み（申込者：${RELATION_LABELS[app.relation] ?? app.relation}）`,
        detail: [formatDisplay(e164), `受付番号 ${app.reference}`, STATUS_LABELS[app.status as ApplicationStatus]?.label ?? app.status].join("／"),
        href: info.workHref(app.id),
      }));
    }
    case "ivr": {
      const found = await ivrCandidates(services, limit);
      return found.map(({ row }) => {
        const from = pii.openNullable(row.fromEnc);
        return {
          id: row.id,
          createdAt: row.createdAt.toISOString(),
          title: row.purpose === "form" ? "申込書の郵送：宛名の確認" : "電話での申し込み：お名前の確認",
          detail: from ? `発信者 ${formatDisplay(from)}` : "発信者番号なし",
          href: info.workHref(row.id),
        };
      });
    }
    case "cancellation": {
      const rows = await db
        .select({ c: cancellations, e164: lines.e164 })
        .from(cancellations)
        .innerJoin(lines, eq(lines.id, cancellations.lineId))
        .where(inArray(cancellations.status, CANCELLATION_REVIEW_STATUSES))
        .orderBy(asc(cancellations.createdAt))
        .limit(limit);
      return rows.map(({ c, e164 }) => ({
        id: c.id,
        createdAt: c.createdAt.toISOString(),
        title: CANCELLATION_KIND_LABELS[c.kind as CancellationKind] ?? c.kind,
        detail: `${formatDisplay(e164)}／受付番号 ${c.reference}`,
        href: info.workHref(c.id),
      }));
    }
    case "carrier": {
      const rows = await db
        .select({ e: carrierExceptions, reference: applications.reference, e164: lines.e164 })
        .from(carrierExceptions)
        .leftJoin(applications, eq(applications.id, carrierExceptions.applicationId))
        .leftJoin(lines, eq(lines.id, applications.lineId))
        .where(isNull(carrierExceptions.resolvedAt))
        .orderBy(asc(carrierExceptions.createdAt))
        .limit(limit);
      return rows.map(({ e, reference, e164 }) => ({
        id: e.id,
        createdAt: e.createdAt.toISOString(),
        title: EXCEPTION_LABELS[e.kind as ExceptionKind] ?? e.kind,
        detail: [e164 ? formatDisplay(e164) : "", reference ? `受付番号 ${reference}` : "", e.reasonCode ? `理由コード ${e.reasonCode}` : ""].filter(Boolean).join("／"),
        href: info.workHref(e.id),
      }));
    }
    case "letters": {
      const rows = await db
        .select({ id: outbox.id, createdAt: outbox.createdAt, template: outbox.template, purpose: outbox.purpose })
        .from(outbox)
        .where(and(eq(outbox.channel, "letter"), inArray(outbox.status, [...LETTER_QUEUE_STATUSES])))
        .orderBy(asc(outbox.createdAt))
        .limit(limit);
      return rows.map((row) => ({
        id: row.id,
        createdAt: row.createdAt.toISOString(),
        title: `手紙（${row.template ?? "様式なし"}）`,
        detail: row.purpose,
        href: info.workHref(row.id),
      }));
    }
  }
}

/** The items of one queue, oldest first, with who holds each. */
export async function listQueue(services: Deps, type: QueueType, viewerId: string, limit = 200): Promise<QueueItem[]> {
  const items = await rawItems(services, type, limit);
  const claims = QUEUE_INFO[type].claimable ? await activeClaims(services, type, items.map((i) => i.id), viewerId) : new Map<string, ClaimHolder>();
  return items.map((item) => ({ ...item, claim: claims.get(item.id) ?? null }));
}

export type Backlog = { type: QueueType; label: string; count: number; oldestAt: string | null; claimed: number };

/** Each queue's backlog and the age of its oldest item (dashboard). */
export async function queueBacklogs(services: Deps): Promise<Backlog[]> {
  const { db } = services;
  const out: Backlog[] = [];
  for (const type of QUEUE_TYPES) {
    let count = 0;
    let oldest: Date | null = null;
    if (type === "paper") {
      const [row] = await db.select({ n: sql<number>`count(*)::int`, oldest: sql<string | null>`min(${scans.createdAt})` }).from(scans).where(inArray(scans.status, SCAN_STATUSES));
      count = Number(row?.n ?? 0);
      oldest = row?.oldest ? new Date(row.oldest) : null;
    } else if (type === "application") {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int`, oldest: sql<string | null>`min(${applications.createdAt})` })
        .from(applications)
        .where(inArray(applications.status, [...APPLICATION_QUEUE_STATUSES]));
      count = Number(row?.n ?? 0);
      oldest = row?.oldest ? new Date(row.oldest) : null;
    } else if (type === "ivr") {
      const found = await ivrCandidates(services, 1000);
      count = found.length;
      oldest = found[0]?.row.createdAt ?? null;
    } else if (type === "cancellation") {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int`, oldest: sql<string | null>`min(${cancellations.createdAt})` })
        .from(cancellations)
        .where(inArray(cancellations.status, CANCELLATION_REVIEW_STATUSES));
      count = Number(row?.n ?? 0);
      oldest = row?.oldest ? new Date(row.oldest) : null;
    } else if (type === "carrier") {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int`, oldest: sql<string | null>`min(${carrierExceptions.createdAt})` })
        .from(carrierExceptions)
        .where(isNull(carrierExceptions.resolvedAt));
      count = Number(row?.n ?? 0);
      oldest = row?.oldest ? new Date(row.oldest) : null;
    } else {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int`, oldest: sql<string | null>`min(${outbox.createdAt})` })
        .from(outbox)
        .where(and(eq(outbox.channel, "letter"), inArray(outbox.status, [...LETTER_QUEUE_STATUSES])));
      count = Number(row?.n ?? 0);
      oldest = row?.oldest ? new Date(row.oldest) : null;
    }
    // Claims that are held now (an item finished elsewhere keeps its claim until it expires).
    let claimed = 0;
    if (QUEUE_INFO[type].claimable && count > 0) {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(workClaims)
        .where(and(eq(workClaims.itemType, type), isNull(workClaims.completedAt), gt(workClaims.expiresAt, services.now())));
      claimed = Math.min(count, Number(row?.n ?? 0));
    }
    out.push({ type, label: QUEUE_INFO[type].label, count, oldestAt: oldest ? new Date(oldest).toISOString() : null, claimed });
  }
  return out;
}

// ————— the IVR item: check the heard name against the recording —————

export type IvrItem = {
  id: string;
  callSid: string;
  at: string;
  from: string | null;
  purpose: "apply" | "form";
  heard: { name: string | null; postalCode: string | null; address: string | null };
  recordings: { name: string | null; address: string | null };
  application: { id: string; reference: string; status: string; lineId: string; subscriberName: string | null; subscriberKana: string | null } | null;
  letter: { id: string; status: string; name: string | null; postalCode: string | null; address: string | null } | null;
  done: boolean;
};

type LetterData = Record<string, unknown> & { name?: string | null; postalCode?: string | null; address?: string | null; needsCheck?: boolean };

export async function ivrItem(services: Deps, id: string): Promise<IvrItem | null> {
  const { db, pii } = services;
  const [row] = await db.select().from(ivrCalls).where(eq(ivrCalls.id, id));
  if (!row || (row.purpose !== "apply" && row.purpose !== "form")) return null;
  const answers = JSON.parse(pii.open(row.answersEnc)) as IvrAnswers;
  let application: IvrItem["application"] = null;
  if (row.applicationId) {
    const [app] = await db.select().from(applications).where(eq(applications.id, row.applicationId));
    if (app) {
      application = {
        id: app.id,
        reference: app.reference,
        status: app.status,
        lineId: app.lineId,
        subscriberName: pii.openNullable(app.subscriberNameEnc),
        subscriberKana: pii.openNullable(app.subscriberKanaEnc),
      };
    }
  }
  let letter: IvrItem["letter"] = null;
  if (row.outboxId) {
    const [o] = await db.select().from(outbox).where(eq(outbox.id, row.outboxId));
    if (o) {
      const data = JSON.parse(pii.open(o.bodyEnc)) as LetterData;
      letter = { id: o.id, status: o.status, name: data.name ?? null, postalCode: data.postalCode ?? null, address: data.address ?? null };
    }
  }
  const [completed] = await db
    .select({ id: workClaims.id })
    .from(workClaims)
    .where(and(eq(workClaims.itemType, "ivr"), eq(workClaims.itemId, id), isNotNull(workClaims.completedAt)));
  return {
    id: row.id,
    callSid: row.callSid,
    at: row.createdAt.toISOString(),
    from: pii.openNullable(row.fromEnc),
    purpose: row.purpose,
    heard: { name: answers.nameSpeech ?? null, postalCode: answers.postalCode ?? null, address: answers.addressSpeech ?? null },
    recordings: { name: answers.nameRecordingUrl ?? null, address: answers.addressRecordingUrl ?? null },
    application,
    letter,
    done: Boolean(completed),
  };
}

export type IvrConfirmResult = { ok: true; changed: string[] } | { ok: false; reason: "not_claimed" | "letter_printed" | "not_found" };

/**
 * Saves what the operator heard on the recording: the application's subscriber name (sealed, with an
 * event on its timeline), or the letter's name and address before it is printed. Completes the claim
 * in the same transaction, so the work and "done" cannot come apart.
 */
export async function confirmIvrItem(
  services: Pick<Services, "db" | "pii" | "now" | "audit">,
  input: { id: string; operatorId: string; name: string; kana?: string | null; postalCode?: string | null; address?: string | null; ip?: string | null },
): Promise<IvrConfirmResult> {
  const item = await ivrItem(services, input.id);
  if (!item) return { ok: false, reason: "not_found" };
  const actor = `operator:${input.operatorId}`;
  const now = services.now();
  return services.db.transaction(async (tx) => {
    const changed: string[] = [];
    if (item.application) {
      if (input.name !== (item.application.subscriberName ?? "")) {
        await tx
          .update(applications)
          .set({ subscriberNameEnc: services.pii.sealNullable(input.name), updatedAt: now })
          .where(eq(applications.id, item.application.id));
        changed.push("subscriberName");
      }
      // The IVR hears no kana; adding it lets the line be found by its kana name.
      if (input.kana && input.kana !== (item.application.subscriberKana ?? "")) {
        await tx
          .update(applications)
          .set({ subscriberKanaEnc: services.pii.seal(input.kana), subscriberKanaHash: services.pii.searchHash(input.kana), updatedAt: now })
          .where(eq(applications.id, item.application.id));
        changed.push("subscriberKana");
      }
      await recordEvent(tx, {
        applicationId: item.application.id,
        type: changed.length > 0 ? "subscriber_name_corrected" : "subscriber_name_confirmed",
        actor,
        detail: { fields: changed, ivrCallId: item.id, source: "recording" },
        at: now,
      });
      if (changed.length > 0) {
        await services.audit.record(
          { actor, action: "application.update", subjectType: "application", subjectId: item.application.id, ip: input.ip, detail: { fields: changed, ivrCallId: item.id } },
          tx,
        );
      }
    }
    if (item.letter) {
      const [o] = await tx.select().from(outbox).where(eq(outbox.id, item.letter.id)).for("update");
      if (!o || o.status !== "queued") return { ok: false as const, reason: "letter_printed" as const };
      const data = JSON.parse(services.pii.open(o.bodyEnc)) as LetterData;
      const next: LetterData = { ...data, name: input.name, postalCode: input.postalCode ?? data.postalCode ?? null, address: input.address ?? data.address ?? null, needsCheck: false };
      for (const field of ["name", "postalCode", "address"] as const) if ((next[field] ?? null) !== (data[field] ?? null)) changed.push(`letter.${field}`);
      const to = [next.postalCode ? `〒${next.postalCode}` : "", next.address ?? "", next.name ? `${next.name} 様` : ""].filter(Boolean).join(" ");
      await tx
        .update(outbox)
        .set({ bodyEnc: services.pii.seal(JSON.stringify(next)), toEnc: services.pii.seal(to), updatedAt: now })
        .where(eq(outbox.id, o.id));
      await services.audit.record(
        { actor, action: "letter.update", subjectType: "outbox", subjectId: o.id, ip: input.ip, detail: { fields: changed.filter((f) => f.startsWith("letter.")), checked: true, ivrCallId: item.id } },
        tx,
      );
    }
    const completed = await completeItem(services, { itemType: "ivr", itemId: item.id, operatorId: input.operatorId, outcome: changed.length > 0 ? "corrected" : "confirmed" }, tx);
    if (!completed) {
      // Roll back everything: the claim expired and may be someone else's now.
      throw new NotClaimedError();
    }
    await services.audit.record({ actor, action: "queue.complete", subjectType: "ivr_call", subjectId: item.id, ip: input.ip, detail: { queue: "ivr", fields: changed } }, tx);
    return { ok: true as const, changed };
  }).catch((error: unknown) => {
    if (error instanceof NotClaimedError) return { ok: false as const, reason: "not_claimed" as const };
    throw error;
  });
}

class NotClaimedError extends Error {
  constructor() {
    super("claim not held");
  }
}

// ————— the carrier exception item —————

export type CarrierItem = {
  id: string;
  kind: string;
  kindLabel: string;
  carrierCode: string | null;
  reasonCode: string | null;
  detail: Record<string, unknown>;
  createdAt: string;
  resolvedAt: string | null;
  resolution: string | null;
  application: { id: string; reference: string; status: string; lineId: string } | null;
  lineId: string | null;
  number: string | null;
  /** Active carriers, for "send to this carrier". */
  carriers: { code: string; nameJa: string }[];
};

export async function carrierItem(services: Pick<Services, "db">, id: string): Promise<CarrierItem | null> {
  const [row] = await services.db
    .select({ e: carrierExceptions, app: applications, c: cancellations })
    .from(carrierExceptions)
    .leftJoin(applications, eq(applications.id, carrierExceptions.applicationId))
    .leftJoin(cancellations, eq(cancellations.id, carrierExceptions.cancellationId))
    .where(eq(carrierExceptions.id, id));
  if (!row) return null;
  const lineId = row.app?.lineId ?? row.c?.lineId ?? null;
  const [line] = lineId ? await services.db.select({ e164: lines.e164 }).from(lines).where(eq(lines.id, lineId)) : [];
  const active = await services.db.select({ code: carriers.code, nameJa: carriers.nameJa }).from(carriers).where(eq(carriers.active, true)).orderBy(asc(carriers.code));
  return {
    id: row.e.id,
    kind: row.e.kind,
    kindLabel: EXCEPTION_LABELS[row.e.kind as ExceptionKind] ?? row.e.kind,
    carrierCode: row.e.carrierCode,
    reasonCode: row.e.reasonCode,
    detail: (row.e.detail ?? {}) as Record<string, unknown>,
    createdAt: row.e.createdAt.toISOString(),
    resolvedAt: row.e.resolvedAt?.toISOString() ?? null,
    resolution: row.e.resolution,
    application: row.app ? { id: row.app.id, reference: row.app.reference, status: row.app.status, lineId: row.app.lineId } : null,
    lineId,
    number: line ? formatDisplay(line.e164) : null,
    carriers: active,
  };
}

export type CarrierAction = "close" | "retry" | "resend";

export type CarrierResolveResult = { ok: true } | { ok: false; reason: "not_claimed" } | { ok: false; reason: "refused"; field: "note" | "carrierCode" | "form"; message: string };

/**
 * Resolves the exception the way the carrier-dispatch screens do (resolveException: close with a
 * note, plan again, or send to a carrier the operator chose), for the operator holding its claim, and
 * then completes the claim.
 */
export async function resolveCarrierItem(
  services: Services,
  input: { id: string; operatorId: string; action: CarrierAction; note: string; carrierCode?: string; ip?: string | null },
): Promise<CarrierResolveResult> {
  if (!(await holdsClaim(services, { itemType: "carrier", itemId: input.id, operatorId: input.operatorId }))) return { ok: false, reason: "not_claimed" };
  const result = await resolveException(
    services,
    input.action === "resend"
      ? { id: input.id, operatorId: input.operatorId, action: "resend", carrierCode: input.carrierCode ?? "", note: input.note, ip: input.ip, queue: "carrier" }
      : { id: input.id, operatorId: input.operatorId, action: input.action, note: input.note, ip: input.ip, queue: "carrier" },
  );
  if (!result.ok) return { ok: false, reason: "refused", field: result.field, message: result.message };
  await completeItem(services, { itemType: "carrier", itemId: input.id, operatorId: input.operatorId, outcome: input.action });
  return { ok: true };
}
