/**
 * Reference numbers (受付番号): 11 digits = 10 payload digits + 1 check digit.
 *
 * Digits only, because applicants type them on a phone keypad for the IVR and read them out to an
 * operator; grouped 4-4-3 ("1234-5678-901") for reading aloud.
 *
 * The check digit uses the Damm algorithm. Like Verhoeff, it detects every single-digit error and
 * every transposition of two adjacent digits (the two mistakes people make most when copying or
 * typing numbers), which the Luhn algorithm does not (it misses 09 ↔ 90). We chose Damm over
 * Verhoeff because it needs one 10×10 table and no permutation or inverse tables, so it is easy to
 * check by hand and to reimplement in a carrier's or a printer's system.
 *
 * Everything here is pure: randomness comes in as a parameter.
 */
import { compactTypedDigits } from "./typed-text";

export const PAYLOAD_LENGTH = 10;
export const REFERENCE_LENGTH = PAYLOAD_LENGTH + 1;

/**
 * The totally anti-symmetric quasigroup of order 10 from H. Michael Damm's 2004 thesis (the table
 * published with the algorithm). Row = interim digit, column = next digit of the number.
 */
export const DAMM_TABLE: readonly (readonly number[])[] = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/** Runs a string of ASCII digits through the table; a number with a valid check digit ends at 0. */
function dammInterim(digits: string): number {
  let interim = 0;
  for (const character of digits) {
    interim = DAMM_TABLE[interim]![Number(character)]!;
  }
  return interim;
}

/** The Damm check digit for a string of ASCII digits. */
export function dammCheckDigit(digits: string): string {
  if (!/^\d*$/.test(digits)) throw new RangeError("Damm check digit needs ASCII digits only");
  return String(dammInterim(digits));
}

/** Payload "1234567890" → reference "12345678901" (payload + check digit). */
export function makeReference(payload: string): string {
  if (!new RegExp(`^\\d{${PAYLOAD_LENGTH}}$`).test(payload)) {
    throw new RangeError(`A reference payload must be exactly ${PAYLOAD_LENGTH} ASCII digits`);
  }
  return payload + dammCheckDigit(payload);
}

/**
 * A new reference from a source of random digits, e.g.
 * `generateReference(() => String(crypto.randomInt(0, 10 ** 10)).padStart(10, "0"))` on the server.
 */
export function generateReference(randomDigits: () => string): string {
  return makeReference(randomDigits());
}

/**
 * Full-width digits to ASCII, spaces and dashes of every kind removed. Does not validate:
 * "1234-5678-901" → "12345678901", "１２３４ ５６７８ ９０１" → "12345678901".
 */
export function normalizeReference(input: string): string {
  return compactTypedDigits(input);
}

export const REFERENCE_ERROR_REASONS = ["empty", "not_digits", "wrong_length", "check_digit"] as const;
export type ReferenceErrorReason = (typeof REFERENCE_ERROR_REASONS)[number];

export const REFERENCE_ERROR_MESSAGES: Readonly<Record<ReferenceErrorReason, string>> = {
  empty: "受付番号を入力してください。",
  not_digits: "受付番号は、数字で入力してください。",
  wrong_length: `受付番号は${REFERENCE_LENGTH}けたです。お手元の控えを、もう一度お確かめください。`,
  check_digit: "受付番号が正しくないようです。数字をもう一度お確かめください。",
};

export type ReferenceParseResult =
  | { ok: true; reference: string }
  | { ok: false; reason: ReferenceErrorReason; message: string };

/** Validates typed input and says, in plain Japanese, what is wrong with it. */
export function parseReference(input: string): ReferenceParseResult {
  const digits = normalizeReference(input);
  const fail = (reason: ReferenceErrorReason): ReferenceParseResult => ({
    ok: false,
    reason,
    message: REFERENCE_ERROR_MESSAGES[reason],
  });
  if (digits === "") return fail("empty");
  if (!/^\d+$/.test(digits)) return fail("not_digits");
  if (digits.length !== REFERENCE_LENGTH) return fail("wrong_length");
  if (dammInterim(digits) !== 0) return fail("check_digit");
  return { ok: true, reference: digits };
}

export function isValidReference(input: string): boolean {
  return parseReference(input).ok;
}

/** Groups of four from the left, so 11 digits read as 4-4-3: ["1234", "5678", "901"]. */
export function speakableGroups(reference: string): string[] {
  const digits = normalizeReference(reference);
  const groups: string[] = [];
  for (let start = 0; start < digits.length; start += 4) groups.push(digits.slice(start, start + 4));
  return groups;
}

/** "12345678901" → "1234-5678-901". */
export function formatReference(reference: string): string {
  return speakableGroups(reference).join("-");
}
