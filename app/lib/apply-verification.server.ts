/**
 * The verification step of the web journey, between the draft and the verification service.
 */
import type { AppLoadContext } from "@remix-run/node";
import type { ApplyAnswers } from "../domain/apply-journey";
import type { Draft } from "./apply-draft.server";
import { saveAnswers } from "./apply-draft.server";
import {
  checkCode,
  getVerification,
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

export async function startForDraft(context: AppLoadContext, draft: Draft, method: VerificationMethod) {
  const lineE164 = draft.answers.number!.e164;
  const result = await startVerification(context.services, {
    lineE164,
    purpose: "apply",
    method,
    consentFrom: method === "callback" ? consentFromAnswers(draft.answers) : null,
    client: context.clientIp,
  });
  if (!result.ok) return result;
  const answers: ApplyAnswers = { ...draft.answers, callIn: result.code ? { code: result.code } : null };
  delete answers.verification;
  await saveAnswers(context, draft, answers, { verificationId: result.verificationId });
  return result;
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

export function resendForDraft(context: AppLoadContext, draft: Draft) {
  return resendCode(context.services, draft.verificationId!, { lineE164: draft.answers.number!.e164, consentFrom: consentFromAnswers(draft.answers) });
}
