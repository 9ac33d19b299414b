/**
 * Results from carriers, through the API or the carrier pages: one file, one transaction.
 *
 * The file is parsed and validated against the batch's orders under a lock on the batch; any problem
 * refuses the whole file (nothing half-applied) with the line and field of each. A valid file updates
 * each order, the line's suspension state and the application:
 *   - SUSPEND DONE (or REJECTED ALREADY_SUSPENDED) → the scope is suspended;
 *   - SUSPEND REJECTED NOT_OUR_SUBSCRIBER → re-routed as inquiries to the carriers not asked yet;
 *   - INQUIRY ACCEPTED → a SUSPEND to that carrier (the other carriers' waiting inquiries are cancelled);
 *   - RESUME DONE → the scope is released, and the application resumed once every scope is;
 * and once nothing is open, the application is completed (and the applicant told by the channel they
 * used), or rejected with an exception for the back office. Sending the same file again changes nothing.
 */
import { createHash } from "node:crypto";
import { and, eq, inArray, ne, sql } from "drizzle-orm";
import type { DbOrTx, Tx } from "../../db/client";
import { applications, carrierBatchOrders, carrierBatches, carrierOrders, carrierResultUploads, carriers, lines } from "../../db/schema";
import { carrierQueueLock, waitingForBatch } from "./carrier-order-status.server";
import { transition, type ApplicationStatus } from "../domain/application-state";
import { applyDirectlyMessage, CARRIER_NAMES, isCarrierCode, SCOPE_DESCRIPTIONS, SCOPE_LABELS, type CarrierCode, type Scope } from "../domain/carriers";
import { decodeUpload, type OrderAction } from "../domain/carrier-files";
import { applicationOutcome, directOnlyOutcome, OPEN_ORDER_STATUSES, rerouteTargets, type OrderFacts, type OrderStatus } from "../domain/carrier-orders";
import {
  jstDate,
  parseResultsCsv,
  parseResultsJson,
  validateResults,
  type OrderForResult,
  type ReasonCode,
  type ResultCode,
  type ResultError,
  type ValidResult,
} from "../domain/carrier-results";
import { formatDisplay, parseJapaneseNumber } from "../domain/phone";
import { formatReference, speakableGroups } from "../domain/reference-number";
import { directReminderSentences } from "../domain/carrier-contacts";
import { centreContact } from "./centre-contact";
import { directReminderFor } from "./direct-reminder.server";
import { COMPLETION_LETTER_TEMPLATE, type CompletionLetterData } from "../../templates/letters/completion";
import { changeStatus, loadCapabilities, recordEvent } from "./applications.server";
import { insertOrder, openException, releasePendingSuspension, subjectOf } from "./carrier-orders.server";
import { applicationCompleted } from "./cancellations.server";
import type { Services } from "./services.server";

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export type UploadInput = {
  carrierCode: string;
  batchId: string;
  bytes: Uint8Array;
  /** The request's Content-Type (or the uploaded file's type); decides CSV or JSON and the charset. */
  contentType: string | null;
  fileName?: string | null;
  /** 'api-key:<id>' or 'carrier-user:<id>'. */
  actor: string;
  ip?: string | null;
};

export type UploadOutcome =
  | { ok: true; uploadId: string; records: number; applied: number; unchanged: number }
  | { ok: false; status: 404 | 413 | 422; errors: ResultError[]; uploadId?: string };

