/** The last step of the web journey: turn the draft into an application, once. */
import type { AppLoadContext } from "@remix-run/node";
import { eq } from "drizzle-orm";
import { applications, lines } from "../../db/schema";
import type { ApplyAnswers } from "../domain/apply-journey";
import { numberContradiction } from "../domain/apply-forms";
import { formatDisplay } from "../domain/phone";
import { STATUS_LABELS, type ApplicationStatus } from "../domain/application-state";
import type { Scope } from "../domain/carriers";
import { submitApplication, type SubmitResult } from "./applications.server";
import { requestCancellation } from "./cancellations.server";
import { checkLineRegion } from "./postal.server";
import { markSubmitted, type Draft } from "./apply-draft.server";

export async function submitDraft(context: AppLoadContext, draft: Draft): Promise<SubmitResult> {
  const a = draft.answers as Required<Pick<ApplyAnswers, "number" | "applicant" | "verification" | "name" | "address" | "carrier" | "scope">>;
  // A draft saved before the number step checked both numbers together: never file the release of
  // the line being applied for (the suspension would withdraw itself).
  const contradiction = numberContradiction(a.number.e164, a.number.previousE164);
  if (contradiction) return { kind: "not_routable", message: contradiction, refusedScopes: [] };
  // Shown to the person on the address step; recorded here for the operator too (issue 17, point 1).
  const region = await checkLineRegion({ line: a.number.e164, postalCode: a.address.postalCode, address: a.address.address });
  // The application and the draft's mark are one commit (one WAL flush, not two): a draft is marked
  // submitted exactly when its application exists.
  const result = await context.services.db.transaction(async (tx) => {
    const submitted = await submitApplication(
      context.services,
      {
        channel: "web",
        // The draft is one submission: a double click, or back and submit again, replays it.
        idempotencyKey: `web:${draft.id}`,
        actor: "applicant",
        lineE164: a.number.e164,
        previousLineE164: a.number.previousE164 ?? null,
        scopes: a.scope.scopes,
        relation: a.applicant.relation,
        relationDetail: a.applicant.relationDetail ?? null,
        applicantName: a.applicant.applicantName ?? null,
        subscriberName: a.name.kanji,
        subscriberKana: a.name.kana,
        postalCode: a.address.postalCode,
        address: a.address.address,
        prefecture: region.prefecture ?? a.address.prefecture,
        regionFlags: region.flags,
        contactPhone: a.applicant.contactPhone ?? null,
        carrierChoice: a.carrier.choice,
        verification: {
          method: a.verification.method,
          verifiedAt: new Date(a.verification.verifiedAt),
          consentAt: a.verification.consentAt ? new Date(a.verification.consentAt) : null,
        },
        assisted: draft.assisted,
      },
      tx,
    );
    if (submitted.kind === "created" || submitted.kind === "replayed") await markSubmitted(context, draft, submitted.applicationId, tx);
    return submitted;
  });
  if (result.kind === "created" && a.number.previousE164 && a.number.previousE164 !== a.number.e164) await releasePreviousLine(context, result.applicationId, a);
  return result;
}

/**
 * Moving or a new number: the same request asks to release the old line's suspension. That is a
 * resumption like any other — the cancellation rules apply, and the centre calls the OLD line for
 * the subscriber's own confirmation (a disconnected line simply never confirms, and stays as it is).
 */
async function releasePreviousLine(
  context: AppLoadContext,
  applicationId: string,
  a: Required<Pick<ApplyAnswers, "number" | "applicant" | "name">>,
) {
  const result = await requestCancellation(context.services, {
    channel: "web",
    idempotencyKey: `moving:${applicationId}`,
    actor: "applicant",
    lineE164: a.number.previousE164!,
    requesterRelation: a.applicant.relation,
    requesterRelationDetail: a.applicant.relationDetail ?? null,
    requesterName: a.applicant.applicantName ?? a.name.kanji,
    requesterContact: a.applicant.contactPhone ?? `0${a.number.e164.slice(3)}`,
    reasonCode: "moving",
    reasonText: null,
    lineVerification: "callback_at_intake",
    client: context.clientIp,
  });
  context.services.logger.info({ applicationId, outcome: result.kind }, "release of the previous line requested");
}

export type Receipt = {
  reference: string;
  status: ApplicationStatus;
  statusLabel: string;
  statusDescription: string;
  scopes: Scope[];
  number: string;
  subscriberName: string | null;
  address: string | null;
  postalCode: string | null;
  createdAt: string;
  assisted: boolean;
};

/** What the done page and the printed receipt show; only to the browser that submitted the draft. */
export async function receiptFor(context: AppLoadContext, applicationId: string): Promise<Receipt | null> {
  const { db, pii } = context.services;
  const [row] = await db
    .select({ application: applications, e164: lines.e164 })
    .from(applications)
    .innerJoin(lines, eq(lines.id, applications.lineId))
    .where(eq(applications.id, applicationId));
  if (!row) return null;
  const status = row.application.status as ApplicationStatus;
  return {
    reference: row.application.reference,
    status,
    statusLabel: STATUS_LABELS[status].label,
    statusDescription: STATUS_LABELS[status].description,
    scopes: row.application.scopes as Scope[],
    number: formatDisplay(row.e164),
    subscriberName: pii.openNullable(row.application.subscriberNameEnc),
    address: pii.openNullable(row.application.addressEnc),
    postalCode: pii.openNullable(row.application.postalCodeEnc),
    createdAt: row.application.createdAt.toISOString(),
    assisted: row.application.assisted,
  };
}
