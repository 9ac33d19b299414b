/**
 * Order planning: the only place carrier orders are made.
 *
 *  - verified applications → SUSPEND per accepted scope to the routed carrier, or INQUIRY to every
 *    candidate when the applicant did not know the carrier; the application moves verified → queued in
 *    the same transaction;
 *  - approved resumptions (status approved, kind resumption, subscriber confirmation on record, all
 *    three checked again under a row lock) → RESUME per suspended scope to the line's carrier;
 *  - withdrawn applications → their orders still waiting for a batch are cancelled.
 *
 * Every order has an idempotency key (domain/carrier-orders.ts) that is unique in the database, and
 * each application is planned in its own transaction under a row lock, so a retried, doubled or
 * crashed job never makes a second order. Applications created by any channel simply sit in
 * `verified`; the sweep (JOB_NAMES.planCarrierOrders, every minute) picks them up.
 */
import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { applications, cancellations, carrierExceptions, carrierOrders, carriers, lines } from "../../db/schema";
import { waitingForBatch } from "./carrier-order-status.server";
import type { ApplicationStatus } from "../domain/application-state";
import { routeApplication, type CarrierChoice, type Scope } from "../domain/carriers";
import type { OrderAction } from "../domain/carrier-files";
import { orderIdempotencyKey, type ExceptionKind, type OrderRequest } from "../domain/carrier-orders";
import { changeStatus, COVERING_STATUSES, loadCapabilities, recordEvent } from "./applications.server";
import { JOB_NAMES } from "./jobs";
import type { Services } from "./services.server";

/**
 * Who the order is for, as the carrier's file gives it: name, kana and installation address, sealed in
 * the order. Advisory; `unverified` marks what was heard or read by machine (ADR 015, ADR 025).
 */
export type Subject = { name?: string | null; kana?: string | null; address?: string | null; unverified?: boolean };

export type NewOrder = {
  carrier: string;
  lineId: string;
  e164: string;
  prefecture: number | null;
  action: OrderAction;
  scope: Scope;
  request: OrderRequest;
  requestRef: string | null;
  applicationId?: string | null;
  cancellationId?: string | null;
  subject: Subject | null;
};

/** Inserts an order unless its idempotency key exists; returns the order's id either way. */
export async function insertOrder(tx: DbOrTx, services: Pick<Services, "pii">, order: NewOrder, now: Date): Promise<{ id: string; created: boolean }> {
  const idempotencyKey = orderIdempotencyKey({ lineId: order.lineId, action: order.action, scope: order.scope, request: order.request, carrier: order.carrier });
  const subject =
    order.subject && (order.subject.name || order.subject.kana || order.subject.address)
      ? JSON.stringify({
          name: order.subject.name ?? "",
          kana: order.subject.kana ?? "",
          ...(order.subject.address ? { address: order.subject.address } : {}),
          ...(order.subject.unverified ? { unverified: true } : {}),
        })
      : null;
  const inserted = await tx
    .insert(carrierOrders)
    .values({
      carrierCode: order.carrier,
      lineId: order.lineId,
      applicationId: order.applicationId ?? null,
      cancellationId: order.cancellationId ?? null,
      action: order.action,
      scope: order.scope,
      status: "pending",
      idempotencyKey,
      e164: order.e164,
      prefecture: order.prefecture,
      requestRef: order.requestRef,
      subjectEnc: subject ? services.pii.seal(subject) : null,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: carrierOrders.idempotencyKey })
    .returning({ id: carrierOrders.id });
  if (inserted[0]) return { id: inserted[0].id, created: true };
  const [existing] = await tx.select({ id: carrierOrders.id }).from(carrierOrders).where(eq(carrierOrders.idempotencyKey, idempotencyKey));
  return { id: existing!.id, created: false };
}

export type NewException = {
  dedupeKey: string;
  kind: ExceptionKind;
  applicationId?: string | null;
  cancellationId?: string | null;
  orderId?: string | null;
  carrierCode?: string | null;
  reasonCode?: string | null;
  detail?: Record<string, unknown>;
  /** Open the exception again if it exists and was resolved (e.g. still not routable after a retry). */
  reopen?: boolean;
};

