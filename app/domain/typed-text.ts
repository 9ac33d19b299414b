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

/** Half-width, without separators: what is left should be digits (and maybe a leading "+"). */
export function compactTypedDigits(input: string): string {
  return stripSeparators(toHalfWidth(input));
}
