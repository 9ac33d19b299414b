/**
 * Creating applications, for every channel (web, IVR, paper, operator). One submission is one
 * application: the idempotency key is unique, and a replay returns the first result. A line that is
 * already pending or suspended for the requested scopes gets no second application; the person is
 * told the line is covered, never who applied.
 */
import { randomInt } from "node:crypto";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { applicationEvents, applications, carrierCapabilities, lines } from "../../db/schema";
import { transition, type ApplicationStatus } from "../domain/application-state";
import type { Relation } from "../domain/apply-journey";
import { routeApplication, type CarrierCapability, type CarrierChoice, type CarrierCode, type RefusedScope, type Scope } from "../domain/carriers";
import { generateReference } from "../domain/reference-number";
import type { RegionFlag } from "../domain/regions";
import type { Services } from "./services.server";
import { fieldsWithControlCharacters } from "../domain/control-characters";
import { upsertLine } from "./verification.server";

export type Channel = "web" | "ivr" | "paper" | "operator";

/** Statuses in which an application still covers its line (pending or suspended). */
export const COVERING_STATUSES: ApplicationStatus[] = ["received", "verified", "needs_review", "queued", "sent", "acknowledged", "completed"];

export type NewApplication = {
  channel: Channel;
  idempotencyKey: string;
  actor: string;
  lineE164: string;
  previousLineE164?: string | null;
  scopes: Scope[];
  relation: Relation;
  relationDetail?: string | null;
  applicantName?: string | null;
  subscriberName?: string | null;
  subscriberKana?: string | null;
  /** The name and kana were heard (speech) or read (OCR), not typed: advisory only (ADR 015). */
  nameUnverified?: boolean;
  postalCode?: string | null;
  address?: string | null;
  prefecture?: number | null;
  /** What checkRegion found wrong between the line, the address and the postal code (issue 17). */
  regionFlags?: RegionFlag[];
  contactPhone?: string | null;
  carrierChoice: CarrierChoice;
  verification: { method: "callback" | "call_in" | "caller_id" | "letter" | null; verifiedAt: Date | null; consentAt: Date | null };
  assisted?: boolean;
};

export type SubmitResult =
  | { kind: "created"; applicationId: string; reference: string; status: ApplicationStatus; scopes: Scope[]; refusedScopes: RefusedScope[]; alreadyCovered: Scope[]; regionFlags?: RegionFlag[] }
  | { kind: "replayed"; applicationId: string; reference: string; status: ApplicationStatus; scopes: Scope[] }
  | { kind: "already_covered"; scopes: Scope[] }
  | { kind: "not_routable"; message: string; refusedScopes: RefusedScope[] };

export async function loadCapabilities(db: DbOrTx): Promise<CarrierCapability[]> {
  const rows = await db.select().from(carrierCapabilities);
  return rows.map((r) => ({ carrier: r.carrierCode as CarrierCode, scope: r.scope as Scope, acceptedViaCentre: r.acceptedViaCentre, note: r.noteJa ?? undefined }));
}

const newReference = () => generateReference(() => String(randomInt(0, 1e10)).padStart(10, "0"));

export async function recordEvent(
  tx: DbOrTx,
  input: { applicationId: string; type: string; actor: string; from?: ApplicationStatus | null; to?: ApplicationStatus | null; detail?: Record<string, unknown>; at: Date },
) {
  await tx.insert(applicationEvents).values({
    applicationId: input.applicationId,
    type: input.type,
    actor: input.actor,
    fromStatus: input.from ?? null,
    toStatus: input.to ?? null,
    detail: input.detail ?? {},
    at: input.at,
  });
}

/** Moves an application to a new status, refusing illegal transitions, with its event. */
export async function changeStatus(
  tx: DbOrTx,
  input: { applicationId: string; from: ApplicationStatus; to: ApplicationStatus; actor: string; type?: string; detail?: Record<string, unknown>; at: Date },
) {
  transition(input.from, input.to);
  const updated = await tx
    .update(applications)
    .set({ status: input.to, updatedAt: input.at })
    .where(and(eq(applications.id, input.applicationId), eq(applications.status, input.from)))
    .returning({ id: applications.id });
  if (updated.length === 0) throw new Error(`application ${input.applicationId} is no longer ${input.from}`);
  await recordEvent(tx, { applicationId: input.applicationId, type: input.type ?? input.to, actor: input.actor, from: input.from, to: input.to, detail: input.detail, at: input.at });
}

function isLineVerified(input: NewApplication): boolean {
  const { method, verifiedAt, consentAt } = input.verification;
  if (!method || !verifiedAt) return false;
  // Caller ID: the call came from the line itself. A call-back or call-in by someone other than the
  // subscriber also needs the subscriber's own agreement (課題②).
  if (method === "caller_id") return true;
  return input.relation === "self" || consentAt !== null;
}