/** Records an exception for the back office, once per dedupe key. */
export async function openException(tx: DbOrTx, input: NewException, now: Date): Promise<void> {
  const values = {
    dedupeKey: input.dedupeKey,
    kind: input.kind,
    applicationId: input.applicationId ?? null,
    cancellationId: input.cancellationId ?? null,
    orderId: input.orderId ?? null,
    carrierCode: input.carrierCode ?? null,
    reasonCode: input.reasonCode ?? null,
    detail: input.detail ?? {},
    createdAt: now,
  };
  if (input.reopen) {
    await tx
      .insert(carrierExceptions)
      .values(values)
      .onConflictDoUpdate({
        target: carrierExceptions.dedupeKey,
        set: { resolvedAt: null, resolvedBy: null, resolution: null, resolutionNoteEnc: null, detail: values.detail, createdAt: now },
      });
    return;
  }
  await tx.insert(carrierExceptions).values(values).onConflictDoNothing({ target: carrierExceptions.dedupeKey });
}

/** The subscriber's name, kana and address as carriers need them (opened from the application, to be sealed into the order). */
export function subjectOf(
  services: Pick<Services, "pii">,
  app: { subscriberNameEnc: string | null; subscriberKanaEnc: string | null; addressEnc: string | null; subscriberNameUnverified?: boolean },
): Subject {
  return {
    name: services.pii.openNullable(app.subscriberNameEnc),
    kana: services.pii.openNullable(app.subscriberKanaEnc),
    address: services.pii.openNullable(app.addressEnc),
    ...(app.subscriberNameUnverified ? { unverified: true } : {}),
  };
}

export type PlanResult = { queued: number; orders: number; resumptions: number; cancelled: number; exceptions: number };

type PlanOneResult = { kind: "queued"; orders: number; carriers: string[] } | { kind: "skipped" } | { kind: "exception" };

/** Plans one verified application in its own transaction. Safe to run twice, or concurrently. */
export async function planApplication(services: Services, applicationId: string): Promise<PlanOneResult> {
  const now = services.now();
  return services.db.transaction(async (tx): Promise<PlanOneResult> => {
    // SKIP LOCKED: a second planner working on the same application moves on; the first one finishes it.
    const [app] = await tx
      .select()
      .from(applications)
      .where(and(eq(applications.id, applicationId), eq(applications.status, "verified")))
      .for("update", { skipLocked: true });
    if (!app) return { kind: "skipped" };
    const [line] = await tx.select().from(lines).where(eq(lines.id, app.lineId));
    if (!line) throw new Error(`application ${app.id} has no line`);
    const capabilities = await loadCapabilities(tx);
    const scopes = app.scopes as Scope[];
    const route = routeApplication({ choice: app.carrierChoice as CarrierChoice, prefecture: app.prefecture, line: line.e164, scopes, capabilities });
    const activeCarriers = new Set((await tx.select({ code: carriers.code }).from(carriers).where(eq(carriers.active, true))).map((c) => c.code));

    const planned: NewOrder[] = [];
    const request: OrderRequest = { kind: "application", id: app.id };
    const base = { lineId: line.id, e164: line.e164, prefecture: app.prefecture ?? line.prefecture, request, requestRef: app.reference, applicationId: app.id };
    const subject = subjectOf(services, app);
    if (route.kind === "direct" && activeCarriers.has(route.carrier)) {
      for (const scope of route.acceptedScopes) planned.push({ ...base, carrier: route.carrier, action: "SUSPEND", scope, subject });
    } else if (route.kind === "inquiry") {
      for (const carrier of route.candidates) {
        if (!activeCarriers.has(carrier)) continue;
        // An inquiry goes to carriers that may not own the line: the number and the kana only.
        for (const scope of route.acceptedScopesByCarrier[carrier] ?? []) {
          planned.push({ ...base, carrier, action: "INQUIRY", scope, subject: { kana: subject.kana, unverified: subject.unverified } });
        }
      }
    }
    if (planned.length === 0) {
      await openException(
        tx,
        {
          dedupeKey: `not_routable:application:${app.id}`,
          kind: "not_routable",
          applicationId: app.id,
          detail: { route: route.kind, scopes, choice: app.carrierChoice, prefecture: app.prefecture },
          reopen: true,
        },
        now,
      );
      return { kind: "exception" };
    }
    for (const order of planned) await insertOrder(tx, services, order, now);
    const carriersUsed = [...new Set(planned.map((o) => o.carrier))];
    await changeStatus(tx, {
      applicationId: app.id,
      from: "verified",
      to: "queued",
      actor: "system",
      type: "queued",
      detail: { orders: planned.map((o) => ({ carrier: o.carrier, action: o.action, scope: o.scope })) },
      at: now,
    });
    if (route.kind === "direct" && line.carrierCode !== route.carrier) {
      await tx.update(lines).set({ carrierCode: route.carrier, updatedAt: now }).where(eq(lines.id, line.id));
    }
    return { kind: "queued", orders: planned.length, carriers: carriersUsed };
  });
}

