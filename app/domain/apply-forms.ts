/**
 * One zod schema per form of the apply journey, shared by the browser (conform's client-side
 * validation) and the server (the action). Messages say what to do, in plain Japanese.
 */
import { z } from "zod";
import { CARRIER_CHOICES, SCOPES } from "./carriers";
import { isKatakanaName, toKatakana } from "./kana";
import { parseJapaneseNumber } from "./phone";
import { compactTypedDigits, readPostalCode } from "./typed-text";
import { digitsMessage } from "../locales/ja-input";
import { ja } from "../locales/ja";
import { hasControlCharacters } from "./control-characters";

const required = (message: string) => z.string({ required_error: message }).trim().min(1, message);

/** A Japanese fixed line, refused with the reason (mobile, 050, free dial …) in plain words. */
const fixedLine = (emptyMessage: string) =>
  required(emptyMessage).transform((value, ctx) => {
    const parsed = parseJapaneseNumber(value);
    if (!parsed.ok) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: parsed.message });
      return z.NEVER;
    }
    return parsed.e164;
  });

export const numberSchema = z.object({
  number: fixedLine("止めたい固定電話の番号を入力してください。"),
  previousNumber: z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (!value) return null;
      const parsed = parseJapaneseNumber(value);
      if (!parsed.ok) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `前の電話番号：${parsed.message}` });
        return z.NEVER;
      }
      return parsed.e164;
    }),
}).superRefine((value, ctx) => {
  // Inputs that can contradict each other are checked together (issue 16, point 1): the number to
  // stop given again as the old number would file a release of the very suspension being asked for.
  const problem = numberContradiction(value.number, value.previousNumber);
  if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["previousNumber"], message: problem });
});

/** The message when the old number (moving) is the number to stop, or null. Also used on submission. */
export function numberContradiction(numberE164: string, previousE164: string | null | undefined): string | null {
  return previousE164 && previousE164 === numberE164 ? ja.apply.previousNumberSameAsNumber : null;
}

export const CALLBACK_NUMBER_MESSAGE =
  "ご連絡先の電話番号は、市外局番（携帯電話は090などの番号）から、10けたか11けたの数字で入力してください。";

/** Any number a person can be called back on (a mobile is fine): national digits, or null. */
export function callbackDigits(value: string): string | null {
  const digits = compactTypedDigits(value);
  return /^0\d{9,10}$/.test(digits) ? digits : null;
}

const contactNumber = z
  .string()
  .trim()
  .optional()
  .transform((value, ctx) => {
    if (!value) return null;
    const digits = callbackDigits(value);
    if (!digits) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: CALLBACK_NUMBER_MESSAGE });
      return z.NEVER;
    }
    return digits;
  });

export const applicantSchema = z
  .object({
    relation: z.enum(["self", "family", "other"], {
      required_error: "お申し込みをする方を、1つ選んでください。",
      invalid_type_error: "お申し込みをする方を、1つ選んでください。",
    }),
    relationDetail: z.string().trim().max(40, "続柄は40文字以内で入力してください。").optional(),
    applicantName: z.string().trim().max(60, "お名前は60文字以内で入力してください。").optional(),
    contactPhone: contactNumber,
  })
  .superRefine((value, ctx) => {
    if (value.relation === "self") return;
    if (!value.applicantName) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["applicantName"], message: "お申し込みをする方のお名前を入力してください。" });
    }
    if (!value.relationDetail) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["relationDetail"],
        message:
          value.relation === "family"
            ? "ご本人との続柄を入力してください。例：長男、娘"
            : "ご本人とのご関係か、所属を入力してください。例：〇〇警察署、〇〇市役所",
      });
    }
    if (!value.contactPhone) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["contactPhone"],
        message: "ご連絡先の電話番号を入力してください。携帯電話の番号でもかまいません。",
      });
    }
  });

export const verifyMethodSchema = z.object({
  method: z.enum(["callback", "call_in"], { required_error: "確認の方法を1つ選んでください。" }),
});

export const codeSchema = z.object({
  code: required("電話で聞いた4けたの番号を入力してください。").transform((value, ctx) => {
    const digits = compactTypedDigits(value);
    if (!/^\d{4}$/.test(digits)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "確認番号は4けたの数字です。電話で聞いた番号を入力してください。" });
      return z.NEVER;
    }
    return digits;
  }),
});

export const nameSchema = z.object({
  kanji: required("契約者のお名前を入力してください。")
    .pipe(z.string().max(60, "お名前は60文字以内で入力してください。"))
    .refine((value) => !hasControlCharacters(value), ja.name.controlCharacters),
  kana: required("お名前のフリガナを入力してください。").transform((value, ctx) => {
    if (hasControlCharacters(value)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: ja.kana.controlCharacters });
      return z.NEVER;
    }
    const kana = toKatakana(value);
    if (!isKatakanaName(kana)) {
      // Say which characters are wrong (issue 16, point 10), not only what to type.
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: ja.kana.invalidCharacters(kanaRejects(kana)) });
      return z.NEVER;
    }
    return kana;
  }),
});

/** The characters a kana reading cannot hold, each once, as a person would read them. */
function kanaRejects(kana: string): string {
  const rejected = [...new Set([...kana].filter((ch) => !/[\u30A1-\u30F6\u30FC\u30FB\u30FD\u30FE ]/u.test(ch)))];
  return rejected.length > 0 ? rejected.map((ch) => `「${ch}」`).join("") : "空白の位置";
}

export const postalCodeSchema = z.object({
  postalCode: required("郵便番号を入力してください。").transform((value, ctx) => {
    // One rule for typed digits (issue 17, point 5): ０-９, 〒, −ー‐－ and spaces are fine; other characters are named.
    const read = readPostalCode(value);
    if (!read.ok) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: digitsMessage("郵便番号は7けたの数字で入力してください。例：1000001", read.rejected) });
      return z.NEVER;
    }
    return read.postalCode;
  }),
});

export const addressSchema = postalCodeSchema.extend({
  address: required("住所を入力してください。").pipe(z.string().max(200, "住所は200文字以内で入力してください。")),
});

export const carrierSchema = z.object({
  choice: z.enum(CARRIER_CHOICES, {
    required_error: "電話会社を1つ選んでください。わからないときは「わからない」を選んでください。",
    invalid_type_error: "電話会社を1つ選んでください。わからないときは「わからない」を選んでください。",
  }),
});

export const scopeSchema = z.object({
  scopes: z
    .array(z.enum(SCOPES), { required_error: "止めたい電話を1つ以上選んでください。" })
    .min(1, "止めたい電話を1つ以上選んでください。"),
});

export const statusSchema = z.object({
  reference: required("受付番号を入力してください。"),
  number: fixedLine("お申し込みをした電話番号を入力してください。"),
});
