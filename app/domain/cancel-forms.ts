/**
 * The web cancellation journey (/cancel) as a pure module: the steps, what each step's answers look
 * like, the zod schema of each form (shared by the browser and the server), and the reason choices.
 * Messages say what to do, in plain Japanese.
 */
import { z } from "zod";
import type { Relation } from "./cancellation-rules";
import { callbackDigits, CALLBACK_NUMBER_MESSAGE } from "./apply-forms";
import { parseJapaneseNumber } from "./phone";
import { compactTypedDigits } from "./typed-text";

export const CANCEL_STEPS = ["number", "requester", "contact", "reason", "check"] as const;
export type CancelStep = (typeof CANCEL_STEPS)[number];

export const CANCEL_STEP_PATHS: Record<CancelStep, string> = {
  number: "/cancel/number",
  requester: "/cancel/requester",
  contact: "/cancel/contact",
  reason: "/cancel/reason",
  check: "/cancel/check",
};

/** Why the person asks. "unspecified" is for channels that do not ask (the IVR menu). */
export const CANCEL_REASON_CODES = ["need_international", "moving", "mistaken", "not_wanted", "other", "unspecified"] as const;
export type CancelReasonCode = (typeof CANCEL_REASON_CODES)[number];

export const CANCEL_REASON_LABELS: Readonly<Record<CancelReasonCode, string>> = {
  need_international: "海外との電話が必要になった",
  moving: "引っ越しや、電話番号が変わった",
  mistaken: "まちがえて申し込んだ",
  not_wanted: "ご契約者ご本人が望んでいない申し込みだった",
  other: "その他",
  unspecified: "（お聞きしていません）",
};

/** The reasons a person can pick on the web and on paper. */
export const CHOOSABLE_REASONS = CANCEL_REASON_CODES.filter((code) => code !== "unspecified");

export function isCancelReasonCode(value: unknown): value is CancelReasonCode {
  return typeof value === "string" && (CANCEL_REASON_CODES as readonly string[]).includes(value);
}

export type CancelAnswers = {
  number?: { e164: string };
  requester?: { relation: Relation; relationDetail: string | null; requesterName: string | null };
  contact?: { phone: string };
  reason?: { code: CancelReasonCode; text: string | null };
};

export function isCancelStepComplete(step: CancelStep, answers: CancelAnswers): boolean {
  switch (step) {
    case "number":
      return Boolean(answers.number?.e164);
    case "requester":
      return Boolean(answers.requester?.relation);
    case "contact":
      return Boolean(answers.contact?.phone);
    case "reason":
      return Boolean(answers.reason?.code);
    case "check":
      return false;
  }
}

export function firstIncompleteCancelStep(answers: CancelAnswers): CancelStep {
  return CANCEL_STEPS.find((step) => !isCancelStepComplete(step, answers)) ?? "check";
}

/** A step can be visited when every step before it is complete (no skipping ahead by URL). */
export function canVisitCancelStep(step: CancelStep, answers: CancelAnswers): boolean {
  return CANCEL_STEPS.slice(0, CANCEL_STEPS.indexOf(step)).every((earlier) => isCancelStepComplete(earlier, answers));
}

/** The next page after saving a step: back to the check page after a change, never past a gap. */
export function nextCancelStep(step: CancelStep, answers: CancelAnswers, options: { returnToCheck?: boolean } = {}): CancelStep {
  const pending = firstIncompleteCancelStep(answers);
  if (options.returnToCheck) return pending;
  const following = CANCEL_STEPS[CANCEL_STEPS.indexOf(step) + 1] ?? "check";
  return CANCEL_STEPS.indexOf(pending) < CANCEL_STEPS.indexOf(following) ? pending : following;
}

export function previousCancelStep(step: CancelStep): CancelStep | null {
  const index = CANCEL_STEPS.indexOf(step);
  return index > 0 ? CANCEL_STEPS[index - 1]! : null;
}

export function cancelStepNumber(step: CancelStep): { current: number; total: number } {
  return { current: CANCEL_STEPS.indexOf(step) + 1, total: CANCEL_STEPS.length - 1 };
}

const required = (message: string) => z.string({ required_error: message }).trim().min(1, message);

export const cancelNumberSchema = z.object({
  number: required("国際電話を止めている（止める申し込みをした）固定電話の番号を入力してください。").transform((value, ctx) => {
    const parsed = parseJapaneseNumber(value);
    if (!parsed.ok) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: parsed.message });
      return z.NEVER;
    }
    return parsed.e164;
  }),
});

export const cancelRequesterSchema = z
  .object({
    relation: z.enum(["self", "family", "other"], {
      required_error: "お申し出をする方を、1つ選んでください。",
      invalid_type_error: "お申し出をする方を、1つ選んでください。",
    }),
    relationDetail: z.string().trim().max(40, "続柄は40文字以内で入力してください。").optional(),
    requesterName: z.string().trim().max(60, "お名前は60文字以内で入力してください。").optional(),
  })
  .superRefine((value, ctx) => {
    if (value.relation === "self") return;
    if (!value.requesterName) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["requesterName"], message: "お申し出をする方のお名前を入力してください。" });
    }
    if (!value.relationDetail) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["relationDetail"],
        message:
          value.relation === "family"
            ? "ご契約者との続柄を入力してください。例：長男、娘"
            : "ご契約者とのご関係か、所属を入力してください。例：〇〇市役所",
      });
    }
  });

/** Any number the centre can call the requester back on (a mobile is fine). Returns national digits. */
export const cancelContactSchema = z.object({
  phone: required("ご連絡先の電話番号を入力してください。携帯電話の番号でもかまいません。").transform((value, ctx) => {
    const digits = callbackDigits(value);
    if (!digits) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: CALLBACK_NUMBER_MESSAGE });
      return z.NEVER;
    }
    return digits;
  }),
});

export const cancelReasonSchema = z
  .object({
    code: z.enum(CHOOSABLE_REASONS as unknown as readonly [CancelReasonCode, ...CancelReasonCode[]], {
      required_error: "理由を1つ選んでください。",
      invalid_type_error: "理由を1つ選んでください。",
    }),
    text: z.string().trim().max(400, "くわしい理由は400文字以内で入力してください。").optional(),
  })
  .superRefine((value, ctx) => {
    if (value.code === "other" && !value.text) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["text"], message: "「その他」を選んだときは、理由を入力してください。" });
    }
  });

/** The original applicant's objection during the cooling-off: the reference and the code from the notice. */
export const objectionSchema = z.object({
  reference: required("お知らせに書いてある受付番号を入力してください。"),
  code: required("お知らせに書いてある確認コード（8けた）を入力してください。").transform((value, ctx) => {
    const digits = compactTypedDigits(value);
    if (!/^\d{8}$/.test(digits)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "確認コードは8けたの数字です。お知らせに書いてある番号を入力してください。" });
      return z.NEVER;
    }
    return digits;
  }),
});
