/**
 * Dispatch exceptions in the back office: list them, and resolve them by sending the application to a
 * carrier the operator chose, by planning again (after the capability table was fixed), or by closing
 * them with a note (e.g. after calling the applicant). Callers audit.
 */
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { applications, carrierCapabilities, carrierExceptions, carriers, lines } from "../../db/schema";
import type { ApplicationStatus } from "../domain/application-state";
import type { ExceptionKind } from "../domain/carrier-orders";
import { SCOPES, type Scope } from "../domain/carriers";
import { changeStatus, recordEvent } from "./applications.server";
import { insertOrder, subjectOf } from "./carrier-orders.server";
import { JOB_NAMES } from "./jobs";
import type { Services } from "./services.server";

export type ExceptionItem = {
  id: string;
  kind: ExceptionKind;
  applicationId: string | null;
  reference: string | null;
  applicationStatus: string | null;
  cancellationId: string | null;
  carrierCode: string | null;
  reasonCode: string | null;
  scopes: Scope[];
  createdAt: string;
  resolvedAt: string | null;
  resolution: string | null;
  resolutionNote: string | null;
};

function scopesOf(detail: unknown, fallback: readonly string[] | null): Scope[] {
  const d = detail as { failedScopes?: unknown; scope?: unknown; scopes?: unknown } | null;
  const list = Array.isArray(d?.failedScopes) ? d.failedScopes : typeof d?.scope === "string" ? [d.scope] : Array.isArray(d?.scopes) ? d.scopes : (fallback ?? []);
  return SCOPES.filter((s) => list.includes(s));
}

export async function listExceptions(services: Pick<Services, "db" | "pii">, options: { open?: boolean; limit?: number } = {}): Promise<ExceptionItem[]> {
  const rows = await services.db
    .select({ exception: carrierExceptions, reference: applications.reference, status: applications.status, scopes: applications.scopes })
    .from(carrierExceptions)
    .leftJoin(applications, eq(applications.id, carrierExceptions.applicationId))
    .where(options.open === false ? sql`${carrierExceptions.resolvedAt} is not null` : isNull(carrierExceptions.resolvedAt))
    .orderBy(desc(carrierExceptions.createdAt))
    .limit(options.limit ?? 200);
  return rows.map(({ exception: e, reference, status, scopes }) => ({
    id: e.id,
    kind: e.kind as ExceptionKind,
    applicationId: e.applicationId,
    reference,
    applicationStatus: status,
    cancellationId: e.cancellationId,
    carrierCode: e.carrierCode,
    reasonCode: e.reasonCode,
    scopes: scopesOf(e.detail, scopes as string[] | null),
    createdAt: e.createdAt.toISOString(),
    resolvedAt: e.resolvedAt?.toISOString() ?? null,
    resolution: e.resolution,
    resolutionNote: services.pii.openNullable(e.resolutionNoteEnc),
  }));
}

export type ResolveInput = (
  | { id: string; operatorId: string; action: "close"; note: string }
  | { id: string; operatorId: string; action: "retry"; note: string }
  | { id: string; operatorId: string; action: "resend"; carrierCode: string; note: string }
) & {
  /** For the audit row written with the resolution: the client address, and the work queue it came from. */
  ip?: string | null;
  queue?: string;
};

export type ResolveResult = { ok: true } | { ok: false; field: "note" | "carrierCode" | "form"; message: string };

