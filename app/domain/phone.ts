/**
 * Japanese phone numbers: is this line eligible for the suspension of international calls?
 *
 * Only Japanese fixed-line numbers (0AB-J, 10 digits, ひかり電話 included) are eligible. Everything
 * else is refused with a plain Japanese message that tells the applicant what to do instead, because
 * "invalid number" alone leaves an 80-year-old with nowhere to go.
 *
 * Classification uses two layers:
 * 1. a prefix table (NON_GEOGRAPHIC_PREFIXES) for the ranges that are never fixed lines. It also
 *    catches mistyped numbers: "090-1234-567" is one digit short, but the useful answer is still
 *    "mobile numbers are not covered", not "wrong length".
 * 2. libphonenumber-js with the "max" metadata, which knows the assigned area codes and number
 *    types exactly, for everything that is shaped like a fixed-line number.
 */
import { parsePhoneNumberFromString, type NumberType } from "libphonenumber-js/max";
import { compactTypedDigits } from "./typed-text";

export const REFUSAL_REASONS = [
  "empty",
  "not_a_number",
  "too_short_or_long",
  "invalid",
  "foreign",
  "mobile",
  "ip_phone",
  "free_dial",
  "navi_dial",
] as const;

export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** What the applicant reads when a number is refused: why, and what to do instead. */
export const REFUSAL_MESSAGES: Readonly<Record<RefusalReason, string>> = {
  empty: "電話番号を入力してください。",
  not_a_number: "電話番号は、数字で入力してください。（例：03-1234-5678）",
  too_short_or_long:
    "電話番号のけた数が合いません。市外局番の「0」から、10けたで入力してください。（例：03-1234-5678）",
  invalid: "この電話番号は、使われていない番号のようです。番号をもう一度お確かめください。",
  foreign:
    "日本の電話番号ではないようです。日本国内の固定電話の番号を、「0」から入力してください。",
  mobile:
    "携帯電話の番号は、このお申し込みの対象ではありません。携帯電話会社に直接お問い合わせください。",
  ip_phone:
    "050で始まるIP電話の番号は、このお申し込みの対象ではありません。ご契約のIP電話の会社に直接お問い合わせください。",
  free_dial:
    "0120や0800で始まるフリーダイヤルの番号は、このお申し込みの対象ではありません。ご自宅の固定電話の番号を入力してください。",
  navi_dial:
    "0570（ナビダイヤル）などの特別な番号は、このお申し込みの対象ではありません。ご自宅の固定電話の番号を入力してください。",
};

/**
 * National prefixes that are never fixed lines, longest first so that "0800" (free dial) wins over
 * "080" (mobile). Data, not code: the numbering plan changes now and then.
 */
export const NON_GEOGRAPHIC_PREFIXES: readonly { prefix: string; reason: RefusalReason }[] = [
  { prefix: "0120", reason: "free_dial" },
  { prefix: "0800", reason: "free_dial" },
  { prefix: "0570", reason: "navi_dial" }, // ナビダイヤル
  { prefix: "0170", reason: "navi_dial" }, // 伝言ダイヤル等のサービス番号
  { prefix: "0180", reason: "navi_dial" }, // テレドーム
  { prefix: "0990", reason: "navi_dial" }, // ダイヤルQ2 (premium rate)
  { prefix: "070", reason: "mobile" },
  { prefix: "080", reason: "mobile" },
  { prefix: "090", reason: "mobile" },
  { prefix: "020", reason: "mobile" }, // M2M and pagers, provided by the mobile operators
  { prefix: "050", reason: "ip_phone" },
  { prefix: "060", reason: "navi_dial" }, // FMC / UPT: personal numbers, not tied to a place
];

/** 0AB-J numbers: "0" followed by nine digits. */
const FIXED_LINE_NATIONAL_LENGTH = 10;

export type EligibleNumber = {
  ok: true;
  /** What we store: "+81312345678". */
  e164: string;
  /** National digits without separators: "0312345678". */
  national: string;
  /** What we show: "03-1234-5678", grouped the way the area code is actually split. */
  display: string;
  kind: "fixed";
};

export type RefusedNumber = {
  ok: false;
  reason: RefusalReason;
  message: string;
};

export type PhoneParseResult = EligibleNumber | RefusedNumber;

function refuse(reason: RefusalReason): RefusedNumber {
  return { ok: false, reason, message: REFUSAL_MESSAGES[reason] };
}

/**
 * Reads a number typed any way ("０３ー１２３４ー５６７８", "(03) 1234-5678", "+81 3 1234 5678",
 * "0081-3-1234-5678", "81312345678") and decides whether the line is eligible.
 */