/**
 * Creates one application. With `outerTx` it joins the caller's transaction (a paper page confirmed
 * on the line creates its application and settles its scan in one commit); otherwise it runs its own.
 */
export async function submitApplication(services: Services, input: NewApplication, outerTx?: DbOrTx): Promise<SubmitResult> {
  // The data layer refuses control characters in names (issue 16, point 11): a NUL in a kana reading
  // would travel to the carriers and break the back office's search. Field names only, never values.
  const tainted = fieldsWithControlCharacters(input, ["subscriberName", "subscriberKana", "applicantName", "relationDetail", "address"]);
  if (tainted.length > 0) throw new Error(`control characters in ${tainted.join(", ")}`);
  const { pii } = services;
  const now = services.now();
  const run = async (tx: DbOrTx): Promise<SubmitResult> => {
    const [existing] = await tx.select().from(applications).where(eq(applications.idempotencyKey, input.idempotencyKey));
    if (existing) {
      return { kind: "replayed", applicationId: existing.id, reference: existing.reference, status: existing.status as ApplicationStatus, scopes: existing.scopes as Scope[] };
    }
    // One submission at a time per line: the duplicate check below must see every earlier one. The
    // upsert's ON CONFLICT DO UPDATE locks the line's row until the end of the transaction (as an
    // UPDATE does), so a second submission for the line waits here — no separate SELECT … FOR UPDATE.
    // The capability table is read in the same round trip: neither statement depends on the other.
    const [lineId, capabilities] = await Promise.all([upsertLine(tx, input.lineE164, now), loadCapabilities(tx)]);

    const route = routeApplication({ choice: input.carrierChoice, prefecture: input.prefecture ?? undefined, line: input.lineE164, scopes: input.scopes, capabilities });
    // Disagreements between the line, the address and the postal code, and a choice the number
    // overrode: never silent, they go into the application's first event for the operator.
    const regionFlags: RegionFlag[] = [...(input.regionFlags ?? [])];
    if (route.kind === "direct" && route.correctedFrom && (route.correctedFrom === "ntt-east" || route.correctedFrom === "ntt-west") && (route.carrier === "ntt-east" || route.carrier === "ntt-west")) {
      regionFlags.push({ kind: "choice_other_area", chosen: route.correctedFrom, lineRegion: route.carrier });
    }
    if (route.kind === "needs_prefecture" || route.kind === "needs_scopes") return { kind: "not_routable", message: route.message, refusedScopes: [] };
    const acceptedByAnyCandidate = (scope: Scope) =>
      route.kind === "inquiry" && Object.values(route.acceptedScopesByCarrier).some((list) => list?.includes(scope));
    const accepted = route.kind === "direct" ? route.acceptedScopes : input.scopes.filter(acceptedByAnyCandidate);
    const refusedScopes = route.kind === "direct" ? route.refusedScopes : [];
    if (accepted.length === 0) {
      return { kind: "not_routable", message: refusedScopes.map((r) => r.message).join(" ") || "このお申し込みは、センターではお受けできません。", refusedScopes };
    }

    const covering = await tx
      .select({ scopes: applications.scopes })
      .from(applications)
      .where(and(eq(applications.lineId, lineId), inArray(applications.status, COVERING_STATUSES)));
    const alreadyCovered = accepted.filter((scope) => covering.some((row) => (row.scopes as string[]).includes(scope)));
    const scopes = accepted.filter((scope) => !alreadyCovered.includes(scope));
    if (scopes.length === 0) return { kind: "already_covered", scopes: alreadyCovered };

    const previousLineId = input.previousLineE164 ? await upsertLine(tx, input.previousLineE164, now) : null;
    // Its first status is known now (received, then at once verified or needs_review): the row is
    // written with it and both events in one statement, not inserted then updated (issue 18).
    const status: ApplicationStatus = isLineVerified(input) ? "verified" : "needs_review";
    transition("received", status);
    const values = {
      reference: newReference(),
      lineId,
      scopes,
      channel: input.channel,
      relation: input.relation,
      relationDetailEnc: pii.sealNullable(input.relationDetail || null),
      subscriberNameEnc: pii.sealNullable(input.subscriberName),
      subscriberKanaEnc: pii.sealNullable(input.subscriberKana),
      subscriberKanaHash: input.subscriberKana ? pii.searchHash(input.subscriberKana) : null,
      subscriberNameUnverified: input.nameUnverified ?? false,
      applicantNameEnc: pii.sealNullable(input.applicantName),
      postalCodeEnc: pii.sealNullable(input.postalCode),
      addressEnc: pii.sealNullable(input.address),
      prefecture: input.prefecture ?? null,
      contactPhoneEnc: pii.sealNullable(input.contactPhone),
      contactPhoneHash: input.contactPhone ? pii.searchHash(input.contactPhone) : null,
      carrierChoice: input.carrierChoice,
      carrierCode: route.kind === "direct" ? route.carrier : null,
      status,
      idempotencyKey: input.idempotencyKey,
      subscriberConsentAt: input.verification.consentAt,
      verifiedAt: input.verification.verifiedAt,
      verificationMethod: input.verification.method,
      assisted: input.assisted ?? false,
      replacesLineId: previousLineId,
      createdAt: now,
      updatedAt: now,
    } satisfies typeof applications.$inferInsert;
    // The reference is random: on the rare clash with an existing one, draw again (the unique index
    // decides, in the insert itself, instead of a look-up before it).
    let inserted: { id: string }[] = [];
    while (inserted.length === 0) {
      inserted = await tx.insert(applications).values(values).onConflictDoNothing({ target: applications.reference }).returning({ id: applications.id });
      if (inserted.length === 0) values.reference = newReference();
    }
    const applicationId = inserted[0]!.id;
    const reference = values.reference;
    const event = (e: { type: string; actor: string; from: ApplicationStatus | null; to: ApplicationStatus; detail: Record<string, unknown> }) => ({
      applicationId,
      type: e.type,
      actor: e.actor,
      fromStatus: e.from,
      toStatus: e.to,
      detail: e.detail,
      at: now,
    });
    // The events, the line and the audit row depend only on the application's id: the three statements
    // are started together and go to the database in one round trip, in this transaction (any failure
    // rolls back all of it).
    const eventsWritten = tx.insert(applicationEvents).values([
      event({ type: "received", actor: input.actor, from: null, to: "received", detail: { channel: input.channel, scopes, assisted: input.assisted ?? false, ...(regionFlags.length > 0 ? { regionFlags } : {}), ...(refusedScopes.length > 0 ? { refusedScopes: refusedScopes.map((r) => r.scope) } : {}) } }),
      event({
        type: status,
        actor: "system",
        from: "received",
        to: status,
        detail: status === "verified" ? { method: input.verification.method, consent: input.verification.consentAt ? true : undefined } : { reason: "line_not_verified" },
      }),
    ]).execute();
    // The line, in one statement: each requested scope's suspension becomes pending where it was
    // none, and what the application taught about the line (its prefecture, its carrier), when it did.
    // (upsertLine has already set updated_at to now.)
    const lineUpdated = tx
      .update(lines)
      .set({
        ...(scopes.includes("outgoing") ? { outgoingSuspension: sql`case when ${lines.outgoingSuspension} = 'none' then 'pending' else ${lines.outgoingSuspension} end` } : {}),
        ...(scopes.includes("incoming") ? { incomingSuspension: sql`case when ${lines.incomingSuspension} = 'none' then 'pending' else ${lines.incomingSuspension} end` } : {}),
        ...(input.prefecture ? { prefecture: input.prefecture } : {}),
        ...(route.kind === "direct" ? { carrierCode: route.carrier } : {}),
        updatedAt: now,
      })
      .where(eq(lines.id, lineId))
      .execute();
    await Promise.all([
      eventsWritten,
      lineUpdated,
      services.audit.record(
        { actor: input.actor, action: "application.create", subjectType: "application", subjectId: applicationId, detail: { channel: input.channel, status } },
        tx,
      ),
    ]);
    return { kind: "created", applicationId, reference, status, scopes, refusedScopes, alreadyCovered, ...(regionFlags.length > 0 ? { regionFlags } : {}) };
  };
  const result = outerTx ? await run(outerTx) : await services.db.transaction(run);
  if (result.kind === "created") services.logger.info({ applicationId: result.applicationId, channel: input.channel, status: result.status }, "application created");
  return result;
}

