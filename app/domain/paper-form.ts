/**
 * Checks on what the OCR read from a paper form, before anything is accepted without an operator.
 * Pure: no I/O. A value that fails a check always goes to an operator, however confident the OCR
 * was, because a misread digit usually turns a phone number into an invalid one (and the reference
 * number's check digit catches any single wrong digit).
 */
import { normalizeKana as normalizeKanaEverywhere } from "./kana";
import { parseJapaneseNumber, toE164 } from "./phone";
import { parseReference } from "./reference-number";

export type PaperFieldValidation = "phone" | "contact_phone" | "postal_code" | "reference" | "date";

export type PaperCheck = { ok: true } | { ok: false; message: string };

const OK: PaperCheck = { ok: true };

export const PAPER_FORM_MESSAGES = {
  empty: "記入がありません。用紙を見て確かめてください。",
  gap: "数字のあいだに空いたマスがあります。用紙を見て確かめてください。",
  postalCode: "郵便番号は7けたです。用紙を見て確かめてください。",
  contactPhone: "連絡先の電話番号として正しくありません。用紙を見て確かめてください。",
  date: "日付として正しくありません。用紙を見て確かめてください。",
  singleChoice: "1つだけ選ぶところで、選ばれた数が1つではありません。用紙を見て確かめてください。",
  noChoice: "どれにも印がありません。用紙を見て確かめてください。",
} as const;

/** Is a calendar date written YYYYMMDD real, and plausible for a form filled in now? */
export function isPlausibleFormDate(yyyymmdd: string): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(yyyymmdd);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 2024 || year > 2099) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Checks one read value; `value` is digits only (OCR of a comb), "" when nothing was written. */
export function checkPaperField(validation: PaperFieldValidation, value: string, required: boolean): PaperCheck {
  if (value === "") return required ? { ok: false, message: PAPER_FORM_MESSAGES.empty } : OK;
  switch (validation) {
    case "phone": {
      const parsed = parseJapaneseNumber(value);
      return parsed.ok ? OK : { ok: false, message: parsed.message };
    }
    case "contact_phone":
      return /^0\d{9,10}$/.test(value) && toE164(value) !== null ? OK : { ok: false, message: PAPER_FORM_MESSAGES.contactPhone };
    case "postal_code":
      return /^\d{7}$/.test(value) ? OK : { ok: false, message: PAPER_FORM_MESSAGES.postalCode };
    case "reference": {
      const parsed = parseReference(value);
      return parsed.ok ? OK : { ok: false, message: parsed.message };
    }
    case "date":
      return isPlausibleFormDate(value) ? OK : { ok: false, message: PAPER_FORM_MESSAGES.date };
  }
}

/**
 * A set of check boxes: for "single" groups exactly one box must be ticked; a required group needs
 * at least one. `ticked` holds null for boxes the OCR could not decide.
 */
export function checkChoiceGroup(select: "single" | "multiple", required: boolean, ticked: readonly (boolean | null)[]): PaperCheck {
  const count = ticked.filter((t) => t === true).length;
  if (required && count === 0) return { ok: false, message: PAPER_FORM_MESSAGES.noChoice };
  if (select === "single" && count > 1) return { ok: false, message: PAPER_FORM_MESSAGES.singleChoice };
  return OK;
}

/**
 * OCR of Japanese puts spaces between characters that have none ("北海 道 札幌"): drop every space
 * that has a Japanese character on either side, and every space between digits or between a digit
 * and a hyphen (an address's 「金岡町12 3 4」 is 1234, 「1 2 - 3」 is 12-3); keep those between
 * Latin letters, or a letter and a digit.
 */
export function normalizeJapaneseText(text: string): string {
  return text
    .normalize("NFKC")
    .split("\n")
    .map((line) =>
      line
        .replace(/\s+/g, " ")
        .trim()
        .replace(/ (?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) /g, "")
        .replace(/(?<=[0-9-]) (?=[0-9])|(?<=[0-9]) (?=-)/g, ""),
    )
    .join("\n");
}

/**
 * Katakana reading as the centre stores it: the OCR spacing removed, then the one kana rule of every
 * channel (domain/kana's normalizeKana: width, dakuten, dashes for ー, ヴ, ヷ–ヺ).
 */
export function normalizeKana(text: string): string {
  return normalizeKanaEverywhere(normalizeJapaneseText(text));
}