export function parseJapaneseNumber(input: string): PhoneParseResult {
  const compact = compactTypedDigits(input);
  if (compact === "") return refuse("empty");
  if (!/^\+?\d+$/.test(compact)) return refuse("not_a_number");

  const located = toJapaneseNationalDigits(compact);
  if (located.kind === "foreign") return refuse("foreign");
  if (located.kind === "missing_trunk_zero") return refuse("too_short_or_long");
  const national = located.digits;

  const nonGeographic = NON_GEOGRAPHIC_PREFIXES.find(({ prefix }) => national.startsWith(prefix));
  if (nonGeographic) return refuse(nonGeographic.reason);

  if (national.length !== FIXED_LINE_NATIONAL_LENGTH) return refuse("too_short_or_long");

  const parsed = parsePhoneNumberFromString(national, "JP");
  if (!parsed || parsed.country !== "JP" || !parsed.isValid()) return refuse("invalid");

  const refusal = refusalForNumberType(parsed.getType());
  if (refusal) return refuse(refusal);

  return {
    ok: true,
    e164: parsed.number,
    national,
    display: parsed.formatNational(),
    kind: "fixed",
  };
}

type LocatedDigits =
  | { kind: "japan"; digits: string }
  | { kind: "foreign" }
  | { kind: "missing_trunk_zero" };

/**
 * Turns the compact input into Japanese national digits ("0…"), or says it is not Japanese.
 * Handles the international forms people copy from business cards and foreign websites.
 */
function toJapaneseNationalDigits(compact: string): LocatedDigits {
  const international = internationalPart(compact);
  if (international !== undefined) {
    if (!international.startsWith("81")) return { kind: "foreign" };
    return { kind: "japan", digits: withTrunkZero(international.slice(2)) };
  }
  // "81312345678": the country code without "+". A national number always starts with "0",
  // so a leading "81" cannot be anything else.
  if (compact.startsWith("81")) return { kind: "japan", digits: withTrunkZero(compact.slice(2)) };
  if (compact.startsWith("0")) return { kind: "japan", digits: compact };
  // "312345678" or "12345678": the area code or its "0" was left out.
  return { kind: "missing_trunk_zero" };
}

/**
 * The digits after an international prefix, or undefined for a domestic number.
 * "+" and "00" are what the world uses; "010" is Japan's own international prefix.
 */
function internationalPart(compact: string): string | undefined {
  if (compact.startsWith("+")) return compact.slice(1);
  if (compact.startsWith("00")) return compact.slice(2);
  // "010" followed by a country code (which never starts with 0).
  if (/^010[1-9]/.test(compact)) return compact.slice(3);
  return undefined;
}

/** "+81 (0)3 …" keeps its "0"; "+81 3 …" gets one. */
function withTrunkZero(digitsAfterCountryCode: string): string {
  return digitsAfterCountryCode.startsWith("0") ? digitsAfterCountryCode : `0${digitsAfterCountryCode}`;
}

/**
 * libphonenumber's verdict, for numbers that passed the prefix table. With today's metadata only
 * FIXED_LINE reaches here; the mapping keeps us safe when new ranges are assigned.
 */
function refusalForNumberType(type: NumberType): RefusalReason | undefined {
  switch (type) {
    case "FIXED_LINE":
    case "FIXED_LINE_OR_MOBILE": // Japan has no mixed ranges; the prefix table already removed mobiles.
      return undefined;
    case "MOBILE":
    case "PAGER":
      return "mobile";
    case "VOIP":
      return "ip_phone";
    case "TOLL_FREE":
      return "free_dial";
    case undefined:
      return "invalid";
    default: // PREMIUM_RATE, SHARED_COST, UAN, PERSONAL_NUMBER, VOICEMAIL
      return "navi_dial";
  }
}

/**
 * Any phone number (eligible or not, Japanese or not) in E.164, or null when it is not a real
 * number. For comparing caller IDs, which arrive as "+81…" or as "anonymous".
 */
export function toE164(input: string): string | null {
  const compact = compactTypedDigits(input);
  if (!/^\+?\d+$/.test(compact)) return null;
  const located = toJapaneseNationalDigits(compact);
  if (located.kind === "missing_trunk_zero") return null;
  // A foreign number always came with an international prefix; give libphonenumber the "+" form.
  const text = located.kind === "japan" ? located.digits : `+${internationalPart(compact) ?? ""}`;
  const parsed = parsePhoneNumberFromString(text, "JP");
  return parsed && parsed.isValid() ? parsed.number : null;
}

/**
 * "+81312345678" → "03-1234-5678". Foreign numbers are shown in international format, and text
 * that is not a phone number is returned unchanged so that nothing the operator sees is lost.
 */
export function formatDisplay(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164, "JP");
  if (!parsed || !parsed.isValid()) return e164;
  return parsed.country === "JP" ? parsed.formatNational() : parsed.formatInternational();
}

/** True when both inputs are the same real phone line, however each was written. */
export function isSameLine(a: string, b: string): boolean {
  const first = toE164(a);
  return first !== null && first === toE164(b);
}