const SUSPENSION_COLUMN = { outgoing: "outgoingSuspension", incoming: "incomingSuspension" } as const;

/**
 * Plans the RESUME orders of one approved resumption. The three conditions are checked again here,
 * under a row lock, whatever the caller checked: a RESUME turns international calls back on.
 */
export async function planResumption(services: Services, cancellationId: string): Promise<"planned" | "skipped" | "exception"> {
  const now = services.now();
  return services.db.transaction(async (tx) => {
    const [cancellation] = await tx
      .select()
      .from(cancellations)
      .where(
        and(
          eq(cancellations.id, cancellationId),
          eq(cancellations.status, "approved"),
          eq(cancellations.kind, "resumption"),
          sql`${cancellations.subscriberConfirmedAt} is not null`,
        ),
      )
      .for("update", { skipLocked: true });
    if (!cancellation || !cancellation.subscriberConfirmedAt) return "skipped";
    const already = await tx.select({ id: carrierOrders.id }).from(carrierOrders).where(eq(carrierOrders.cancellationId, cancellation.id)).limit(1);
    if (already.length > 0) return "skipped";
    const [line] = await tx.select().from(lines).where(eq(lines.id, cancellation.lineId)).for("update");
    if (!line) throw new Error(`cancellation ${cancellation.id} has no line`);

    // The application whose suspension is released: the one named, else the line's latest completed one.
    const named = cancellation.applicationId
      ? await tx.select().from(applications).where(eq(applications.id, cancellation.applicationId))
      : [];
    const [app] =
      named.length > 0
        ? named
        : await tx
            .select()
            .from(applications)
            .where(and(eq(applications.lineId, line.id), eq(applications.status, "completed")))
            .orderBy(desc(applications.createdAt))
            .limit(1);
    const scopes = (["outgoing", "incoming"] as const).filter((scope) => line[SUSPENSION_COLUMN[scope]] === "active");
    const carrier = line.carrierCode ?? app?.carrierCode ?? null;
    if (scopes.length === 0 || !carrier) {
      await openException(
        tx,
        {
          dedupeKey: `resume_not_possible:cancellation:${cancellation.id}`,
          kind: "resume_not_possible",
          cancellationId: cancellation.id,
          applicationId: app?.id ?? null,
          carrierCode: carrier,
          detail: { activeScopes: scopes, carrierKnown: carrier !== null },
        },
        now,
      );
      return "exception";
    }
    const subject = app ? subjectOf(services, app) : null;
    for (const scope of scopes) {
      await insertOrder(
        tx,
        services,
        {
          carrier,
          lineId: line.id,
          e164: line.e164,
          prefecture: line.prefecture,
          action: "RESUME",
          scope,
          request: { kind: "cancellation", id: cancellation.id },
          requestRef: cancellation.reference,
          applicationId: app?.id ?? null,
          cancellationId: cancellation.id,
          subject,
        },
        now,
      );
      await tx
        .update(lines)
        .set({ [SUSPENSION_COLUMN[scope]]: "resuming", updatedAt: now })
        .where(and(eq(lines.id, line.id), eq(lines[SUSPENSION_COLUMN[scope]], "active")));
    }
    if (app) {
      await recordEvent(tx, {
        applicationId: app.id,
        type: "resume_ordered",
        actor: "system",
        detail: { cancellationId: cancellation.id, carrier, scopes },
        at: now,
      });
    }
    return "planned";
  });
}

/** Orders of withdrawn applications that have not been cut into a batch are cancelled. */
export async function cancelWithdrawnOrders(services: Services): Promise<number> {
  const now = services.now();
  return services.db.transaction(async (tx) => {
    const cancelled = await tx
      .update(carrierOrders)
      .set({ status: "cancelled", updatedAt: now })
      .where(
        and(
          // Never one in a batch: a cut refuses the orders of withdrawn applications (CutRaceError).
          waitingForBatch,
          sql`${carrierOrders.applicationId} in (select ${applications.id} from ${applications} where ${applications.status} = 'withdrawn')`,
        ),
      )
      .returning({ id: carrierOrders.id, applicationId: carrierOrders.applicationId, lineId: carrierOrders.lineId, scope: carrierOrders.scope, action: carrierOrders.action });
    const byApplication = new Map<string, typeof cancelled>();
    for (const row of cancelled) {
      if (!row.applicationId) continue;
      byApplication.set(row.applicationId, [...(byApplication.get(row.applicationId) ?? []), row]);
    }
    for (const [applicationId, rows] of byApplication) {
      await recordEvent(tx, { applicationId, type: "carrier_orders_cancelled", actor: "system", detail: { orders: rows.map((r) => r.id) }, at: now });
      for (const row of rows) {
        if (row.action === "RESUME") continue;
        await releasePendingSuspension(tx, row.lineId, row.scope as Scope, now);
      }
    }
    return cancelled.length;
  });
}