function formatOf(contentType: string | null, fileName: string | null | undefined, text: string): "csv" | "json" {
  const type = contentType?.toLowerCase() ?? "";
  if (type.includes("json")) return "json";
  if (type.includes("csv")) return "csv";
  if (fileName?.toLowerCase().endsWith(".json")) return "json";
  if (fileName?.toLowerCase().endsWith(".csv")) return "csv";
  return /^\s*[{[]/.test(text) ? "json" : "csv";
}

function charsetOf(contentType: string | null): string | null {
  return contentType?.match(/charset\s*=\s*"?([^";\s]+)/i)?.[1] ?? null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function uploadResults(services: Services, input: UploadInput): Promise<UploadOutcome> {
  if (input.bytes.byteLength > MAX_UPLOAD_BYTES) {
    return { ok: false, status: 413, errors: [{ line: 0, field: "file", code: "too_large", message: `ファイルが大きすぎます（${MAX_UPLOAD_BYTES / 1024 / 1024} MB まで）。` }] };
  }
  if (!UUID.test(input.batchId)) return { ok: false, status: 404, errors: [{ line: 0, field: "batch", code: "not_found", message: "バッチが見つかりません。" }] };
  const sha256 = createHash("sha256").update(input.bytes).digest("hex");
  const decoded = decodeUpload(input.bytes, charsetOf(input.contentType));
  const format = decoded ? formatOf(input.contentType, input.fileName, decoded.text) : "csv";
  const parsed = !decoded
    ? { ok: false as const, errors: [{ line: 0, field: "file", code: "bad_encoding", message: "文字コードを読めません。UTF-8 か Shift_JIS で保存してください。" }] }
    : format === "json"
      ? parseResultsJson(decoded.text)
      : parseResultsCsv(decoded.text);
  const now = services.now();

  return services.db.transaction(async (tx): Promise<UploadOutcome> => {
    // One upload per batch at a time: the second sees the first one's results and finds them unchanged.
    const [batch] = await tx
      .select()
      .from(carrierBatches)
      .where(and(eq(carrierBatches.id, input.batchId), eq(carrierBatches.carrierCode, input.carrierCode), ne(carrierBatches.status, "cutting")))
      .for("update");
    if (!batch) return { ok: false, status: 404, errors: [{ line: 0, field: "batch", code: "not_found", message: "バッチが見つかりません。" }] };

    const reject = async (errors: ResultError[]): Promise<UploadOutcome> => {
      const [row] = await tx
        .insert(carrierResultUploads)
        .values({ batchId: batch.id, carrierCode: input.carrierCode, actor: input.actor, format, sha256, status: "rejected", errorCount: errors.length, createdAt: now })
        .returning({ id: carrierResultUploads.id });
      return { ok: false, status: 422, errors, uploadId: row!.id };
    };
    if (!parsed.ok) return reject(parsed.errors);

    const ids = [...new Set(parsed.rows.map((r) => r.recordId.toLowerCase()).filter((id) => UUID.test(id)))];
    const orderRows =
      ids.length === 0
        ? []
        : await tx
            .select()
            .from(carrierOrders)
            .where(
              and(
                inArray(carrierOrders.id, ids),
                sql`exists (select 1 from carrier_batch_orders cbo where cbo.order_id = ${carrierOrders.id} and cbo.batch_id = ${batch.id})`,
              ),
            )
            .for("update");
    const orders = new Map<string, OrderForResult>(
      orderRows.map((o) => [
        o.id,
        {
          id: o.id,
          action: o.action as OrderAction,
          resultCode: (o.resultCode as ResultCode | null) ?? null,
          reasonCode: (o.reasonCode as ReasonCode | null) ?? null,
          effectiveDate: o.effectiveDate ?? null,
        },
      ]),
    );
    const validation = validateResults(parsed.rows, { orders, cutDate: jstDate(batch.cutAt), today: jstDate(now) });
    if (!validation.ok) return reject(validation.errors);

    const byId = new Map(orderRows.map((o) => [o.id, o]));
    const touchedApplications = new Set<string>();
    const reroutedApplications = new Map<string, string[]>();
    const touchedCancellations = new Set<string>();
    let applied = 0;
    let unchanged = 0;
    for (const result of validation.results) {
      if (result.unchanged) {
        unchanged++;
        continue;
      }
      const order = byId.get(result.orderId)!;
      const effect = await applyResult(tx, services, order, result, input.carrierCode, now);
      applied++;
      if (order.applicationId && order.action !== "RESUME") touchedApplications.add(order.applicationId);
      if (order.cancellationId && order.action === "RESUME") touchedCancellations.add(order.cancellationId);
      if (effect.reroutedTo.length > 0 && order.applicationId) {
        reroutedApplications.set(order.applicationId, [...(reroutedApplications.get(order.applicationId) ?? []), ...effect.reroutedTo]);
      }
    }
    for (const applicationId of touchedApplications) {
      await settleApplication(tx, services, applicationId, reroutedApplications.get(applicationId) ?? [], input.carrierCode, now);
    }
    for (const cancellationId of touchedCancellations) await settleResumption(tx, cancellationId, input.carrierCode, now);

    if (applied > 0) {
      const [open] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(carrierOrders)
        .innerJoin(carrierBatchOrders, eq(carrierBatchOrders.orderId, carrierOrders.id))
        .where(and(eq(carrierBatchOrders.batchId, batch.id), sql`${carrierOrders.resultCode} is null`));
      const answered = Number(open?.n ?? 0) === 0;
      await tx
        .update(carrierBatches)
        .set({
          resultsAt: now,
          sentAt: batch.sentAt ?? now,
          ...(answered ? { status: "answered", answeredAt: batch.answeredAt ?? now } : batch.status === "ready" ? { status: "sent" } : {}),
        })
        .where(eq(carrierBatches.id, batch.id));
    }
    const [row] = await tx
      .insert(carrierResultUploads)
      .values({
        batchId: batch.id,
        carrierCode: input.carrierCode,
        actor: input.actor,
        format,
        sha256,
        status: "applied",
        recordCount: validation.results.length,
        appliedCount: applied,
        unchangedCount: unchanged,
        createdAt: now,
      })
      .returning({ id: carrierResultUploads.id });
    await services.audit.record(
      {
        actor: input.actor,
        action: "carrier_results.upload",
        subjectType: "carrier_batch",
        subjectId: batch.id,
        ip: input.ip ?? null,
        detail: { carrier: input.carrierCode, sequence: batch.sequence, records: validation.results.length, applied, unchanged },
      },
      tx,
    );
    return { ok: true, uploadId: row!.id, records: validation.results.length, applied, unchanged };
  });
}

type OrderRow = typeof carrierOrders.$inferSelect;

const SUSPENSION_COLUMN = { outgoing: "outgoingSuspension", incoming: "incomingSuspension" } as const;

async function setSuspension(tx: DbOrTx, lineId: string, scope: Scope, to: "none" | "pending" | "active" | "resuming", from: readonly string[], now: Date) {
  const column = SUSPENSION_COLUMN[scope];
  await tx
    .update(lines)
    .set({ [column]: to, updatedAt: now })
    .where(and(eq(lines.id, lineId), inArray(lines[column], [...from])));
}

const STATUS_OF_RESULT: Record<ResultCode, OrderStatus> = { DONE: "done", REJECTED: "rejected", ACCEPTED: "accepted" };

async function applyResult(
  tx: Tx,
  services: Services,
  order: OrderRow,
  result: ValidResult,
  carrierCode: string,
  now: Date,
): Promise<{ reroutedTo: string[] }> {
  const scope = order.scope as Scope;
  await tx
    .update(carrierOrders)
    .set({
      status: STATUS_OF_RESULT[result.result],
      resultCode: result.result,
      reasonCode: result.reasonCode,
      effectiveDate: result.effectiveDate,
      resultAt: now,
      // The carrier's note may name people: sealed like every other free text.
      resultDetail: { line: result.line, ...(result.note ? { noteEnc: services.pii.seal(result.note) } : {}) },
      updatedAt: now,
    })
    .where(and(eq(carrierOrders.id, order.id), sql`${carrierOrders.resultCode} is null`));

  const action = order.action as OrderAction;
  if (action === "RESUME") {
    if (result.result === "DONE") await setSuspension(tx, order.lineId, scope, "none", ["resuming", "active"], now);
    else {
      await setSuspension(tx, order.lineId, scope, "active", ["resuming"], now);
      await openException(
        tx,
        {
          dedupeKey: `resume_rejected:order:${order.id}`,
          kind: "resume_rejected",
          applicationId: order.applicationId,
          cancellationId: order.cancellationId,
          orderId: order.id,
          carrierCode,
          reasonCode: result.reasonCode,
          detail: { scope },
        },
        now,
      );
    }
    return { reroutedTo: [] };
  }

  if (action === "SUSPEND") {
    if (result.result === "DONE" || result.reasonCode === "ALREADY_SUSPENDED") {
      await setSuspension(tx, order.lineId, scope, "active", ["none", "pending"], now);
      if (isCarrierCode(carrierCode)) await tx.update(lines).set({ carrierCode, updatedAt: now }).where(eq(lines.id, order.lineId));
      return { reroutedTo: [] };
    }
    if (result.reasonCode === "NOT_OUR_SUBSCRIBER" && order.applicationId) {
      return { reroutedTo: await reroute(tx, services, order, now) };
    }
    return { reroutedTo: [] };
  }

  // INQUIRY
  if (result.result === "ACCEPTED" && order.applicationId) await acceptInquiry(tx, services, order, carrierCode, now);
  return { reroutedTo: [] };
}

/** After "not our subscriber" on a SUSPEND: inquiries to the carriers not asked yet for this scope. */
async function reroute(tx: Tx, services: Services, order: OrderRow, now: Date): Promise<string[]> {
  const [app] = await tx.select().from(applications).where(eq(applications.id, order.applicationId!));
  if (!app) return [];
  const scope = order.scope as Scope;
  const asked = await tx
    .select({ carrier: carrierOrders.carrierCode })
    .from(carrierOrders)
    .where(and(eq(carrierOrders.applicationId, app.id), eq(carrierOrders.scope, scope), inArray(carrierOrders.action, ["SUSPEND", "INQUIRY"])));
  const activeCarriers = new Set((await tx.select({ code: carriers.code }).from(carriers).where(eq(carriers.active, true))).map((c) => c.code));
  const targets = rerouteTargets({
    scope,
    prefecture: app.prefecture ?? order.prefecture,
    line: order.e164,
    capabilities: await loadCapabilities(tx),
    alreadyAsked: asked.map((a) => a.carrier),
  }).filter((carrier) => activeCarriers.has(carrier));
  const subject = subjectOf(services, app);
  for (const carrier of targets) {
    await insertOrder(
      tx,
      services,
      {
        carrier,
        lineId: order.lineId,
        e164: order.e164,
        prefecture: order.prefecture,
        action: "INQUIRY",
        scope,
        request: { kind: "application", id: app.id },
        requestRef: app.reference,
        applicationId: app.id,
        subject: { kana: subject.kana },
      },
      now,
    );
  }
  return targets;
}

/** The owner answered an inquiry: it gets the SUSPEND; the others' waiting inquiries are withdrawn. */
async function acceptInquiry(tx: Tx, services: Services, order: OrderRow, carrierCode: string, now: Date): Promise<void> {
  const [app] = await tx.select().from(applications).where(eq(applications.id, order.applicationId!)).for("update");
  if (!app) return;
  const scope = order.scope as Scope;
  // The same application's inquiries for this scope to the other carriers.
  const othersInquiries = and(
    eq(carrierOrders.applicationId, app.id),
    eq(carrierOrders.scope, scope),
    eq(carrierOrders.action, "INQUIRY"),
    ne(carrierOrders.carrierCode, carrierCode),
  );
  const otherAccepted = await tx
    .select({ id: carrierOrders.id, carrier: carrierOrders.carrierCode })
    .from(carrierOrders)
    .where(and(othersInquiries, eq(carrierOrders.status, "accepted")));
  if (otherAccepted.length > 0) {
    await openException(
      tx,
      {
        dedupeKey: `conflict:application:${app.id}:${scope}`,
        kind: "conflict",
        applicationId: app.id,
        orderId: order.id,
        carrierCode,
        detail: { scope, carriers: [carrierCode, ...otherAccepted.map((o) => o.carrier)] },
      },
      now,
    );
    return;
  }
  await insertOrder(
    tx,
    services,
    {
      carrier: carrierCode,
      lineId: order.lineId,
      e164: order.e164,
      prefecture: order.prefecture,
      action: "SUSPEND",
      scope,
      request: { kind: "application", id: app.id },
      requestRef: app.reference,
      applicationId: app.id,
      subject: subjectOf(services, app),
    },
    now,
  );
  // The other carriers' inquiries still waiting for a batch are withdrawn. A cut of one of those
  // carriers may be taking them right now (it does not update the orders, ADR 027): wait for it under
  // its lock, then cancel only what is still outside every batch.
  const others = await tx
    .selectDistinct({ code: carrierOrders.carrierCode })
    .from(carrierOrders)
    .where(and(othersInquiries, eq(carrierOrders.status, "pending")));
  for (const code of others.map((o) => o.code).sort()) await tx.execute(carrierQueueLock(code));
  await tx
    .update(carrierOrders)
    .set({ status: "cancelled", updatedAt: now })
    .where(and(othersInquiries, waitingForBatch));
  await tx.update(applications).set({ carrierCode, updatedAt: now }).where(eq(applications.id, app.id));
  if (isCarrierCode(carrierCode)) await tx.update(lines).set({ carrierCode, updatedAt: now }).where(eq(lines.id, order.lineId));
  await recordEvent(tx, { applicationId: app.id, type: "carrier_found", actor: `carrier:${carrierCode}`, detail: { carrier: carrierCode, scope }, at: now });
}

/** Moves an application to `target` along legal transitions, with an event for each step. */
async function moveTo(
  tx: Tx,
  input: { applicationId: string; from: ApplicationStatus; to: "completed" | "rejected" | "queued"; actor: string; type: string; detail: Record<string, unknown>; at: Date },
): Promise<void> {
  const steps: ApplicationStatus[] = [];
  let current = input.from;
  // queued → sent first: an order that comes back must have gone out.
  if (current === "queued" && input.to !== "queued") steps.push((current = "sent"));
  if (input.to === "queued" && current !== "rejected") steps.push((current = "rejected"));
  steps.push(input.to);
  let from = input.from;
  for (const to of steps) {
    transition(from, to);
    await changeStatus(tx, { applicationId: input.applicationId, from, to, actor: input.actor, type: to === input.to ? input.type : to, detail: input.detail, at: input.at });
    from = to;
  }
}

const IN_FLIGHT: readonly ApplicationStatus[] = ["queued", "sent", "acknowledged"];

async function settleApplication(tx: Tx, services: Services, applicationId: string, reroutedTo: string[], carrierCode: string, now: Date): Promise<void> {
  const [app] = await tx.select().from(applications).where(eq(applications.id, applicationId)).for("update");
  if (!app || !IN_FLIGHT.includes(app.status as ApplicationStatus)) return;
  const status = app.status as ApplicationStatus;
  const rows = await tx
    .select()
    .from(carrierOrders)
    .where(and(eq(carrierOrders.applicationId, app.id), inArray(carrierOrders.action, ["SUSPEND", "INQUIRY"]), ne(carrierOrders.status, "cancelled")));
  const facts: OrderFacts[] = rows.map((o) => ({
    id: o.id,
    carrier: o.carrierCode,
    action: o.action as OrderAction,
    scope: o.scope as Scope,
    status: o.status as OrderStatus,
    resultCode: (o.resultCode as ResultCode | null) ?? null,
    reasonCode: (o.reasonCode as ReasonCode | null) ?? null,
  }));
  const scopes = app.scopes as Scope[];
  const outcome = applicationOutcome(facts, scopes);
  const actor = `carrier:${carrierCode}`;

  if (outcome.kind === "open") {
    if (reroutedTo.length > 0 && status !== "queued") {
      // "Not our subscriber": the application is rejected by that carrier and goes on to the others.
      await moveTo(tx, { applicationId: app.id, from: status, to: "queued", actor, type: "rerouted", detail: { reason: "NOT_OUR_SUBSCRIBER", carriers: [...new Set(reroutedTo)] }, at: now });
    }
    return;
  }
  if (outcome.kind === "completed") {
    const effectiveDate =
      rows
        .filter((o) => o.action === "SUSPEND" && o.effectiveDate)
        .map((o) => o.effectiveDate!)
        .sort()
        .at(-1) ?? jstDate(now);
    await moveTo(tx, { applicationId: app.id, from: status, to: "completed", actor, type: "completed", detail: { scopes: outcome.scopes, effectiveDate }, at: now });
    await notifyCompletion(tx, services, app, outcome.scopes, effectiveDate);
    // A withdrawal still open now becomes a resumption request (it still needs the subscriber's 1 and the cooling-off).
    await applicationCompleted(services, tx, app.id, actor);
    return;
  }
  // Done for what the centre can do: the owner does not take the failed scopes through the centre.
  const direct = directOnlyOutcome(facts, outcome, await loadCapabilities(tx));
  if (direct) {
    const effectiveDate =
      rows
        .filter((o) => o.action === "SUSPEND" && o.effectiveDate)
        .map((o) => o.effectiveDate!)
        .sort()
        .at(-1) ?? jstDate(now);
    await moveTo(tx, {
      applicationId: app.id,
      from: status,
      to: "completed",
      actor,
      type: "completed",
      detail: { scopes: direct.scopes, effectiveDate, directOnly: direct.directOnly, owner: direct.owner },
      at: now,
    });
    for (const scope of direct.directOnly) await releasePendingSuspension(tx, app.lineId, scope, now);
    await notifyCompletion(tx, services, app, direct.scopes, effectiveDate, { owner: direct.owner, scopes: direct.directOnly });
    await applicationCompleted(services, tx, app.id, actor);
    return;
  }
  // Failed: nothing open and a scope not suspended. The back office takes it from here.
  const failed = rows.filter((o) => outcome.failedScopes.includes(o.scope as Scope) && (o.status === "rejected" || o.status === "accepted"));
  // Nobody owns the line: every carrier asked said "not our subscriber" (directly or to an inquiry).
  const onlyInquiries = failed.length > 0 && failed.every((o) => o.status === "rejected" && o.reasonCode === "NOT_OUR_SUBSCRIBER");
  const reasons = [...new Set(failed.map((o) => o.reasonCode).filter((r): r is string => !!r))];
  const lastOrder = [...failed].sort((a, b) => (a.resultAt?.getTime() ?? 0) - (b.resultAt?.getTime() ?? 0)).at(-1);
  await moveTo(tx, {
    applicationId: app.id,
    from: status,
    to: "rejected",
    actor,
    type: "rejected",
    detail: { failedScopes: outcome.failedScopes, satisfiedScopes: outcome.satisfiedScopes, reasons },
    at: now,
  });
  await openException(
    tx,
    {
      dedupeKey: `${onlyInquiries ? "no_carrier" : "rejected"}:application:${app.id}:${lastOrder?.id ?? "none"}`,
      kind: onlyInquiries ? "no_carrier" : "rejected",
      applicationId: app.id,
      orderId: lastOrder?.id ?? null,
      carrierCode: lastOrder?.carrierCode ?? carrierCode,
      reasonCode: reasons[0] ?? null,
      detail: { failedScopes: outcome.failedScopes, satisfiedScopes: outcome.satisfiedScopes, reasons },
    },
    now,
  );
  for (const scope of outcome.failedScopes) await releasePendingSuspension(tx, app.lineId, scope, now);
}

/** Once every RESUME order of an approved resumption is done, the application is resumed. */
async function settleResumption(tx: Tx, cancellationId: string, carrierCode: string, now: Date): Promise<void> {
  const rows = await tx
    .select({ status: carrierOrders.status, applicationId: carrierOrders.applicationId, scope: carrierOrders.scope })
    .from(carrierOrders)
    .where(and(eq(carrierOrders.cancellationId, cancellationId), eq(carrierOrders.action, "RESUME")));
  if (rows.length === 0 || rows.some((r) => OPEN_ORDER_STATUSES.includes(r.status as OrderStatus))) return;
  if (!rows.every((r) => r.status === "done")) return;
  const applicationId = rows.find((r) => r.applicationId)?.applicationId;
  if (!applicationId) return;
  const [app] = await tx.select({ status: applications.status }).from(applications).where(eq(applications.id, applicationId)).for("update");
  if (app?.status !== "completed") return;
  await changeStatus(tx, {
    applicationId,
    from: "completed",
    to: "resumed",
    actor: `carrier:${carrierCode}`,
    type: "resumed",
    detail: { cancellationId, scopes: rows.map((r) => r.scope) },
    at: now,
  });
}

const MOBILE_PREFIXES = ["070", "080", "090"];

/** A contact number the applicant gave that is a Japanese mobile, in E.164; otherwise null. */
export function mobileNumberOf(contact: string | null): string | null {
  if (!contact) return null;
  const parsed = parseJapaneseNumber(contact);
  if (parsed.ok || parsed.reason !== "mobile") return null;
  const digits = contact.replace(/[^\d+]/g, "");
  const national = digits.startsWith("+81") ? `0${digits.slice(3)}` : digits;
  if (!MOBILE_PREFIXES.some((p) => national.startsWith(p)) || national.length !== 11) return null;
  return `+81${national.slice(1)}`;
}

function spelledDigits(text: string): string {
  return text.split("").join("、");
}

/**
 * Tells the applicant, by the channel they used: IVR applicants get a call to the line; others an SMS
 * when their contact number is a mobile, else the completion letter (print queue), else a call.
 */
export async function notifyCompletion(
  tx: DbOrTx,
  services: Services,
  app: typeof applications.$inferSelect,
  scopes: Scope[],
  effectiveDate: string,
  /** Scopes the line's carrier does not take through the centre: the applicant asks it directly. */
  directOnly?: { owner: CarrierCode; scopes: Scope[] },
): Promise<"call" | "sms" | "letter"> {
  // Issue 15, point 4: scopes refused at intake (NTT 発信休止) or found direct-only later, with the carrier's number.
  const reminder = await directReminderFor(tx, app.id);
  const reminderText = reminder ? directReminderSentences(reminder) : null;
  const directNote = reminderText
    ? reminderText.sentences.join("")
    : directOnly
      ? directOnly.scopes.map((scope) => applyDirectlyMessage(directOnly.owner, scope)).join("")
      : "";
  const [line] = await tx.select({ e164: lines.e164 }).from(lines).where(eq(lines.id, app.lineId));
  const number = formatDisplay(line!.e164);
  const scopeLabels = scopes.map((s) => SCOPE_LABELS[s]);
  const base = { idempotencyKey: `carrier-completion:${app.id}`, purpose: "completion", applicationId: app.id };
  const [y, m, d] = effectiveDate.split("-").map(Number);
  const spokenDate = `${y}年${m}月${d}日`;
  const callText = () =>
    `こちらは、国際電話不取扱受付センターです。お申し込みいただいた、国際電話を止める手続きが、終わりました。${spokenDate}から、外国との電話が止まっています。受付番号は、${speakableGroups(app.reference).map(spelledDigits).join("、の、")}、です。日本の中の電話は、これまでどおり使えます。${directNote}`;

  if (app.channel === "ivr") {
    await services.comms.queueCall({ ...base, to: line!.e164, content: { kind: "say", text: `${callText()}もう一度、くりかえします。${callText()}` } }, tx);
    return "call";
  }
  const mobile = mobileNumberOf(services.pii.openNullable(app.contactPhoneEnc));
  if (mobile) {
    await services.comms.queueSms(
      {
        ...base,
        to: mobile,
        body: `【国際電話不取扱受付センター】${number} の国際電話を止める手続きが終わりました（${scopeLabels.join("・")}、${spokenDate}から）。受付番号 ${formatReference(app.reference)}${directNote ? ` ${directNote}` : ""}`,
      },
      tx,
    );
    return "sms";
  }
  const postalCode = services.pii.openNullable(app.postalCodeEnc);
  const address = services.pii.openNullable(app.addressEnc);
  const name = services.pii.openNullable(app.subscriberNameEnc);
  if (postalCode && address && name) {
    const carrier = app.carrierCode && isCarrierCode(app.carrierCode) ? CARRIER_NAMES[app.carrierCode as CarrierCode] : null;
    const data: CompletionLetterData = {
      reference: app.reference,
      referenceDisplay: formatReference(app.reference),
      number,
      scopes: scopeLabels,
      scopeDescriptions: [...scopes.map((s) => SCOPE_DESCRIPTIONS[s]), ...(directNote && !reminderText ? [directNote] : [])],
      directReminder: reminderText,
      centre: centreContact(services.config),
      effectiveDate,
      carrierName: carrier,
      subscriberName: name,
      postalCode,
      address,
      centrePhone: formatDisplay(services.config.centrePhoneNumber),
      preparedAt: services.now().toISOString(),
    };
    await services.comms.queueLetter(
      { ...base, to: [`〒${postalCode}`, address, `${name} 様`].join(" "), template: COMPLETION_LETTER_TEMPLATE, data: data as unknown as Record<string, unknown> },
      tx,
    );
    return "letter";
  }
  await services.comms.queueCall({ ...base, to: line!.e164, content: { kind: "say", text: callText() } }, tx);
  return "call";
}
