/**
 * The prefilled paper form requested on the web (issue 15, point 2): one zod schema for the browser
 * (conform) and the server. The line is typed by the person, not verified: it is printed on the form
 * and read back by the OCR like any handwriting, and the line's own confirmation call decides later.
 */
import { z } from "zod";
import { isKatakanaName, toKatakana } from "./kana";
import { parseJapaneseNumber } from "./phone";
import { readPostalCode } from "./typed-text";
import { hasControlCharacters } from "./control-characters";

export const FORM_DELIVERIES = ["print", "mail"] as const;
export type FormDelivery = (typeof FORM_DELIVERIES)[number];

const text = (max: number, tooLong: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(z.string().max(max, tooLong).optional());

export const formRequestSchema = z
  .object({
    number: z
      .string({ required_error: "止めたい固定電話の番号を入力してください。" })
      .trim()
      .min(1, "止めたい固定電話の番号を入力してください。")
      .transform((value, ctx) => {
        const parsed = parseJapaneseNumber(value);
        if (!parsed.ok) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: parsed.message });
          return z.NEVER;
        }
        return parsed.e164;
      }),
    name: z
      .string({ required_error: "契約者のお名前を入力してください。" })
      .trim()
      .min(1, "契約者のお名前を入力してください。")
      .max(40, "お名前は40文字以内で入力してください。")
      .refine((v) => !hasControlCharacters(v), "お名前に見えない文字が入っています。お名前を消して、もう一度入力してください。"),
    kana: text(40, "フリガナは40文字以内で入力してください。").transform((v, ctx) => {
      if (v === undefined) return undefined;
      const kana = toKatakana(v);
      if (!isKatakanaName(kana)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: "フリガナは、カタカナかひらがなで入力してください。例：ヤマダ ハナコ" });
        return z.NEVER;
      }
      return kana;
    }),
    delivery: z.enum(FORM_DELIVERIES, {
      required_error: "申込書の受け取りかたを、1つえらんでください。",
      invalid_type_error: "申込書の受け取りかたを、1つえらんでください。",
    }),
    postalCode: text(20, "郵便番号は7けたの数字で入力してください。例：1000001"),
    address: text(120, "住所は120文字以内で入力してください。"),
  })
  .superRefine((value, ctx) => {
    if (value.postalCode !== undefined) {
      const read = readPostalCode(value.postalCode);
      if (!read.ok) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["postalCode"], message: "郵便番号は7けたの数字で入力してください。例：1000001" });
    }
    if (value.delivery === "mail") {
      if (value.postalCode === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["postalCode"], message: "郵便で受け取るときは、郵便番号を入力してください。例：1000001" });
      if (value.address === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["address"], message: "郵便で受け取るときは、お届けする住所を入力してください。" });
    }
  })
  .transform((value) => {
    const read = value.postalCode === undefined ? undefined : readPostalCode(value.postalCode);
    return { ...value, postalCode: read && read.ok ? read.postalCode : undefined };
  });

export type FormRequest = z.output<typeof formRequestSchema>;

/** Request numbers: "W" and 8 characters that are easy to read out (no 0/O, 1/I); QR alphanumeric. */
const ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
export function makeRequestNumber(randomBytes: Uint8Array): string {
  const chars = Array.from(randomBytes.slice(0, 8), (b) => ALPHABET[b % ALPHABET.length]).join("");
  return `W${chars.slice(0, 4)}-${chars.slice(4, 8)}`;
}
export const REQUEST_NUMBER_PATTERN = /^W[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/;