export type TimelineEntry = { at: string; type: string; toStatus: string | null };

/**
 * The status page: reference number and phone number must both match. Returns the status and a
 * timeline of status changes only — nothing about who applied.
 */
export async function findStatus(services: Pick<Services, "db">, reference: string, lineE164: string) {
  const [row] = await services.db
    .select({ id: applications.id, status: applications.status, scopes: applications.scopes, createdAt: applications.createdAt, channel: applications.channel })
    .from(applications)
    .innerJoin(lines, eq(lines.id, applications.lineId))
    .where(and(eq(applications.reference, reference), eq(lines.e164, lineE164)));
  if (!row) return null;
  const events = await services.db
    .select({ at: applicationEvents.at, type: applicationEvents.type, toStatus: applicationEvents.toStatus })
    .from(applicationEvents)
    .where(eq(applicationEvents.applicationId, row.id))
    .orderBy(asc(applicationEvents.at), asc(applicationEvents.id));
  return {
    applicationId: row.id,
    status: row.status as ApplicationStatus,
    scopes: row.scopes as Scope[],
    createdAt: row.createdAt.toISOString(),
    timeline: events.filter((e) => e.toStatus).map((e) => ({ at: e.at.toISOString(), type: e.type, toStatus: e.toStatus })),
  };
}
