/**
 * The web application journey as a pure module (GOV.UK Forms' "journey"): which steps exist, in
 * which order, which one comes next or before, and which ones a person may visit given what they
 * have answered so far. Routes ask this module; they never hard-code the order.
 */
import type { CarrierChoice, Scope } from "./carriers";

export const APPLY_STEPS = ["number", "applicant", "verify", "name", "address", "carrier", "scope", "check"] as const;
export type ApplyStep = (typeof APPLY_STEPS)[number];

export type Relation = "self" | "family" | "other";

export type ApplyAnswers = {
  number?: { e164: string; previousE164?: string | null };
  applicant?: { relation: Relation; relationDetail?: string | null; applicantName?: string | null; contactPhone?: string | null };
  /** The code a call-in verification shows on the page (only until the line is verified). */
  callIn?: { code: string } | null;
  /** Filled by the verification service, not by a form. */
  verification?: { verificationId: string; verifiedAt: string; method: "callback" | "call_in"; consentAt?: string | null };
  name?: { kanji: string; kana: string };
  address?: { postalCode: string; address: string; prefecture: number };
  carrier?: { choice: CarrierChoice };
  scope?: { scopes: Scope[] };
};

/** Whether the answers for a step are complete (the verification step: the line is verified). */
export function isStepComplete(step: ApplyStep, answers: ApplyAnswers): boolean {
  switch (step) {
    case "number":
      return Boolean(answers.number?.e164);
    case "applicant":
      return Boolean(answers.applicant?.relation);
    case "verify":
      return Boolean(answers.verification?.verifiedAt && answers.verification.verificationId);
    case "name":
      return Boolean(answers.name?.kanji && answers.name.kana);
    case "address":
      return Boolean(answers.address?.address && answers.address.prefecture);
    case "carrier":
      return Boolean(answers.carrier?.choice);
    case "scope":
      return Boolean(answers.scope?.scopes.length);
    case "check":
      return false;
  }
}

/** The first step not yet complete; "check" when everything is answered. */
export function firstIncompleteStep(answers: ApplyAnswers): ApplyStep {
  return APPLY_STEPS.find((step) => !isStepComplete(step, answers)) ?? "check";
}

/** A step can be visited when every step before it is complete (no skipping ahead by URL). */
export function canVisit(step: ApplyStep, answers: ApplyAnswers): boolean {
  const index = APPLY_STEPS.indexOf(step);
  return APPLY_STEPS.slice(0, index).every((earlier) => isStepComplete(earlier, answers));
}

/**
 * Where to go after saving a step. Coming from "check your answers" (a change link), go back
 * there — unless the change made a later step incomplete (a new number needs a new verification).
 */
export function nextStep(step: ApplyStep, answers: ApplyAnswers, options: { returnToCheck?: boolean } = {}): ApplyStep {
  const pending = firstIncompleteStep(answers);
  if (options.returnToCheck) return pending;
  const index = APPLY_STEPS.indexOf(step);
  const following = APPLY_STEPS[index + 1] ?? "check";
  // Never jump past an incomplete step.
  return APPLY_STEPS.indexOf(pending) < APPLY_STEPS.indexOf(following) ? pending : following;
}

export function previousStep(step: ApplyStep): ApplyStep | null {
  const index = APPLY_STEPS.indexOf(step);
  return index > 0 ? APPLY_STEPS[index - 1]! : null;
}

/**
 * Saving an answer may invalidate later ones: a different number or a different applicant needs a
 * new verification (the call goes to another line, or consent is asked of the subscriber).
 */
export function applyAnswer<K extends keyof ApplyAnswers>(answers: ApplyAnswers, key: K, value: ApplyAnswers[K]): ApplyAnswers {
  const next: ApplyAnswers = { ...answers, [key]: value };
  if (key === "number" && answers.number?.e164 !== (value as ApplyAnswers["number"])?.e164) delete next.verification;
  if (key === "applicant") {
    const before = answers.applicant?.relation === "self";
    const after = (value as ApplyAnswers["applicant"])?.relation === "self";
    if (before !== after) delete next.verification;
  }
  return next;
}

export const STEP_PATHS: Record<ApplyStep, string> = {
  number: "/apply/number",
  applicant: "/apply/applicant",
  verify: "/apply/verify",
  name: "/apply/name",
  address: "/apply/address",
  carrier: "/apply/carrier",
  scope: "/apply/scope",
  check: "/apply/check",
};

/** For the caption 「ステップ 2／7」 (check is not counted as a question). */
export function stepNumber(step: ApplyStep): { current: number; total: number } {
  return { current: APPLY_STEPS.indexOf(step) + 1, total: APPLY_STEPS.length - 1 };
}
