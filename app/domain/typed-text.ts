/**
 * Clean-up of digits that people type by hand (phone numbers, reference numbers).
 *
 * Japanese keyboards and IMEs produce full-width digits (１２３), full-width plus signs and
 * parentheses, and a zoo of dash-like characters (the katakana long vowel mark ー is the one people
 * reach for most often). None of that should make an applicant's input "wrong".
 */

/**
 * Every character that people use as a separator between groups of digits.
 * Listed by code point because several of them look identical on screen.
 */
const SEPARATOR_CHARACTERS = [
  "\u002D", // - hyphen-minus
  "\u2010", // ‐ hyphen
  "\u2011", // ‑ non-breaking hyphen
  "\u2012", // ‒ figure dash
  "\u2013", // – en dash
  "\u2014", // — em dash
  "\u2015", // ― horizontal bar
  "\u2043", // ⁃ hyphen bullet
  "\u2212", // − minus sign
  "\u30FC", // ー katakana long vowel mark (also what NFKC makes of half-width ｰ)
  "\uFE63", // ﹣ small hyphen-minus
  "\uFF0D", // － full-width hyphen-minus (NFKC already maps it, kept for clarity)
  "\u30FB", // ・ katakana middle dot
  ".",
  "(",
  ")",
  "/",
] as const;

const SEPARATOR_PATTERN = new RegExp(
  `[\\s${SEPARATOR_CHARACTERS.map(escapeForCharacterClass).join("")}]`,
  "gu",
);

function escapeForCharacterClass(character: string): string {
  return /[\\\]\[^\-]/.test(character) ? `\\${character}` : character;
}

/** Full-width digits, letters, "＋", "（）" and the ideographic space become their ASCII forms. */
export function toHalfWidth(input: string): string {
  return input.normalize("NFKC");
}

/** Removes spaces, dashes of every kind, parentheses, dots and slashes. */
export function stripSeparators(input: string): string {
  return input.replace(SEPARATOR_PATTERN, "");
}

/** Half-width, without separators, 〇 read as 0: what is left should be digits (and maybe a leading "+"). */
export function compactTypedDigits(input: string): string {
  return stripSeparators(toHalfWidth(input)).replace(/〇/gu, (c) => DIGIT_LOOKALIKES[c] ?? c);
}

// ---------------------------------------------------------------------------------------------
// Typed digits: the one rule for phone numbers, postal codes, reference numbers and codes, used by
// the web, the back office, paper verification, OCR and the IVR (issue 17, point 5).
// ---------------------------------------------------------------------------------------------

/**
 * Characters that are digits written another way and are read as that digit: the kanji zero 〇
 * (what OCR and speech write, and what people write on paper), besides the full-width digits that
 * NFKC already turns into ASCII. Letters that look like digits (O, l, I) are never guessed.
 */
const DIGIT_LOOKALIKES: Readonly<Record<string, string>> = { "〇": "0" };

export type TypedDigits =
  | { ok: true; digits: string }
  /** `rejected` lists the characters that are not digits: shown to the person, never dropped. */
  | { ok: false; reason: "empty" | "not_digits"; rejected: string[] };

/**
 * Digits as a person typed, wrote or said them: full-width (０９０), with spaces, dashes of every
 * kind (−ー‐－ｰ), （）, ・ and dots between groups, a leading 〒 for postal codes and, with
 * `allowPlus`, a leading ＋. Anything else is refused and named; nothing is ever silently deleted.
 */
export function readTypedDigits(input: string, options: { allowPlus?: boolean } = {}): TypedDigits {
  const compact = compactTypedDigits(toHalfWidth(input).replace(/^\s*〒/u, ""));
  if (compact === "") return { ok: false, reason: "empty", rejected: [] };
  const body = options.allowPlus && compact.startsWith("+") ? compact.slice(1) : compact;
  const rejected = [...new Set([...body].filter((c) => !/[0-9]/.test(c)))];
  if (rejected.length > 0 || body === "") return { ok: false, reason: "not_digits", rejected };
  return { ok: true, digits: compact };
}

/** The digits, or null when the input is empty or holds anything that is not a digit. */
export function typedDigitsOrNull(input: string, options: { allowPlus?: boolean } = {}): string | null {
  const read = readTypedDigits(input, options);
  return read.ok ? read.digits : null;
}

export type PostalCodeReading = { ok: true; postalCode: string } | { ok: false; reason: "empty" | "not_digits" | "length"; rejected: string[] };

/** A postal code typed any way ("〒１００－０００１", "100 0001", "100ー0001") as 7 digits. */
export function readPostalCode(input: string): PostalCodeReading {
  const read = readTypedDigits(input);
  if (!read.ok) return read;
  if (read.digits.length !== 7) return { ok: false, reason: "length", rejected: [] };
  return { ok: true, postalCode: read.digits };
}

/** "1000001" → "100-0001" (anything else is returned as it is). */
export function formatPostalCode(postalCode: string): string {
  return /^\d{7}$/.test(postalCode) ? `${postalCode.slice(0, 3)}-${postalCode.slice(3)}` : postalCode;
}