/** A line's scope goes back from pending to none when no application covers it any more. */
export async function releasePendingSuspension(tx: DbOrTx, lineId: string, scope: Scope, now: Date): Promise<void> {
  const covering = await tx
    .select({ id: applications.id })
    .from(applications)
    .where(
      and(
        eq(applications.lineId, lineId),
        inArray(applications.status, COVERING_STATUSES.filter((s) => s !== "completed") as ApplicationStatus[]),
        sql`${scope} = any(${applications.scopes})`,
      ),
    )
    .limit(1);
  if (covering.length > 0) return;
  await tx
    .update(lines)
    .set({ [SUSPENSION_COLUMN[scope]]: "none", updatedAt: now })
    .where(and(eq(lines.id, lineId), eq(lines[SUSPENSION_COLUMN[scope]], "pending")));
}

/**
 * One planning pass: every verified application, every approved resumption without orders, every
 * withdrawal. Then asks for a cut where a carrier has batch_max_size orders waiting.
 */
export async function planCarrierOrders(services: Services, options: { limit?: number } = {}): Promise<PlanResult> {
  const limit = options.limit ?? 500;
  const result: PlanResult = { queued: 0, orders: 0, resumptions: 0, cancelled: 0, exceptions: 0 };

  const verified = await services.db
    .select({ id: applications.id })
    .from(applications)
    .where(
      and(
        eq(applications.status, "verified"),
        sql`not exists (select 1 from ${carrierExceptions} e where e.application_id = ${applications.id} and e.kind = 'not_routable' and e.resolved_at is null)`,
      ),
    )
    .orderBy(asc(applications.createdAt))
    .limit(limit);
  for (const { id } of verified) {
    const outcome = await planApplication(services, id);
    if (outcome.kind === "queued") {
      result.queued++;
      result.orders += outcome.orders;
    } else if (outcome.kind === "exception") result.exceptions++;
  }

  const resumptions = await services.db
    .select({ id: cancellations.id })
    .from(cancellations)
    .where(
      and(
        eq(cancellations.status, "approved"),
        eq(cancellations.kind, "resumption"),
        sql`${cancellations.subscriberConfirmedAt} is not null`,
        sql`not exists (select 1 from ${carrierOrders} o where o.cancellation_id = ${cancellations.id})`,
        sql`not exists (select 1 from ${carrierExceptions} e where e.cancellation_id = ${cancellations.id} and e.kind = 'resume_not_possible')`,
      ),
    )
    .orderBy(asc(cancellations.createdAt))
    .limit(limit);
  for (const { id } of resumptions) {
    const outcome = await planResumption(services, id);
    if (outcome === "planned") result.resumptions++;
    else if (outcome === "exception") result.exceptions++;
  }

  result.cancelled = await cancelWithdrawnOrders(services);
  await requestSizeCuts(services);
  return result;
}

/** Enqueues a cut for every active carrier with at least batch_max_size orders waiting. */
export async function requestSizeCuts(services: Services): Promise<string[]> {
  const rows = await services.db
    .select({ code: carriers.code, max: carriers.batchMaxSize, pending: sql<number>`count(${carrierOrders.id})::int` })
    .from(carriers)
    .innerJoin(carrierOrders, and(eq(carrierOrders.carrierCode, carriers.code), waitingForBatch))
    .where(eq(carriers.active, true))
    .groupBy(carriers.code, carriers.batchMaxSize);
  const due = rows.filter((r) => Number(r.pending) >= r.max).map((r) => r.code);
  for (const code of due) {
    await services.queue.enqueue(JOB_NAMES.cutCarrierBatch, { carrierCode: code, reason: "size" }, { singletonKey: `${code}:size` });
  }
  return due;
}

/** Open exceptions count, for the back office. */
export async function openExceptionCount(services: Pick<Services, "db">): Promise<number> {
  const [row] = await services.db.select({ n: sql<number>`count(*)::int` }).from(carrierExceptions).where(isNull(carrierExceptions.resolvedAt));
  return Number(row?.n ?? 0);
}
