/**
 * Phone-assisted entry (課題⑥): an operator fills in the application for a caller (channel
 * 'operator'). The line is not verified by the operator's word: the application waits in
 * `needs_review` and the centre calls the line back (startVerification). The person at the line hears
 * a 4-digit code — or, when someone else applies, first agrees by pressing 1 — and reads the code to the
 * operator, who types it; then the application moves to `verified` (changeStatus, with its event).
 */
import { randomUUID } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { applicationEvents, applications, lines, verifications } from "../../db/schema";
import { STATUS_LABELS, type ApplicationStatus } from "../domain/application-state";
import { addressSchema, applicantSchema, carrierSchema, nameSchema, numberSchema, scopeSchema } from "../domain/apply-forms";
import { formatDisplay } from "../domain/phone";
import type { RegionFlag } from "../domain/regions";
import { auditedChange } from "./audit.server";
import { changeStatus, submitApplication, type SubmitResult } from "./applications.server";
import { regionFlagText } from "../locales/ja-input";
import { checkLineRegion } from "./postal.server";
import type { Services } from "./services.server";
import { checkCode, resendCode, startVerification, stateOf, VERIFICATION_MESSAGES, type VerificationState } from "./verification.server";

/** The whole application on one page: the web journey's schemas, field by field. */
export const entrySchema = z
  .object({ token: z.string().uuid("画面を開き直してから、もう一度入力してください。") })
  .and(numberSchema)
  .and(applicantSchema)
  .and(nameSchema)
  .and(addressSchema)
  .and(carrierSchema)
  .and(scopeSchema);

export type EntryValues = z.infer<typeof entrySchema>;

/** A token for one entry form: submitting the same form twice makes one application. */
export function newEntryToken(): string {
  return randomUUID();
}

function consentFrom(values: Pick<EntryValues, "relation" | "applicantName" | "relationDetail">): { applicantLabel: string } | null {
  if (values.relation === "self") return null;
  const who = values.applicantName ? `${values.applicantName}さま` : "ご本人以外の方";
  return { applicantLabel: values.relation === "family" ? `ご家族の、${who}` : `${values.relationDetail ?? ""}の、${who}` };
}

export type EntryResult =
  | { kind: "created" | "replayed"; applicationId: string; reference: string; verification: { ok: true } | { ok: false; message: string }; regionFlags?: RegionFlag[] }
  | Exclude<SubmitResult, { kind: "created" } | { kind: "replayed" }>;

export async function submitEntry(services: Services, input: { operatorId: string; values: EntryValues; ip?: string | null }): Promise<EntryResult> {
  const v = input.values;
  // The typed prefecture wins over the postal code's; the line's number decides NTT東日本／西日本;
  // every disagreement is flagged to the operator (issue 17, point 1).
  const region = await checkLineRegion({ line: v.number, postalCode: v.postalCode, address: v.address });
  const prefecture = region.prefecture;
  const actor = `operator:${input.operatorId}`;
  // The application and its audit row commit together (issue 12, point 7); the call-back is placed
  // after, through the outbox, and audited by the verification service.
  const result = await services.db.transaction(async (tx) => {
    const submitted = await submitApplication(services, {
      channel: "operator",
      // The token is made when the form is drawn: a double click or a resubmission is one application.
      idempotencyKey: `operator:${v.token}`,
      actor,
      lineE164: v.number,
      previousLineE164: v.previousNumber ?? null,
      scopes: v.scopes,
      relation: v.relation,
      relationDetail: v.relationDetail || null,
      applicantName: v.applicantName || null,
      subscriberName: v.kanji,
      subscriberKana: v.kana,
      postalCode: v.postalCode,
      address: v.address,
      prefecture,
      regionFlags: region.flags,
      contactPhone: v.contactPhone ?? null,
      carrierChoice: v.choice,
      // Nothing is verified yet: what the caller says is checked by calling the line back.
      verification: { method: null, verifiedAt: null, consentAt: null },
    }, tx);
    if (submitted.kind === "created" || submitted.kind === "replayed") {
      await services.audit.record(
        { actor, action: "entry.submit", subjectType: "application", subjectId: submitted.applicationId, ip: input.ip ?? null, detail: { replayed: submitted.kind === "replayed" } },
        tx,
      );
    }
    return submitted;
  });
  if (result.kind !== "created" && result.kind !== "replayed") return result;
  if (result.kind === "replayed") return { kind: "replayed", applicationId: result.applicationId, reference: result.reference, verification: { ok: true } };
  const started = await startVerification(services, {
    lineE164: v.number,
    purpose: "apply",
    method: "callback",
    consentFrom: consentFrom(v),
    applicationId: result.applicationId,
    client: actor,
  });
  return {
    kind: "created",
    applicationId: result.applicationId,
    reference: result.reference,
    verification: started.ok ? { ok: true } : { ok: false, message: started.message },
    ...(result.regionFlags ? { regionFlags: result.regionFlags } : {}),
  };
}

export type EntryView = {
  applicationId: string;
  reference: string;
  status: ApplicationStatus;
  statusLabel: string;
  channel: string;
  number: string;
  lineId: string;
  relation: string;
  verification: { id: string; state: VerificationState; needsConsent: boolean; attempts: number; sends: number } | null;
  /** Disagreements between the line, the address and the postal code, for the operator to check (issue 17). */
  regionFlags: string[];
};

