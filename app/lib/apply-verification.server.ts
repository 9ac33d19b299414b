/**
 * The verification step of the web journey, between the draft and the verification service.
 */
import type { AppLoadContext } from "@remix-run/node";
import type { ApplyAnswers } from "../domain/apply-journey";
import type { Draft } from "./apply-draft.server";
import { eq } from "drizzle-orm";
import { lines, verifications } from "../../db/schema";
import { ja } from "../locales/ja";
import { lockDraft, saveAnswers, saveAnswersIn } from "./apply-draft.server";
import { checkStartLimits, deviceLimitMessage, recordStart, verificationClient, type Device } from "./verification-limits.server";
import { verificationCallProgress } from "./comms-call-status.server";
import {
  checkCode,
  getVerification,
  RESEND_AFTER_MS,
  resendCode,
  startVerification,
  stateOf,
  type VerificationMethod,
} from "./verification.server";

/** Who the call-back says is applying, when it is not the subscriber (read aloud to the subscriber). */
export function consentFromAnswers(answers: ApplyAnswers): { applicantLabel: string } | null {
  const applicant = answers.applicant;
  if (!applicant || applicant.relation === "self") return null;
  const who = applicant.applicantName ? `${applicant.applicantName}さま` : "ご本人以外の方";
  const label = applicant.relation === "family" ? `ご家族の、${who}` : `${applicant.relationDetail ?? ""}の、${who}`;
  return { applicantLabel: label };
}

/**
 * Starts the check of the line for this draft, once: a second POST of the same step (a double click,
 * a slow network resending) finds the first one's verification still running and reuses it, so the
 * line gets one call with one code. Choosing again after the code has expired, was used up, or for
 * another number or method starts a new one (as 「もう一度かけてもらう」 does, with its own limits).
 */
export async function startForDraft(context: AppLoadContext, draft: Draft, method: VerificationMethod, device: Device) {
  const { services } = context;
  return services.db.transaction(async (tx) => {
    const current = (await lockDraft(tx, context, draft.id)) ?? draft;
    const lineE164 = current.answers.number!.e164;
    if (current.verificationId && !current.answers.verification) {
      const [row] = await tx
        .select({ verification: verifications, e164: lines.e164 })
        .from(verifications)
        .innerJoin(lines, eq(lines.id, verifications.lineId))
        .where(eq(verifications.id, current.verificationId));
      const state = row ? stateOf(row.verification, services.now()) : null;
      const callInCode = current.answers.callIn?.code ?? null;
      const sameStep = row && row.e164 === lineE164 && row.verification.method === method && (method === "callback" || callInCode !== null);
      if (sameStep && (state === "code_sent" || state === "awaiting_consent")) {
        return { ok: true as const, verificationId: row.verification.id, code: method === "call_in" ? callInCode : null, reused: true };
      }
    }
    // Limits per number (in startVerification) and per booth or device, not per address (point 3).
    const limits = { device, assisted: current.assisted, clientIp: context.clientIp };
    const allowed = await checkStartLimits(tx, services, limits);
    if (!allowed.ok) return allowed;
    const result = await startVerification(
      services,
      { lineE164, purpose: "apply", method, consentFrom: method === "callback" ? consentFromAnswers(current.answers) : null, client: verificationClient(device, current) },
      tx,
    );
    if (!result.ok) {
      if (result.reason === "rate_limited_client") return { ...result, message: deviceLimitMessage(services) };
      if (result.reason === "rate_limited_line") return { ...result, message: ja.verification.limitedLine };
      return result;
    }
    await recordStart(tx, services, limits);
    const answers: ApplyAnswers = { ...current.answers, callIn: result.code ? { code: result.code } : null };
    delete answers.verification;
    await saveAnswersIn(tx, context, current, answers, { verificationId: result.verificationId });
    return { ...result, reused: false };
  });
}

export async function verificationView(context: AppLoadContext, draft: Draft) {
  if (!draft.verificationId) return null;
  const row = await getVerification(context.services, draft.verificationId);
  if (!row) return null;
  const now = context.services.now();
  return {
    method: row.method as VerificationMethod,
    state: stateOf(row, now),
    needsConsent: Boolean(consentFromAnswers(draft.answers)) && row.method === "callback",
    resendInSeconds: Math.max(0, Math.ceil(((row.lastSentAt?.getTime() ?? 0) + 60_000 - now.getTime()) / 1000)),
    /** Whether our calls got through (busy, no answer, a machine): the page says so and offers call-in. */
    call: row.method === "callback" ? await verificationCallProgress(context.services, row.id) : null,
  };
}

/** Saves the verification into the answers once the line is verified. */
async function complete(context: AppLoadContext, draft: Draft, method: VerificationMethod, verifiedAt: Date, consentAt: Date | null) {
  const answers: ApplyAnswers = {
    ...draft.answers,
    callIn: null,
    verification: { verificationId: draft.verificationId!, verifiedAt: verifiedAt.toISOString(), method, consentAt: consentAt?.toISOString() ?? null },
  };
  await saveAnswers(context, draft, answers);
  return answers;
}

export async function checkCodeForDraft(context: AppLoadContext, draft: Draft, code: string) {
  const result = await checkCode(context.services, draft.verificationId!, code);
  if (!result.ok) return result;
  return { ok: true as const, answers: await complete(context, draft, "callback", result.verifiedAt, result.consentAt) };
}

/** Call-in: the IVR has verified the line; the page only asks whether that has happened. */
export async function callInDoneForDraft(context: AppLoadContext, draft: Draft) {
  const row = draft.verificationId ? await getVerification(context.services, draft.verificationId) : null;
  if (!row?.verifiedAt) return { ok: false as const };
  return { ok: true as const, answers: await complete(context, draft, "call_in", row.verifiedAt, null) };
}

/** A second 「もう一度電話をかける」 this soon after a call is the same press arriving twice (issue 16, point 2). */
const SAME_PRESS_WITHIN_MS = 10_000;

/**
 * 「もう一度電話をかける」, once per press: a double click or a resent POST finds the call the first one
 * just placed and is answered as that one was (no second call, no error); a later press within the
 * minute is told to wait.
 */
export async function resendForDraft(context: AppLoadContext, draft: Draft) {
  const result = await resendCode(context.services, draft.verificationId!, { lineE164: draft.answers.number!.e164, consentFrom: consentFromAnswers(draft.answers) });
  if (!result.ok && result.reason === "resend_too_soon" && result.retryAfterSeconds !== undefined) {
    const sinceLastCallMs = RESEND_AFTER_MS - result.retryAfterSeconds * 1000;
    if (sinceLastCallMs <= SAME_PRESS_WITHIN_MS) return { ok: true as const };
  }
  return result;
}