export async function resolveException(services: Services, input: ResolveInput): Promise<ResolveResult> {
  if (input.note.trim() === "" && input.action === "close") return { ok: false, field: "note", message: "対応の内容をメモに書いてください。" };
  const now = services.now();
  return services.db.transaction(async (tx): Promise<ResolveResult> => {
    const [exception] = await tx.select().from(carrierExceptions).where(and(eq(carrierExceptions.id, input.id), isNull(carrierExceptions.resolvedAt))).for("update");
    if (!exception) return { ok: false, field: "form", message: "この例外は、すでに対応済みです。" };
    const resolve = (resolution: string) =>
      tx
        .update(carrierExceptions)
        .set({ resolvedAt: now, resolvedBy: input.operatorId, resolution, resolutionNoteEnc: services.pii.sealNullable(input.note.trim() || null) })
        .where(eq(carrierExceptions.id, exception.id));
    const actor = `operator:${input.operatorId}`;
    // The audit row goes with the change, in this transaction (issue 12).
    const done = async (): Promise<ResolveResult> => {
      await services.audit.record(
        {
          actor,
          action: `carrier_exception.${input.action}`,
          subjectType: "carrier_exception",
          subjectId: exception.id,
          ip: input.ip ?? null,
          detail: { ...(input.action === "resend" ? { carrierCode: input.carrierCode } : {}), ...(input.queue ? { queue: input.queue } : {}) },
        },
        tx,
      );
      return { ok: true };
    };

    if (input.action === "close") {
      await resolve("closed");
      if (exception.applicationId) {
        await recordEvent(tx, { applicationId: exception.applicationId, type: "carrier_exception_closed", actor, detail: { exceptionId: exception.id, kind: exception.kind }, at: now });
      }
      return done();
    }
    if (input.action === "retry") {
      if (exception.kind !== "not_routable") return { ok: false, field: "form", message: "もう一度振り分けられるのは「送り先を決められない」例外だけです。" };
      await resolve("retried");
      await services.queue.enqueue(JOB_NAMES.planCarrierOrders, {}, { tx });
      return done();
    }

    // resend: SUSPEND to the carrier the operator chose, for the scopes that failed.
    if (!exception.applicationId) return { ok: false, field: "form", message: "この例外は、お申し込みに結びついていません。" };
    const [app] = await tx.select().from(applications).where(eq(applications.id, exception.applicationId)).for("update");
    if (!app) return { ok: false, field: "form", message: "お申し込みが見つかりません。" };
    const [carrier] = await tx.select().from(carriers).where(and(eq(carriers.code, input.carrierCode), eq(carriers.active, true)));
    if (!carrier) return { ok: false, field: "carrierCode", message: "送り先の電話会社をえらんでください。" };
    const scopes = scopesOf(exception.detail, app.scopes as string[]);
    const capabilities = await tx.select().from(carrierCapabilities).where(eq(carrierCapabilities.carrierCode, carrier.code));
    const accepted = scopes.filter((scope) => capabilities.some((c) => c.scope === scope && c.acceptedViaCentre));
    if (accepted.length === 0) return { ok: false, field: "carrierCode", message: "この電話会社は、この種類の休止をセンター経由で受け付けていません。" };
    const [line] = await tx.select().from(lines).where(eq(lines.id, app.lineId));
    for (const scope of accepted) {
      await insertOrder(
        tx,
        services,
        {
          carrier: carrier.code,
          lineId: app.lineId,
          e164: line!.e164,
          prefecture: app.prefecture ?? line!.prefecture,
          action: "SUSPEND",
          scope,
          request: { kind: "exception", id: exception.id },
          requestRef: app.reference,
          applicationId: app.id,
          subject: subjectOf(services, app),
        },
        now,
      );
      const column = scope === "outgoing" ? "outgoingSuspension" : "incomingSuspension";
      await tx.update(lines).set({ [column]: "pending", updatedAt: now }).where(and(eq(lines.id, app.lineId), eq(lines[column], "none")));
    }
    if ((app.status as ApplicationStatus) === "rejected") {
      await changeStatus(tx, { applicationId: app.id, from: "rejected", to: "queued", actor, type: "resent", detail: { exceptionId: exception.id, carrier: carrier.code, scopes: accepted }, at: now });
    } else {
      await recordEvent(tx, { applicationId: app.id, type: "resent", actor, detail: { exceptionId: exception.id, carrier: carrier.code, scopes: accepted }, at: now });
    }
    await tx.update(applications).set({ carrierCode: carrier.code, updatedAt: now }).where(eq(applications.id, app.id));
    await resolve("resent");
    return done();
  });
}