async function latestVerification(services: Pick<Services, "db">, applicationId: string) {
  const [row] = await services.db
    .select()
    .from(verifications)
    .where(and(eq(verifications.applicationId, applicationId), eq(verifications.method, "callback")))
    .orderBy(desc(verifications.createdAt))
    .limit(1);
  return row ?? null;
}

export async function entryView(services: Pick<Services, "db" | "now">, applicationId: string): Promise<EntryView | null> {
  const [row] = await services.db
    .select({ app: applications, e164: lines.e164 })
    .from(applications)
    .innerJoin(lines, eq(lines.id, applications.lineId))
    .where(eq(applications.id, applicationId));
  if (!row) return null;
  const v = await latestVerification(services, applicationId);
  const status = row.app.status as ApplicationStatus;
  const [received] = await services.db
    .select({ detail: applicationEvents.detail })
    .from(applicationEvents)
    .where(and(eq(applicationEvents.applicationId, applicationId), eq(applicationEvents.type, "received")))
    .limit(1);
  const flags = (received?.detail as { regionFlags?: RegionFlag[] } | undefined)?.regionFlags ?? [];
  return {
    applicationId,
    reference: row.app.reference,
    status,
    statusLabel: STATUS_LABELS[status]?.label ?? status,
    channel: row.app.channel,
    number: formatDisplay(row.e164),
    lineId: row.app.lineId,
    relation: row.app.relation,
    verification: v
      ? { id: v.id, state: stateOf(v, services.now()), needsConsent: row.app.relation !== "self", attempts: v.attempts, sends: v.sends }
      : null,
    regionFlags: flags.map((flag) => regionFlagText(flag)),
  };
}

export type EntryCodeResult = { ok: true; status: ApplicationStatus } | { ok: false; message: string };

/** The code the person at the line read out: when it matches, the application is verified. */
export async function checkEntryCode(services: Services, input: { applicationId: string; operatorId: string; code: string; ip?: string | null }): Promise<EntryCodeResult> {
  const v = await latestVerification(services, input.applicationId);
  if (!v) return { ok: false, message: "確認の電話がまだかけられていません。「もう一度電話をかける」を押してください。" };
  const checked = await checkCode(services, v.id, input.code);
  if (!checked.ok) return { ok: false, message: checked.message };
  const actor = `operator:${input.operatorId}`;
  return services.db.transaction(async (tx): Promise<EntryCodeResult> => {
    const [app] = await tx.select().from(applications).where(eq(applications.id, input.applicationId)).for("update");
    if (!app) return { ok: false, message: "お申し込みが見つかりません。" };
    if (app.status !== "needs_review") return { ok: true, status: app.status as ApplicationStatus };
    // Someone else applying needs the subscriber's own agreement on the call (課題②).
    if (app.relation !== "self" && !checked.consentAt) return { ok: false, message: VERIFICATION_MESSAGES.not_yet };
    await tx
      .update(applications)
      .set({ verifiedAt: checked.verifiedAt, verificationMethod: "callback", subscriberConsentAt: checked.consentAt ?? app.subscriberConsentAt })
      .where(eq(applications.id, app.id));
    await changeStatus(tx, {
      applicationId: app.id,
      from: "needs_review",
      to: "verified",
      actor,
      detail: { method: "callback", verificationId: v.id, consent: checked.consentAt ? true : undefined },
      at: services.now(),
    });
    await services.audit.record(
      { actor, action: "application.verify", subjectType: "application", subjectId: app.id, ip: input.ip, detail: { method: "callback", verificationId: v.id } },
      tx,
    );
    return { ok: true, status: "verified" };
  });
}

/** Calls the line again (a new code; the old one stops working), within the verification limits. */
export async function resendEntryCall(
  services: Services,
  input: { applicationId: string; operatorId: string; ip: string | null },
): Promise<{ ok: true } | { ok: false; message: string }> {
  // The call placed (or refused) and its audit row commit together (issue 12).
  return auditedChange(
    services,
    (s) => placeEntryCallAgain(s, input.applicationId),
    (done) => ({ actor: `operator:${input.operatorId}`, action: "entry.callback_resend", subjectType: "application", subjectId: input.applicationId, ip: input.ip, detail: { ok: done.ok } }),
  );
}

async function placeEntryCallAgain(services: Services, applicationId: string): Promise<{ ok: true } | { ok: false; message: string }> {
  const [row] = await services.db
    .select({ app: applications, e164: lines.e164 })
    .from(applications)
    .innerJoin(lines, eq(lines.id, applications.lineId))
    .where(eq(applications.id, applicationId));
  if (!row) return { ok: false, message: "お申し込みが見つかりません。" };
  const v = await latestVerification(services, applicationId);
  const applicantName = services.pii.openNullable(row.app.applicantNameEnc);
  const consent = consentFrom({ relation: row.app.relation as EntryValues["relation"], applicantName: applicantName ?? undefined, relationDetail: services.pii.openNullable(row.app.relationDetailEnc) ?? undefined });
  if (!v) {
    const started = await startVerification(services, { lineE164: row.e164, purpose: "apply", method: "callback", consentFrom: consent, applicationId: row.app.id, client: "operator-entry" });
    return started.ok ? { ok: true } : { ok: false, message: started.message };
  }
  const result = await resendCode(services, v.id, { lineE164: row.e164, consentFrom: consent });
  return result.ok ? { ok: true } : { ok: false, message: result.message };
}
